"""Preprocessing per layer: QC, normalisation, imputation, batch correction, feature selection."""

__all__: list[str] = []
from ._batch import batch_r2, batch_variance, combat, combat_matrix  # noqa: E402
from ._features import select_features  # noqa: E402
from ._impute import filter_missing, impute, lowrank_impute  # noqa: E402
from ._normalize import (  # noqa: E402
    binarize_mutations,
    cnv_calls,
    mvalues,
    normalize_counts,
    normalize_metabolomics,
    normalize_proteomics,
    size_factors,
    vst,
)
from ._preprocess import preprocess  # noqa: E402

__all__ += [
    "batch_r2",
    "batch_variance",
    "binarize_mutations",
    "cnv_calls",
    "combat",
    "combat_matrix",
    "filter_missing",
    "impute",
    "lowrank_impute",
    "mvalues",
    "normalize_counts",
    "normalize_metabolomics",
    "normalize_proteomics",
    "preprocess",
    "select_features",
    "size_factors",
    "vst",
]
