"""Model inputs: feature and response matrices from a cohort, and the per-layer preprocessor.

Every response model takes one samples x features table whose columns are named
``"<layer>:<feature>"`` (``"rna:EGFR"``, ``"mut:KRAS"``, ``"obs:tissue=lung"``). The layer prefix
is what lets a single estimator scale, filter and report importances per layer, and lets a saved
model tell which layers a new patient lacks. :func:`feature_frame` builds that table from a
MuData (samples missing a layer get NaN in all of that layer's columns); :func:`response_frame`
builds the samples x drugs response table.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, TypeVar, dataclass_transform

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ..._core._docs import doc_params
from ..._core._errors import InputError
from ..._core._stats import nanmedian_columns
from ._docs import FRAGMENTS

__all__ = [
    "LayerPreprocessor",
    "drug_descriptors",
    "feature_frame",
    "response_frame",
    "resolve_drugs",
    "split_feature_names",
]

#: Modalities that hold responses, not features.
RESPONSE_MODALITIES = ("drug",)
SEP = ":"


# --------------------------------------------------------------------------------------------
# matrices from a cohort
# --------------------------------------------------------------------------------------------
def _dense(x: Any) -> np.ndarray:
    if hasattr(x, "toarray"):
        x = x.toarray()
    return np.asarray(x, dtype=float)


def layer_values(mdata: Any, layer: str, *, matrix: str | None = None) -> pd.DataFrame:
    """Return one modality as a dense samples x features DataFrame (float, NaN kept).

    Parameters
    ----------
    mdata
        The cohort (:class:`mudata.MuData`).
    layer
        Modality name (``"rna"``, ``"mut"``, ``"drug"``, ...).
    matrix
        ``None`` for ``.X`` or the name of one of the modality's ``.layers`` (e.g. ``"auc"``).

    Returns
    -------
    pandas.DataFrame
        One row per sample (a repeated sample ID keeps its first row, with a warning).
    """
    mods = getattr(mdata, "mod", None)
    if mods is None:
        msg = f"expected a MuData cohort with modalities, got {type(mdata).__name__}; build one with oncoresist.io.read_study."
        raise InputError(msg)
    if layer not in mods:
        msg = f"the cohort has no '{layer}' layer (found: {', '.join(mods) or 'none'}); pick one of those layers."
        raise InputError(msg)
    ad = mods[layer]
    if matrix is None:
        values = ad.X
    else:
        if matrix not in ad.layers:
            found = ", ".join(ad.layers.keys()) or "none"
            msg = f"the '{layer}' layer has no matrix '{matrix}' in .layers (found: {found}); use one of those or omit it for .X."
            raise InputError(msg)
        values = ad.layers[matrix]
    if values is None:
        msg = f"the '{layer}' layer has no data matrix (.X is empty); rebuild the cohort."
        raise InputError(msg)
    df = pd.DataFrame(_dense(values), index=ad.obs_names.astype(str), columns=ad.var_names.astype(str))
    dup = df.index.duplicated()
    if dup.any():
        shown = ", ".join(df.index[dup].unique()[:3])
        warnings.warn(f"the '{layer}' layer has {int(dup.sum())} repeated sample row(s) ({shown}); the first row of each "
                      "sample is used. Aggregate replicates when building the cohort.", UserWarning, stacklevel=2)
        df = df.loc[~dup]
    return df


def copy_cohort(mdata: Any) -> Any:
    """``mdata.copy()`` without mudata's benign warnings about feature names shared across layers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*var_names are intersecting.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*names are not unique.*", category=UserWarning)
        return mdata.copy()


def feature_modalities(mdata: Any) -> list[str]:
    """Modalities of ``mdata`` that hold features (every one but the response layers)."""
    return [m for m in mdata.mod if m not in RESPONSE_MODALITIES]


