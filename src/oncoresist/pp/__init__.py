"""Preprocessing per layer: QC, normalisation, imputation, batch correction, feature selection."""

from ._batch import batch_r2, batch_variance, combat, combat_matrix
from ._detect import DATA_TYPES, detect_data_type, detect_with_confidence, log_transform
from ._dtype import ASSAYS, DataTypeWarning, layer_assay, layer_data_type
from ._features import select_features
from ._impute import filter_missing, impute, lowrank_impute
from ._normalize import (
    binarize_mutations,
    cnv_calls,
    mvalues,
    normalize_counts,
    normalize_metabolomics,
    normalize_proteomics,
    size_factors,
    vst,
)
from ._preprocess import preprocess

__all__ = [
    "ASSAYS",
    "DATA_TYPES",
    "DataTypeWarning",
    "batch_r2",
    "batch_variance",
    "binarize_mutations",
    "cnv_calls",
    "combat",
    "combat_matrix",
    "detect_data_type",
    "detect_with_confidence",
    "filter_missing",
    "impute",
    "layer_assay",
    "layer_data_type",
    "log_transform",
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
