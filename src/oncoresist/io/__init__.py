# ruff: noqa: F401  (the TYPE_CHECKING imports document the lazy names for type checkers)
"""Readers for every omics layer, the study file and the ``.h5mu`` cohort.

Layer readers return an :class:`anndata.AnnData` with samples as observations (or, for long
formats such as variants and dose-response screens, a tidy :class:`pandas.DataFrame`).
:func:`read_study` reads a TOML study file listing the layer files and assembles one
:class:`mudata.MuData` cohort.

Names are imported on first use (PEP 562), so ``oncoresist curves`` reads its screen without
importing anndata / mudata (and, through anndata, dask) for the other readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core._lazy import lazy_exports

#: public name -> module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    "ALLELIC_COLUMNS": "._allelic",
    "read_allelic_segments": "._allelic",
    "parse_event": "._clinical",
    "read_clinical": "._clinical",
    "FastaReference": "._fasta",
    "CLONAL_COLUMNS": "._clonal",
    "read_clonal": "._clonal",
    "read_pyclone": "._clonal",
    "read_vaf_table": "._clonal",
    "read_cnv_matrix": "._cnv",
    "read_cnv_segments": "._cnv",
    "read_gene_coordinates": "._cnv",
    "CTDNA_COLUMNS": "._ctdna",
    "read_ctdna": "._ctdna",
    "read_h5mu": "._h5mu",
    "write_h5mu": "._h5mu",
    "read_maf": "._maf",
    "parse_site_ids": "._matrix",
    "read_matrix": "._matrix",
    "read_phospho_matrix": "._matrix",
    "read_maxquant": "._maxquant",
    "read_phosphosites": "._maxquant",
    "classify_protein_change": "._mutmatrix",
    "read_mutation_matrix": "._mutmatrix",
    "read_combinations": "._screen",
    "read_dose_response": "._screen",
    "LAYER_KINDS": "._study",
    "build_summary": "._study",
    "read_study": "._study",
    "looks_like_timecourse": "._timecourse",
    "read_timecourse": "._timecourse",
    "NONSYNONYMOUS_CLASSES": "._variants",
    "normalize_chrom": "._variants",
    "short_protein_change": "._variants",
    "variants_to_anndata": "._variants",
    "read_vcf": "._vcf",
}

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
    "FastaReference",
    "build_summary",
    "classify_protein_change",
    "read_h5mu",
    "read_mutation_matrix",
    "read_study",
    "write_h5mu",
]

if TYPE_CHECKING:  # pragma: no cover
    from ._allelic import ALLELIC_COLUMNS, read_allelic_segments
    from ._clinical import parse_event, read_clinical
    from ._clonal import CLONAL_COLUMNS, read_clonal, read_pyclone, read_vaf_table
    from ._cnv import read_cnv_matrix, read_cnv_segments, read_gene_coordinates
    from ._ctdna import CTDNA_COLUMNS, read_ctdna
    from ._fasta import FastaReference
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
