"""Readers for every omics layer, the study file and the ``.h5mu`` cohort.

Layer readers return an :class:`anndata.AnnData` with samples as observations (or, for long
formats such as variants and dose-response screens, a tidy :class:`pandas.DataFrame`).
:func:`read_study` reads a TOML study file listing the layer files and assembles one
:class:`mudata.MuData` cohort.
"""

from ._allelic import ALLELIC_COLUMNS, read_allelic_segments
from ._clinical import parse_event, read_clinical
from ._clonal import CLONAL_COLUMNS, read_clonal, read_pyclone, read_vaf_table
from ._cnv import read_cnv_matrix, read_cnv_segments, read_gene_coordinates
from ._ctdna import CTDNA_COLUMNS, read_ctdna
from ._h5mu import read_h5mu, write_h5mu
from ._maf import read_maf
from ._matrix import parse_site_ids, read_matrix, read_phospho_matrix
from ._maxquant import read_maxquant, read_phosphosites
from ._mutmatrix import classify_protein_change, read_mutation_matrix
from ._screen import read_combinations, read_dose_response
from ._study import LAYER_KINDS, build_summary, read_study
from ._timecourse import looks_like_timecourse, read_timecourse
from ._variants import (
    NONSYNONYMOUS_CLASSES,
    normalize_chrom,
    short_protein_change,
    variants_to_anndata,
)
from ._vcf import read_vcf

__all__ = [
    "ALLELIC_COLUMNS",
    "read_allelic_segments",
    "CTDNA_COLUMNS",
    "read_ctdna",
    "CLONAL_COLUMNS",
    "read_clonal",
    "read_pyclone",
    "read_vaf_table",
    "NONSYNONYMOUS_CLASSES",
    "normalize_chrom",
    "read_cnv_matrix",
    "read_cnv_segments",
    "read_gene_coordinates",
    "read_maf",
    "read_vcf",
    "short_protein_change",
    "variants_to_anndata",
    "LAYER_KINDS",
    "parse_site_ids",
    "read_matrix",
    "read_phospho_matrix",
    "read_maxquant",
    "read_phosphosites",
    "read_dose_response",
    "read_combinations",
    "read_timecourse",
    "looks_like_timecourse",
    "read_clinical",
    "parse_event",
    "build_summary",
    "classify_protein_change",
    "read_h5mu",
    "read_mutation_matrix",
    "read_study",
    "write_h5mu",
]
