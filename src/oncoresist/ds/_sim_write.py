"""Write a simulated cohort as raw files + ``study.toml`` + ``truth.json`` (atomic writes).

The files use the formats real studies come in, so that reading them back with
:func:`oncoresist.io.read_study` exercises the readers: a GDC-style MAF (``chr``-prefixed
chromosomes, tumour barcodes ``SIM-0001-T``), a DNAcopy-style segment file with a BED of gene
coordinates, gzipped features x samples matrices, a long screen in nanomolar with percent
viability, and a tab-separated clinical sheet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_path, atomic_write_text, write_csv
from ._sim_evolution import write_evolution

if TYPE_CHECKING:  # pragma: no cover
    from ._simulate import SimulatedCohort

#: Files written by :func:`write_cohort` (name -> what it holds).
FILES = {
    "mutations.maf": "somatic variants (MAF; Tumor_Sample_Barcode = <sample>-T)",
    "cnv_segments.seg": "copy-number segments (ID, chrom, loc.start, loc.end, num.mark, seg.mean)",
    "genes.bed": "gene coordinates used to simulate the segments (BED6, 0-based starts)",
    "rna_counts.tsv.gz": "RNA-seq counts, genes x samples",
    "methylation.tsv.gz": "promoter CpG beta values, probes x samples (column 'gene' annotates)",
    "proteomics.tsv.gz": "protein log2 intensities, genes x samples (NaN = missing)",
    "phospho.tsv.gz": "phosphosite log2 levels, sites (GENE_S123) x samples (only with functional=True)",
    "drug_screen.csv": "raw single-agent screen (dose in nM, response in percent viability)",
    "combinations.csv": "raw combination matrices (conc in uM, response in percent viability)",
    "allelic_segments.tsv": "allele-specific copy-number segments (only with ds.add_genome_phenotypes)",
    "clinical.tsv": "sample sheet (sample_id, tissue, subtype, batch, age, sex, survival)",
    "study.toml": "study file for oncoresist.io.read_study",
    "truth.json": "answer key: mechanisms, flags, true curve parameters, factors, subtypes",
}


def _maf(sim: SimulatedCohort) -> pd.DataFrame:
    v = sim.variants
    strand = "+"
    return pd.DataFrame(
        {
            "Hugo_Symbol": v["gene"],
            "Entrez_Gene_Id": 0,
            "Center": "oncoresist-sim",
            "NCBI_Build": "GRCh38",
            "Chromosome": "chr" + v["chrom"].astype(str),
            "Start_Position": v["start"],
            "End_Position": v["end"],
            "Strand": strand,
            "Variant_Classification": v["variant_class"],
            "Variant_Type": v["variant_type"],
            "Reference_Allele": v["ref"],
            "Tumor_Seq_Allele1": v["ref"],
            "Tumor_Seq_Allele2": v["alt"],
            "Tumor_Sample_Barcode": v["sample"] + "-T",
            "Matched_Norm_Sample_Barcode": v["sample"] + "-N",
            "HGVSc": v["hgvsc"],
            "HGVSp": v["hgvsp"],
            "HGVSp_Short": v["protein_change"],
            "t_depth": v["t_depth"],
            "t_ref_count": v["t_depth"] - v["t_alt_count"],
            "t_alt_count": v["t_alt_count"],
            **({"CONTEXT": v["context"]} if "context" in v.columns else {}),
        }
    )


def _matrix(x: np.ndarray, samples: pd.Index, features: pd.Index, *, label: str) -> pd.DataFrame:
    df = pd.DataFrame(np.asarray(x).T, index=features, columns=samples)
    df.index.name = label
    return df.reset_index()


def _write_tsv_gz(df: pd.DataFrame, path: Path) -> None:
    """Tab-separated, gzip level 1 (fast; reproducible bytes: mtime 0), atomic."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, sep="\t", index=False, na_rep="NaN", compression={"method": "gzip", "compresslevel": 1, "mtime": 0})


def _phospho_toml(sim: SimulatedCohort) -> str:
    """The ``[layers.phospho]`` table when the cohort has a phosphosite modality, else nothing."""
    if "phospho" not in sim.mdata.mod:
        return ""
    return '[layers.phospho]\nkind = "phospho_matrix"\nfile = "phospho.tsv.gz"\norientation = "features_x_samples"\n\n'


def _study_toml(sim: SimulatedCohort) -> str:
    p = sim.truth.params
    name = f"oncoresist simulated cohort (n={p['n_samples']}, seed={p['seed']})"
    return f"""# Written by oncoresist.ds.simulate_cohort(...).write(); the answer key is truth.json.
[study]
name = "{name}"

[samples]
file = "clinical.tsv"
id_column = "sample_id"
survival_time = "survival_time"
survival_event = "survival_event"

[layers.mut]
kind = "maf"
file = "mutations.maf"
sample_pattern = "^(.*)-T$"
sequenced_samples = "sheet"     # every sample was sequenced: no variant = wild type

[layers.cnv]
kind = "cnv_segments"
file = "cnv_segments.seg"
genes = "genes.bed"

[layers.meth]
kind = "matrix"
file = "methylation.tsv.gz"
orientation = "features_x_samples"
annotation_columns = ["gene"]

[layers.rna]
kind = "matrix"
file = "rna_counts.tsv.gz"
orientation = "features_x_samples"
layer_name = "counts"

[layers.prot]
kind = "matrix"
file = "proteomics.tsv.gz"
orientation = "features_x_samples"

{_phospho_toml(sim)}[screen]
file = "drug_screen.csv"

[combinations]
file = "combinations.csv"
"""


