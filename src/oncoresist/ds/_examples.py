"""Small example inputs for docstrings and first tries (like ``scanpy.datasets``).

:func:`example_screen` builds a tidy dose-response screen with known IC50s;
:func:`example_file` writes a tiny valid file of one input format (MAF, VCF, MaxQuant tables,
screen CSV, matrices, clinical sheet, copy number, ctDNA panel, KB sources) and returns its path,
so an example of a reader reads a real file without spelling its content out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_write_text

__all__ = ["EXAMPLE_FILES", "example_file", "example_screen"]

_MAF = (
    "#version 2.4\n"
    "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
    "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp\n"
    "EGFR\tchr7\t55181378\t55181378\tC\tT\tP1\tMissense_Mutation\tp.Thr790Met\n"
)
_VCF = (
    "##fileformat=VCFv4.2\n##normal_sample=N1\n##tumor_sample=T1\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN1\tT1\n"
    "chr7\t55181378\t.\tC\tT\t.\tPASS\t.\tGT:AD\t0/0:40,0\t0/1:30,10\n"
)
_PROTEIN_GROUPS = (
    "Protein IDs\tMajority protein IDs\tGene names\tLFQ intensity A\tLFQ intensity B\tReverse\tPotential contaminant\n"
    "P04637\tP04637\tTP53\t1024\t0\t\t\nREV__Q1\tREV__Q1\t\t5000\t6000\t+\t\n"
)
_SITES = (
    "Proteins\tPositions within proteins\tGene names\tLocalization prob\tAmino acid\tPosition\t"
    "Sequence window\tIntensity A___1\tIntensity A___2\tReverse\tPotential contaminant\n"
    "P31749\t308\tAKT1\t0.99\tT\t308\tKDGATMKTFCGTPEYLAPEVL\t256\t64\t\t\n"
    "P31749\t450\tAKT1\t0.40\tS\t450\tRRPSHRQSDSGSQELSVRDAP\t512\t0\t\t\n"
)
_COMBINATIONS = "PairIndex,Drug1,Drug2,Conc1,Conc2,Response,ConcUnit\n1,A,B,0,0,0,nM\n1,A,B,0,10,20,nM\n1,A,B,100,0,50,nM\n1,A,B,100,10,90,nM\n"
_SEGMENTS = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nS1\tchr7\t1\t60000000\t500\t1.2\nS1\tchr7\t60000001\t159000000\t900\t0.0\n"
_CTDNA = "Patient.ID,Blood.Collection.Date,Gene,ctDNA,Copy.Number,Mutations\nG1,0,EGFR,2.0,,EGFR L858R\nG1,90,EGFR,0.4,,EGFR L858R\nG1,90,MET,,3.1,\n"
_MOALMANAC = (
    '[{"assertion_id": 1, "feature_type": "Copy Number", "gene": "AR", "direction": "Amplification", '
    '"therapy_name": "Enzalutamide", "therapy_resistance": 1, "predictive_implication": "Clinical evidence", '
    '"disease": "Prostate Adenocarcinoma", "pmid": 26000489, "last_updated": "2023-11-02"}]'
)

#: kind -> (file name, content) of the files :func:`example_file` writes.
EXAMPLE_FILES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "maf": ("x.maf", _MAF),
    "vcf": ("t.vcf", _VCF),
    "proteingroups": ("proteinGroups.txt", _PROTEIN_GROUPS),
    "phosphosites": ("Phospho (STY)Sites.txt", _SITES),
    "screen": ("screen.csv", "patient_id,drug_name,conc_nM,viability_pct\nP1,ibrutinib,0,100\nP1,ibrutinib,1000,40\n"),
    "combinations": ("combo.csv", _COMBINATIONS),
    "matrix": ("prot.tsv", "gene\tS1\tS2\nTP53\t1.5\t-0.2\nEGFR\t0.3\tNA\n"),
    "phospho_matrix": ("phospho.tsv", "idx\tS1\tS2\nAAAS-S495\t0.1\t0.2\nAKT1-T308\t1.0\tNA\n"),
    "clinical": ("clinical.csv", "patient,OS_days,OS_status,IGHV\nP1,100,1:DECEASED,U\nP2,250,0:LIVING,M\n"),
    "gistic": ("all_thresholded.by_genes.txt", "Gene Symbol\tLocus ID\tCytoband\tS1\tS2\nEGFR\t1956\t7p11.2\t2\t0\nCDKN2A\t1029\t9p21.3\t-2\t0\n"),
    "segments": ("x.seg", _SEGMENTS),
    "genes_bed": ("genes.bed", "chr7\t55019016\t55211628\tEGFR\t0\t+\n"),
    "ctdna": ("plasma.csv", _CTDNA),
    "moalmanac": ("moa.json", _MOALMANAC),
    "dgidb": ("dgidb.tsv", "gene_name\tdrug_name\tinteraction_types\nEGFR\tGEFITINIB\tinhibitor\n"),
})


def example_file(kind: str, folder: PathLike | None = None, *, name: str | None = None) -> Path:
    """Write a tiny valid example file of one input format and return its path.

    Parameters
    ----------
    kind
        The format, a key of :data:`EXAMPLE_FILES`: ``maf`` (one EGFR T790M call of sample P1),
        ``vcf`` (the same call, tumour T1 vs normal N1), ``proteingroups`` (MaxQuant
        ``proteinGroups.txt``: TP53 and a reverse hit), ``phosphosites`` (MaxQuant ``Phospho
        (STY)Sites.txt``: two AKT1 sites), ``screen`` (a dose-response CSV in nM and percent),
        ``combinations`` (one 2 x 2 combination block, inhibition in percent), ``matrix``
        (features x samples, one NA), ``phospho_matrix`` (site IDs ``GENE-S123``), ``clinical``
        (cBioPortal-style OS columns), ``gistic`` (thresholded copy-number calls), ``segments``
        (a DNAcopy segment file), ``genes_bed`` (EGFR in BED), ``ctdna`` (a plasma panel with
        VAF in percent), ``moalmanac`` (one MOAlmanac assertion, JSON) or ``dgidb`` (one DGIdb
        interaction).
    folder
        Folder to write into (created when missing); default: a new temporary folder.
    name
        File name; default: the usual name of the format (e.g. ``proteinGroups.txt``).

    Returns
    -------
    pathlib.Path
        The file written (atomically).

    Raises
    ------
    InputError
        For an unknown ``kind``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("vcf")
    >>> p.name, p.read_text().splitlines()[0]
    ('t.vcf', '##fileformat=VCFv4.2')
    """
    if kind not in EXAMPLE_FILES:
        msg = f"no example file of kind {kind!r}; pick one of {', '.join(EXAMPLE_FILES)}."
        raise InputError(msg)
    default_name, text = EXAMPLE_FILES[kind]
    out = Path(tempfile.mkdtemp() if folder is None else folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (name or default_name)
    atomic_write_text(path, text)
    return path


def example_screen(
    ic50: Mapping[str, float] | None = None,
    drugs: Sequence[str] = ("D1", "D2"),
    *,
    doses: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """A tidy dose-response screen of noiseless Hill curves with known IC50s.

    Every sample is tested with every drug at the same doses; viability is
    ``1 / (1 + dose / ic50)`` (Hill slope 1, plateaus 1 and 0), the sample's IC50 for every drug.

    Parameters
    ----------
    ic50
        Sample -> IC50 (µM); default ``{"A": 0.1, "B": 2.0}``.
    drugs
        Drug names.
    doses
        Doses (µM); default six log-spaced doses from 0.01 to 10.

    Returns
    -------
    pandas.DataFrame
        ``sample, drug, dose, response`` (viability fraction), one row per sample x drug x dose,
        sample-major: the long screen :func:`oncoresist.tl.fit_curves` takes.

    Raises
    ------
    InputError
        For no samples, no drugs or doses, or a non-positive IC50 or negative dose.

    Examples
    --------
    >>> from oncoresist import ds
    >>> screen = ds.example_screen({"A": 0.1, "B": 2.0}, drugs=["D1"], doses=[0.1, 2.0])
    >>> screen["response"].tolist()
    [0.5, 0.047619047619047616, 0.9523809523809523, 0.5]
    """
    ic = {"A": 0.1, "B": 2.0} if ic50 is None else {str(k): float(v) for k, v in ic50.items()}
    d = np.logspace(-2, 1, 6) if doses is None else np.asarray(doses, dtype=float)
    names = [str(g) for g in drugs]
    if not ic or not names or d.size == 0:
        msg = "example_screen needs at least one sample (ic50), one drug and one dose."
        raise InputError(msg)
    if min(ic.values()) <= 0 or (d < 0).any():
        msg = "example_screen needs positive IC50s and non-negative doses."
        raise InputError(msg)
    parts = [pd.DataFrame({"sample": s, "drug": g, "dose": d, "response": 1 / (1 + d / e)}) for s, e in ic.items() for g in names]
    return pd.concat(parts, ignore_index=True)