def obs_column(mdata: Any, key: str) -> pd.Series:
    """Return a sample annotation from ``mdata.obs`` (or any modality's ``obs``) by name.

    Accepts ``"tissue"`` or ``"rna:tissue"`` (MuData's prefixed copies).
    """
    obs = mdata.obs
    if key in obs.columns:
        return obs[key]
    for mod_name, ad in mdata.mod.items():
        if key in ad.obs.columns:
            return ad.obs[key].reindex(obs.index)
        if key.startswith(f"{mod_name}:") and key.split(":", 1)[1] in ad.obs.columns:
            return ad.obs[key.split(":", 1)[1]].reindex(obs.index)
    shown = ", ".join(map(str, list(obs.columns)[:15])) or "none"
    close = difflib.get_close_matches(key, [str(c) for c in obs.columns], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    msg = f"sample annotation '{key}' not found in the cohort's obs{hint}; found: {shown}. Add it to the sample sheet or pick another column."
    raise InputError(msg)


def feature_frame(
    mdata: Any,
    *,
    layers: Sequence[str] | None = None,
    samples: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    matrices: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Samples x features table of several layers, columns named ``"<layer>:<feature>"``.

    Parameters
    ----------
    mdata
        The cohort.
    layers
        Modalities to use (default: every modality except ``drug``).
    samples
        Rows to return, in this order (default: every sample of the cohort). A sample absent
        from a layer gets NaN in all of that layer's columns.
    obs_features
        Sample annotations to add as features (layer ``obs``): numeric columns as they are,
        categorical ones one-hot encoded (``"obs:tissue=lung"``).
    matrices
        Per-layer matrix to use instead of ``.X``, e.g. ``{"meth": "mvalue"}``.

    Returns
    -------
    pandas.DataFrame
        Float table, NaN where a value (or a whole layer) is missing.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rna = ad.AnnData(np.ones((2, 2)), obs=pd.DataFrame(index=["s1", "s2"]),
    ...                  var=pd.DataFrame(index=["EGFR", "KRAS"]))
    >>> feature_frame(md.MuData({"rna": rna})).columns.tolist()
    ['rna:EGFR', 'rna:KRAS']
    """
    if layers is None:
        layers = feature_modalities(mdata)
    elif isinstance(layers, str):
        layers = [layers]
    index = pd.Index(mdata.obs_names.astype(str)) if samples is None else pd.Index([str(s) for s in samples])
    matrices = dict(matrices or {})
    blocks = []
    for layer in layers:
        df = layer_values(mdata, layer, matrix=matrices.get(layer))
        df = df.loc[~df.index.duplicated()]
        df = df.reindex(index)
        df.columns = [f"{layer}{SEP}{c}" for c in df.columns]
        blocks.append(df)
    for key in obs_features or []:
        s = obs_column(mdata, key).reindex(index)
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            blocks.append(pd.DataFrame({f"obs{SEP}{key}": s.astype(float)}, index=index))
        else:
            dummies = pd.get_dummies(s.astype("string"), prefix=f"obs{SEP}{key}", prefix_sep="=", dtype=float)
            dummies[s.isna().to_numpy()] = np.nan
            blocks.append(dummies)
    if not blocks:
        msg = "no feature layers selected: the cohort has only response layers; add omics layers (mut, cnv, rna, ...)."
        raise InputError(msg)
    out = pd.concat(blocks, axis=1)
    out.index.name = None
    return out.astype(float)


def response_frame(mdata: Any, *, metric: str | None = None, modality: str = "drug") -> pd.DataFrame:
    """Samples x drugs response table (``.X`` of the drug layer, or one of its ``.layers``).

    Parameters
    ----------
    mdata
        The cohort.
    metric
        ``None`` for the drug layer's ``.X`` (normalised AUC, lower = more sensitive) or a
        ``.layers`` key such as ``"ic50_uM"``, ``"log10_ic50"``, ``"aac"``.
    modality
        Name of the response modality.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> drug = ad.AnnData(np.array([[0.2], [np.nan]]), obs=pd.DataFrame(index=["s1", "s2"]),
    ...                   var=pd.DataFrame(index=["gefitinib"]))
    >>> response_frame(md.MuData({"drug": drug})).shape
    (2, 1)
    """
    return layer_values(mdata, modality, matrix=metric)


def drug_descriptors(mdata: Any, *, columns: Sequence[str] | None = None, modality: str = "drug",
                     max_levels: int = 200) -> pd.DataFrame:
    """Drug descriptors from the drug layer's annotation: multi-hot of targets, pathway, class...

    Text columns of ``mdata[modality].var`` are split on ``,`` / ``;`` / ``|`` and one-hot
    encoded (``"targets=EGFR"``); numeric columns are kept as they are. Used by the pan-drug
    model to predict drugs it never saw (drug-blind evaluation).

    Parameters
    ----------
    mdata
        The cohort.
    columns
        Annotation columns to use (default: every column with 2 to ``max_levels`` distinct tokens).
    modality
        Drug modality.
    max_levels
        Skip text columns with more distinct tokens (free text such as names or SMILES).

    Returns
    -------
    pandas.DataFrame
        Drugs x descriptors (float).
    """
    var = mdata.mod[modality].var
    cols = list(var.columns) if columns is None else list(columns)
    blocks = []
    for c in cols:
        if c not in var.columns:
            msg = f"drug annotation column '{c}' not found (found: {', '.join(map(str, var.columns)) or 'none'})."
            raise InputError(msg)
        s = var[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if s.nunique() > 1:
                blocks.append(pd.DataFrame({str(c): s.astype(float).fillna(s.median())}, index=var.index))
            continue
        tokens = s.astype(str).str.split(r"\s*[,;|]\s*")
        levels = sorted({t for ts in tokens for t in ts if t and t.lower() not in ("nan", "none", "")})
        if not 2 <= len(levels) <= max_levels:
            continue
        blocks.append(pd.DataFrame([[float(lv in set(ts)) for lv in levels] for ts in tokens],
                                   index=var.index, columns=[f"{c}={lv}" for lv in levels]))
    if not blocks:
        msg = (f"the '{modality}' layer has no usable drug annotation (columns: {', '.join(map(str, var.columns)) or 'none'}); "
               "add targets / pathway columns or pass drug_features.")
        raise InputError(msg)
    out = pd.concat(blocks, axis=1)
    out.index = out.index.astype(str)
    return out


def resolve_drugs(mdata: Any, names: Sequence[str] | None, *, modality: str = "drug") -> list[str]:
    """Map user-given drug names to the drug layer's IDs (case-insensitive; var ``name``/``synonyms``).

    ``None`` returns every drug. Unknown names raise :class:`InputError` with the closest matches.
    """
    if modality not in mdata.mod:
        msg = f"the cohort has no '{modality}' layer (found: {', '.join(mdata.mod)}); build it with a drug screen or drug matrix."
        raise InputError(msg)
    var = mdata.mod[modality].var
    ids = [str(v) for v in var.index]
    if names is None:
        return ids
    if isinstance(names, str):
        names = [names]
    lookup: dict[str, str] = {}
    for col in ("name", "drug_name", "Name", "synonyms", "Synonyms"):
        if col in var.columns:
            for vid, val in zip(ids, var[col].astype(str)):
                for token in str(val).split(","):
                    lookup.setdefault(token.strip().lower(), vid)
    for vid in ids:
        lookup[vid.lower()] = vid
    out = []
    for n in names:
        key = str(n).strip().lower()
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=3)
            hint = f" Closest: {', '.join(lookup[c] for c in close)}." if close else ""
            msg = f"drug '{n}' is not in the cohort's '{modality}' layer ({len(ids)} drugs).{hint} Check the spelling or use --all."
            raise InputError(msg)
        if lookup[key] not in out:
            out.append(lookup[key])
    return out


def drop_samples(index: pd.Index, exclude: Sequence[str] | None) -> pd.Index:
    """``index`` without the samples of ``exclude``; an ID that is not in ``index`` is an error.

    Examples
    --------
    >>> drop_samples(pd.Index(["s1", "s2", "s3"]), ["s2"]).tolist()
    ['s1', 's3']
    """
    if not exclude:
        return index
    wanted = [str(s).strip() for s in ([exclude] if isinstance(exclude, str) else exclude) if str(s).strip()]
    unknown = [s for s in wanted if s not in set(index)]
    if unknown:
        close = difflib.get_close_matches(unknown[0], [str(i) for i in index], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        msg = (f"sample(s) to exclude not in the cohort: {', '.join(unknown[:5])}{hint}; give sample IDs as in the "
               "cohort's obs_names.")
        raise InputError(msg)
    return index[~index.isin(wanted)]


def split_feature_names(columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Split ``"layer:feature"`` names into layer and feature arrays (no prefix -> layer ``"X"``).

    Examples
    --------
    >>> split_feature_names(["rna:EGFR", "age"])
    (array(['rna', 'X'], dtype=object), array(['EGFR', 'age'], dtype=object))
    """
    layers, feats = [], []
    for c in columns:
        c = str(c)
        if SEP in c:
            a, b = c.split(SEP, 1)
        else:
            a, b = "X", c
        layers.append(a)
        feats.append(b)
    return np.asarray(layers, dtype=object), np.asarray(feats, dtype=object)


def column_names(X: Any) -> np.ndarray:
    """Column names of a DataFrame, or ``x0, x1, ...`` for an array."""
    if isinstance(X, pd.DataFrame):
        return np.asarray([str(c) for c in X.columns], dtype=object)
    n = np.asarray(X).shape[1]
    return np.asarray([f"x{i}" for i in range(n)], dtype=object)


MISSING_MODES = ("error", "impute")


def checked_values(X: Any) -> np.ndarray:
    """Numeric 2-D values of ``X``: NaN allowed (missing), inf, complex, sparse and 1-D input rejected."""
    if isinstance(X, pd.DataFrame) and X.shape[1] and all(
        isinstance(d, np.dtype) and d.kind in "fiu" for d in set(X.dtypes)
    ):
        # plain numeric columns: one conversion instead of check_array's per-column dtype checks
        X = X.to_numpy(dtype=float)
    return check_array(X, dtype=float, ensure_all_finite="allow-nan", ensure_min_samples=1, ensure_min_features=1)


def align_features(est: Any, X: Any, *, missing: str = "error") -> pd.DataFrame:
    """``X`` as a frame with the columns of ``est.feature_names_in_``, checked against fit.

    A DataFrame may list the columns in any order; columns the model was fitted on but ``X``
    lacks raise an :class:`InputError` naming them, unless ``missing="impute"`` (they are
    then missing values, imputed downstream). An array must have as many columns as in fit.
    """
    if missing not in MISSING_MODES:
        msg = f"missing must be 'error' or 'impute', got {missing!r}."
        raise InputError(msg)
    expected = est.feature_names_in_
    A = checked_values(X)
    if not isinstance(X, pd.DataFrame):
        if A.shape[1] != est.n_features_in_:
            msg = (f"X has {A.shape[1]} features, but {type(est).__name__} is expecting {est.n_features_in_} "
                   "features as input; pass a DataFrame with the model's feature names.")
            raise InputError(msg)
        return pd.DataFrame(A, columns=expected)
    frame = pd.DataFrame(A, index=X.index, columns=column_names(X))
    if len(frame.columns) == len(expected) and np.all(frame.columns.to_numpy() == expected):
        return frame
    absent = [c for c in expected if c not in set(frame.columns)]
    if absent and missing == "error":
        msg = (f"X lacks {len(absent)} of the {len(expected)} features {type(est).__name__} was fitted on "
               f"({', '.join(absent[:5])}{' ...' if len(absent) > 5 else ''}); pass them, or set "
               "missing='impute' to treat them as missing values.")
        raise InputError(msg)
    return frame.reindex(columns=list(expected))


_Est = TypeVar("_Est")


@dataclass_transform(eq_default=False)
def estimator_params(cls: type[_Est]) -> type[_Est]:
    """Declare a scikit-learn estimator whose annotated class fields are its parameters.

    The class becomes a dataclass whose generated ``__init__`` only stores the parameters (as
    scikit-learn requires; fields after ``_: KW_ONLY`` are keyword-only), keeping the
    estimator's own ``repr`` and identity comparison; placeholder lines of its docstring
    (``{doc_missing}``, ``{doc_response_table}`` ...) are filled with the fragments of ``_docs``.
    """
    return doc_params(**FRAGMENTS)(dataclass(eq=False, repr=False)(cls))


class AllowNaNMixin:
    """Estimator mixin: missing values (NaN) are part of the intended input (the ``allow_nan`` tag).

    Put it first among the bases (``class M(AllowNaNMixin, RegressorMixin, BaseEstimator)``).
    """

    def __sklearn_tags__(self) -> Any:
        """Estimator tags: missing values (NaN) are part of the intended input."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]  # defined by the estimator's BaseEstimator
        tags.input_tags.allow_nan = True
        return tags


# --------------------------------------------------------------------------------------------
# preprocessing fitted inside each training fold
# --------------------------------------------------------------------------------------------
@estimator_params
class LayerPreprocessor(AllowNaNMixin, TransformerMixin, BaseEstimator):
    """Filter, impute, standardise and weight features per layer (fitted on training data only).

    Steps, all learned in :meth:`fit`: keep the requested layers; drop features missing in more
    than ``max_missing`` of the training samples, constant features and binary features with
    fewer than ``min_binary_count`` carriers; optionally keep the ``max_features_per_layer``
    most variable features of each layer; impute remaining gaps with the training median;
    standardise; and, with ``layer_scaling="block"``, divide each layer by the square root of
    its number of features so that every layer has the same total variance (multiple factor
    analysis weighting), whatever its size.

    Parameters
    ----------
    layers
        Layers to keep (``None`` = all). Column names must be ``"<layer>:<feature>"``.
    max_missing
        Largest fraction of missing training values a feature may have.
    min_binary_count
        Smallest number of carriers (and non-carriers) a 0/1 feature needs.
    max_features_per_layer
        Keep only this many most variable features per layer (``None`` = all).
    layer_scaling
        ``"block"`` (equal total variance per layer) or ``"none"``.
    missing
        ``"error"`` (default): :meth:`transform` of a table lacking fitted columns raises an
        error naming them; ``"impute"``: such columns are missing values (training medians).

    Attributes
    ----------
    feature_names_in_ : ndarray
        Columns seen in :meth:`fit`.
    kept_ : ndarray of bool
        Which input columns are used.
    feature_names_out_ : ndarray
        Names of the kept columns.
    layers_out_ : ndarray
        Layer of each kept column.
    dropped_ : dict
        Number of columns dropped per reason.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"rna:A": [1.0, 2.0, np.nan], "rna:B": [0.0, 0.0, 0.0]})
    >>> LayerPreprocessor().fit(X).feature_names_out_.tolist()
    ['rna:A']
    """

    _: KW_ONLY
    layers: Sequence[str] | None = None
    max_missing: float = 0.5
    min_binary_count: int = 3
    max_features_per_layer: int | None = None
    layer_scaling: str = "block"
    missing: str = "error"

    def fit(self, X: Any, y: Any = None) -> LayerPreprocessor:
        """Learn which features to keep and their medians, means, scales and layer weights."""
        if self.layer_scaling not in ("block", "none"):
            msg = f"layer_scaling must be 'block' or 'none', got {self.layer_scaling!r}."
            raise InputError(msg)
        A = checked_values(X)
        names = column_names(A if not isinstance(X, pd.DataFrame) else X)
        self.feature_names_in_ = names
        self.n_features_in_ = A.shape[1]
        layer_of, _ = split_feature_names(names)
        keep = np.ones(A.shape[1], dtype=bool)
        dropped: dict[str, int] = {}
        if self.layers is not None:
            wanted = {self.layers} if isinstance(self.layers, str) else set(self.layers)
            in_layers = np.isin(layer_of, list(wanted))
            dropped["other_layer"] = int((~in_layers).sum())
            keep &= in_layers
            if not keep.any():
                msg = f"none of the features belong to layer(s) {sorted(wanted)}; found layers {sorted(set(layer_of))}. Pick layers present in the cohort."
                raise InputError(msg)
        finite = np.isfinite(A)
        miss = 1.0 - finite.mean(axis=0)
        too_missing = keep & (miss > self.max_missing)
        dropped["missing"] = int(too_missing.sum())
        keep &= ~too_missing
        with np.errstate(invalid="ignore"):
            med = nanmedian_columns(np.where(finite, A, np.nan)[:, keep]) if keep.any() else np.array([])
        medians = np.zeros(A.shape[1])
        medians[keep] = med
        filled = np.where(finite, A, medians)
        sd = filled.std(axis=0)
        constant = keep & ~(sd > 1e-12)
        dropped["constant"] = int(constant.sum())
        keep &= ~constant
        binary = np.all(np.isin(np.where(finite, A, 0.0), (0.0, 1.0)), axis=0)
        n_pos = np.nansum(np.where(finite, A, 0.0), axis=0)
        n_obs = finite.sum(axis=0)
        rare = keep & binary & ((n_pos < self.min_binary_count) | (n_obs - n_pos < self.min_binary_count))
        dropped["rare_binary"] = int(rare.sum())
        keep &= ~rare
        if self.max_features_per_layer is not None:
            k = int(self.max_features_per_layer)
            low_var = np.zeros_like(keep)
            for lay in np.unique(layer_of[keep]):
                idx = np.where(keep & (layer_of == lay))[0]
                if len(idx) > k:
                    order = idx[np.argsort(-sd[idx], kind="stable")]
                    low_var[order[k:]] = True
            dropped["low_variance"] = int(low_var.sum())
            keep &= ~low_var
        if not keep.any():
            msg = (
                f"no usable features left after filtering ({A.shape[0]} samples, {A.shape[1]} features; dropped: "
                f"{', '.join(f'{k}={v}' for k, v in dropped.items() if v)}); use more samples or relax the filters."
            )
            raise InputError(msg)
        self.kept_ = keep
        self.medians_ = medians[keep]
        self.means_ = filled[:, keep].mean(axis=0)
        self.scales_ = sd[keep]
        self.feature_names_out_ = names[keep]
        self.layers_out_ = layer_of[keep]
        weights = np.ones(int(keep.sum()))
        if self.layer_scaling == "block":
            for lay in np.unique(self.layers_out_):
                m = self.layers_out_ == lay
                weights[m] = 1.0 / np.sqrt(m.sum())
        self.layer_weights_ = weights
        self.binary_ = binary[keep]
        self.dropped_ = dropped
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Apply the learned filtering, imputation, standardisation and layer weights."""
        check_is_fitted(self, "kept_")
        A = self._align(X)
        A = A[:, self.kept_]
        A = np.where(np.isfinite(A), A, self.medians_)
        return (A - self.means_) / self.scales_ * self.layer_weights_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "kept_")
        return self.feature_names_out_.copy()

    def _align(self, X: Any) -> np.ndarray:
        """Values of ``X`` in the fitted column order (see :func:`align_features`)."""
        # sets, not np.setdiff1d: on object arrays that compares every pair (seconds per call)
        if isinstance(X, pd.DataFrame) and set(column_names(X)).isdisjoint(self.feature_names_in_[self.kept_]):
            msg = (
                f"the table shares none of the {int(self.kept_.sum())} features the model uses "
                f"(e.g. {', '.join(self.feature_names_out_[:3])}); check layer names and feature IDs."
            )
            raise InputError(msg)
        return align_features(self, X, missing=self.missing).to_numpy(dtype=float)
