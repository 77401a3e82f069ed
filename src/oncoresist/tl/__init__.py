# ruff: noqa: F401  (the TYPE_CHECKING imports document the lazy names for type checkers)
"""Tools: screens (curves, synergy), genome-wide biomarkers (TMB, MSI, signatures), integration (factors, subtypes), biomarker association, models, clones.

Names are imported on first use (PEP 562), so ``oncoresist curves`` does not pay for scikit-learn
and the factor model. The subpackages hold the code: ``screen``, ``integrate``, ``association``,
``models``, ``clonal``; the public names stay here, flat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core._lazy import lazy_exports

#: public name -> module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    "BIOMARKER_COLUMNS": ".biomarkers._cohort",
    "MSIClassifier": ".biomarkers._msi",
    "MSI_INDEL_THRESHOLD": ".biomarkers._msi",
    "SBS96_CHANNELS": ".biomarkers._signatures",
    "TMB_HIGH_CUTOFF": ".biomarkers._tmb",
    "biomarker_table": ".biomarkers._cohort",
    "add_biomarkers": ".biomarkers._cohort",
    "add_signatures": ".biomarkers._signatures_mod",
    "fit_msi_classifier": ".biomarkers._msi",
    "GRCH38_CENTROMERES": ".biomarkers._centromeres",
    "HRD_COLUMNS": ".biomarkers._hrd",
    "HRD_HIGH_CUTOFF": ".biomarkers._hrd",
    "hrd_scores": ".biomarkers._hrd",
    "hrd_table": ".biomarkers._hrd",
    "brca_altered": ".biomarkers._hrd",
    "hrd_status": ".biomarkers._hrd",
    "fit_signatures": ".biomarkers._signatures",
    "has_sequence_context": ".biomarkers._signatures",
    "msi_features": ".biomarkers._msi",
    "msi_status": ".biomarkers._msi",
    "nnls_batch": ".biomarkers._signatures",
    "read_signatures": ".biomarkers._signatures",
    "sbs96_catalogue": ".biomarkers._signatures",
    "sbs6_spectrum": ".biomarkers._signatures",
    "add_sequence_context": ".biomarkers._signatures",
    "SBS6_CLASSES": ".biomarkers._signatures",
    "tumour_mutational_burden": ".biomarkers._tmb",
    "ACTIVITY_METHODS": ".functional",
    "MCP_MARKERS": ".functional._tme",
    "activity": ".functional._activity",
    "nnls_fractions": ".functional._tme",
    "tme": ".functional._tme",
    "network_matrix": ".functional._activity",
    "match_sites": ".functional._sites",
    "window_core": ".functional._sites",
    "CURVE_COLUMNS": ".screen._curves",
    "ClonalClusters": ".clonal._cluster",
    "cancer_cell_fractions": ".clonal._ccf",
    "clone_trees": ".clonal._trees",
    "clones": ".clonal._cohort",
    "cluster_mutations": ".clonal._cluster",
    "CLASSIFIER_NAMES": ".models._classify",
    "CVResult": ".models._evaluate",
    "ClassificationCVResult": ".models._classify_train",
    "ConsensusResult": ".integrate._subtypes",
    "DEFAULT_BOUNDS": ".screen._curves",
    "DRUG_LAYERS": ".screen._drug_layer",
    "DrugResponseModels": ".models._model_io",
    "EarlyIntegrationClassifier": ".models._classify",
    "EarlyIntegrationRegressor": ".models._models",
    "EnsembleRegressor": ".models._models",
    "FactorRegressor": ".models._models",
    "GroupFactorAnalysis": ".integrate._factors",
    "LateIntegrationClassifier": ".models._classify",
    "LateIntegrationRegressor": ".models._models",
    "LayerPreprocessor": ".models._models_data",
    "MODEL_NAMES": ".models._models",
    "PanDrugRegressor": ".models._models",
    "SelectRegressor": ".models._models",
    "PenalizedCox": ".models._survival",
    "SYNERGY_METHODS": ".screen._synergy",
    "SparsePLSDAClassifier": ".models._classify",
    "SurvivalCVResult": ".models._survival",
    "add_drug_layer": ".screen._drug_layer",
    "metric_higher_is": ".screen._drug_layer",
    "affinity_matrix": ".integrate._subtypes",
    "associate": ".association._associate",
    "association_test": ".association._associate",
    "build_study": "._build",
    "classification_data": ".models._classify_train",
    "classification_metrics": ".models._classify_train",
    "consensus_clustering": ".integrate._subtypes",
    "cross_layer_effects": ".association._associate",
    "cross_validate_classifier": ".models._classify_train",
    "cross_validate_drugs": ".models._evaluate",
    "cross_validate_response": ".models._evaluate",
    "cross_validate_survival": ".models._survival",
    "cv_folds": ".models._evaluate",
    "dropped_report": ".models._survival",
    "drug_descriptors": ".models._models_data",
    "drug_layer": ".screen._drug_layer",
    "dss_scores": ".screen._curves",
    "DIP_COLUMNS": ".screen._dip",
    "dip_curves": ".screen._dip",
    "dip_rates": ".screen._dip",
    "factors": ".integrate._factors",
    "feature_frame": ".models._models_data",
    "fit_curves": ".screen._curves",
    "gr_values": ".screen._growth",
    "get_associations": ".association._associate",
    "get_factors": ".integrate._factors",
    "hill_response": ".screen._curves",
    "integration_associations": ".integrate._subtypes",
    "load_factor_model": ".integrate._factors",
    "load_model": ".models._model_io",
    "logrank_test": ".integrate._subtypes",
    "make_classifier": ".models._classify",
    "make_model": ".models._models",
    "modality_matrix": ".integrate._factors",
    "normalize_plates": "..pp._plates",
    "project_factors": ".integrate._factors",
    "regression_metrics": ".models._evaluate",
    "resolve_drugs": ".models._models_data",
    "response_frame": ".models._models_data",
    "save_model": ".models._model_io",
    "snf": ".integrate._subtypes",
    "spectral_labels": ".integrate._subtypes",
    "spls_blocks": ".models._classify",
    "subtypes": ".integrate._subtypes",
    "survival": ".models._survival",
    "survival_data": ".models._survival",
    "survival_samples": ".models._survival",
    "survival_target": ".models._survival",
    "synergy": ".screen._synergy",
    "train_classifier": ".models._classify_train",
    "store_classification": ".models._classify_store",
    "train_models": ".models._model_io",
    "train_survival": ".models._model_io",
    "z_prime": "..pp._plates",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from ..pp._plates import normalize_plates, z_prime
    from ._build import build_study
    from .association._associate import (
        associate,
        association_test,
        cross_layer_effects,
        get_associations,
    )
    from .biomarkers._centromeres import GRCH38_CENTROMERES
    from .biomarkers._cohort import BIOMARKER_COLUMNS, add_biomarkers, biomarker_table
    from .biomarkers._hrd import (
        HRD_COLUMNS,
        HRD_HIGH_CUTOFF,
        brca_altered,
        hrd_scores,
        hrd_status,
        hrd_table,
    )
    from .biomarkers._msi import (
        MSI_INDEL_THRESHOLD,
        MSIClassifier,
        fit_msi_classifier,
        msi_features,
        msi_status,
    )
    from .biomarkers._signatures import (
        SBS6_CLASSES,
        SBS96_CHANNELS,
        add_sequence_context,
        fit_signatures,
        has_sequence_context,
        nnls_batch,
        read_signatures,
        sbs6_spectrum,
        sbs96_catalogue,
    )
    from .biomarkers._signatures_mod import add_signatures
    from .biomarkers._tmb import TMB_HIGH_CUTOFF, tumour_mutational_burden
    from .clonal._ccf import cancer_cell_fractions
    from .clonal._cluster import ClonalClusters, cluster_mutations
    from .clonal._cohort import clones
    from .clonal._trees import clone_trees
    from .functional import ACTIVITY_METHODS
    from .functional._activity import activity, network_matrix
    from .functional._sites import match_sites, window_core
    from .functional._tme import MCP_MARKERS, nnls_fractions, tme
    from .integrate._factors import (
        GroupFactorAnalysis,
        factors,
        get_factors,
        load_factor_model,
        modality_matrix,
        project_factors,
    )
    from .integrate._subtypes import (
        ConsensusResult,
        affinity_matrix,
        consensus_clustering,
        integration_associations,
        logrank_test,
        snf,
        spectral_labels,
        subtypes,
    )
    from .models._classify import (
        CLASSIFIER_NAMES,
        EarlyIntegrationClassifier,
        LateIntegrationClassifier,
        SparsePLSDAClassifier,
        make_classifier,
        spls_blocks,
    )
    from .models._classify_store import store_classification
    from .models._classify_train import (
        ClassificationCVResult,
        classification_data,
        classification_metrics,
        cross_validate_classifier,
        train_classifier,
    )
    from .models._evaluate import (
        CVResult,
        cross_validate_drugs,
        cross_validate_response,
        cv_folds,
        regression_metrics,
    )
    from .models._model_io import (
        DrugResponseModels,
        load_model,
        save_model,
        train_models,
        train_survival,
    )
    from .models._models import (
        MODEL_NAMES,
        EarlyIntegrationRegressor,
        EnsembleRegressor,
        FactorRegressor,
        LateIntegrationRegressor,
        PanDrugRegressor,
        SelectRegressor,
        make_model,
    )
    from .models._models_data import (
        LayerPreprocessor,
        drug_descriptors,
        feature_frame,
        resolve_drugs,
        response_frame,
    )
    from .models._survival import (
        PenalizedCox,
        SurvivalCVResult,
        cross_validate_survival,
        dropped_report,
        survival,
        survival_data,
        survival_samples,
        survival_target,
    )
    from .screen._curves import CURVE_COLUMNS, DEFAULT_BOUNDS, dss_scores, fit_curves, hill_response
    from .screen._dip import DIP_COLUMNS, dip_curves, dip_rates
    from .screen._drug_layer import DRUG_LAYERS, add_drug_layer, drug_layer, metric_higher_is
    from .screen._growth import gr_values
    from .screen._synergy import SYNERGY_METHODS, synergy


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