def write_genome(genome: dict[str, Any], out: Path) -> tuple[str, dict[str, Any]]:
    """Write ``allelic_segments.tsv`` into ``out``; return the study file's ``[allelic_segments]`` table and the truth."""
    if not genome:
        return "", {}
    write_csv(genome["allelic_segments"], out / "allelic_segments.tsv")
    truth = json.loads(genome["truth"].reset_index(names="sample").to_json(orient="records", double_precision=6))
    exposures = json.loads(genome["exposures"].reset_index(names="sample").to_json(orient="records"))
    return ('\n[allelic_segments]\nfile = "allelic_segments.tsv"\n',
            {"truth": truth, "exposures": exposures, "params": genome["params"], "signatures": genome["signatures"].attrs["source"]})


def write_cohort(sim: SimulatedCohort, directory: PathLike, *, overwrite: bool = False) -> Path:
    """Write ``sim`` into ``directory`` (created if needed); return the ``study.toml`` path.

    Every file is written atomically (temporary file + rename). Files: see :data:`FILES`.

    Raises
    ------
    InputError
        When ``directory`` is a file, or already holds a ``study.toml`` and ``overwrite`` is
        False.
    """
    out = Path(directory).expanduser()
    if out.exists() and not out.is_dir():
        msg = f"cannot write the simulated cohort to '{out}': it is a file, expected a folder; choose another path."
        raise InputError(msg)
    if (out / "study.toml").exists() and not overwrite:
        msg = f"'{out}' already holds a study.toml; pass overwrite=True (CLI: --overwrite) or choose an empty folder."
        raise InputError(msg)
    out.mkdir(parents=True, exist_ok=True)
    m = sim.mdata
    maf = _maf(sim)
    text = "#version 2.4\n" + maf.to_csv(sep="\t", index=False)
    atomic_write_text(out / "mutations.maf", text)
    atomic_write_text(out / "cnv_segments.seg", sim.segments.to_csv(sep="\t", index=False))
    g = sim.genes
    bed = pd.DataFrame(
        {
            "chrom": "chr" + g["chrom"].astype(str),
            "start": g["start"] - 1,
            "end": g["end"],
            "name": g.index,
            "score": 0,
            "strand": g["strand"],
        }
    )
    atomic_write_text(out / "genes.bed", bed.to_csv(sep="\t", index=False, header=False))
    rna = m.mod["rna"]
    _write_tsv_gz(_matrix(rna.layers["counts"], rna.obs_names, rna.var_names, label="gene"), out / "rna_counts.tsv.gz")
    meth = m.mod["meth"]
    mdf = _matrix(np.round(meth.X, 4), meth.obs_names, meth.var_names, label="probe")
    mdf.insert(1, "gene", meth.var["gene"].to_numpy())
    _write_tsv_gz(mdf, out / "methylation.tsv.gz")
    prot = m.mod["prot"]
    _write_tsv_gz(_matrix(np.round(prot.X, 4), prot.obs_names, prot.var_names, label="gene"), out / "proteomics.tsv.gz")
    if "phospho" in m.mod:
        ph = m.mod["phospho"]
        _write_tsv_gz(_matrix(np.round(ph.X, 4), ph.obs_names, ph.var_names, label="site"), out / "phospho.tsv.gz")
    dr = sim.dose_response
    screen = pd.DataFrame(
        {
            "sample": dr["sample"],
            "drug": dr["drug"],
            "dose": np.round(dr["dose"] * 1000.0, 4),
            "unit": "nM",
            "response": np.round(dr["response"] * 100.0, 3),
            "replicate": dr["replicate"],
            "plate": dr["plate"],
            "well": dr["well"],
        }
    )
    write_csv(screen, out / "drug_screen.csv")
    cb = sim.combinations.assign(unit="uM", response=np.round(sim.combinations["response"] * 100.0, 3))
    write_csv(cb[["block", "sample", "drug1", "drug2", "conc1", "conc2", "unit", "response"]], out / "combinations.csv")
    write_csv(sim.clinical.reset_index(), out / "clinical.tsv")
    truth = sim.truth.to_dict()
    evo_toml, evo_truth = write_evolution(sim.evolution, out)
    truth.update({"evolution": evo_truth} if evo_truth else {})
    genome_toml, genome_truth = write_genome(sim.genome, out)
    truth.update({"genome": genome_truth} if genome_truth else {})
    truth["files"] = {k: v for k, v in FILES.items() if (k != "phospho.tsv.gz" or "phospho" in m.mod) and (k != "allelic_segments.tsv" or sim.genome)}
    truth["drugs"] = json.loads(sim.drugs.reset_index(names="drug").to_json(orient="records"))
    atomic_write_text(out / "truth.json", json.dumps(truth, separators=(",", ":")))
    study = out / "study.toml"
    atomic_write_text(study, _study_toml(sim) + evo_toml + genome_toml)
    return study
