"""Microsatellite instability from somatic calls alone: indel burden and the share of repeat indels.

Features per sample: indels per Mb of callable territory and the share of indels that are 1-bp
insertions / deletions in a mononucleotide run (homopolymer of >= 5 reference bases, MSIsensor's
default minimal homopolymer: Niu et al. 2014, Bioinformatics 30:1015, doi:10.1093/bioinformatics/btt755),
read from a context / flanking-sequence column when the table has one; without it the share of
1-bp indels among indels (repeat indels are mostly 1 bp).

Default rule (no fitted classifier): MSI-high when the repeat indels per Mb (all indels per Mb
without a context column) reach 0.395 / Mb, the cut-off of MSIseq's best classifier on exome
calls (Huang et al. 2015, Sci Rep 5:13321, doi:10.1038/srep13321). Without a context column the
rule counts every indel and so errs towards MSI-high. :func:`fit_msi_classifier` fits a logistic
model on a user's labelled samples for a calibrated probability.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import PathLike
from ._common import (
    allele_lengths,
    callable_territory,
    check_variants,
    context_column,
    filter_calls,
    indel_mask,
    sample_index,
)

__all__ = ["HOMOPOLYMER_MIN", "MSI_INDEL_THRESHOLD", "MSIClassifier", "fit_msi_classifier", "msi_features", "msi_status"]

#: Default MSI-high cut-off: repeat indels per Mb (MSIseq, Huang et al. 2015).
MSI_INDEL_THRESHOLD = 0.395
#: Minimal mononucleotide run (reference bases) for an indel to count as a homopolymer indel.
HOMOPOLYMER_MIN = 5
#: Features of the logistic model, in order.
MSI_FEATURES = ("log_indels_per_mb", "repeat_share")


def _run_at(context: str, ref: str, alt: str) -> int:
    """Length of the reference homopolymer of the indel's base at a 1-bp indel (0 when unknown)."""
    base = ref or alt
    k2 = len(context) - len(ref)
    if len(base) != 1 or k2 < 2 or k2 % 2:
        return 0
    k = k2 // 2
    left, right = context[:k], context[k + len(ref):]
    run = len(left) - len(left.rstrip(base)) + len(right) - len(right.lstrip(base))
    return run + len(ref)


def _homopolymer_indels(indels: pd.DataFrame, context_col: str) -> np.ndarray:
    """Whether each indel is a 1-bp indel at a homopolymer of >= :data:`HOMOPOLYMER_MIN` bases."""
    ctx = indels[context_col].astype(str).str.upper().to_numpy()
    ref = indels["ref"].astype(str).str.upper().replace({"-": "", "NAN": ""}).to_numpy()
    alt = indels["alt"].astype(str).str.upper().replace({"-": "", "NAN": ""}).to_numpy()
    return np.array([_run_at(c, r, a) >= HOMOPOLYMER_MIN for c, r, a in zip(ctx, ref, alt, strict=True)], dtype=bool)


def msi_features(
    variants: pd.DataFrame,
    *,
    callable_mb: float | None = None,
    target_bed: PathLike | None = None,
    min_vaf: float | None = 0.05,
    min_depth: float | None = None,
    max_population_af: float | None = 0.01,
    samples: Sequence[str] | None = None,
) -> pd.DataFrame:
    """MSI features per sample: indel count, indels per Mb, repeat indels per Mb and repeat share.

    Parameters
    ----------
    variants
        The tidy variant table (``sample, ref, alt, variant_type`` and optionally a context
        column: ``CONTEXT`` / ``flanking_bps`` / ``ref_context``, the reference bases around the variant
        with equal flanks).
    callable_mb, target_bed
        Callable territory (as in :func:`tumour_mutational_burden`; default 30 Mb).
    min_vaf, min_depth, max_population_af
        Call filters (as in :func:`tumour_mutational_burden`).
    samples
        Samples to report (those without calls get 0); default: the samples in the table.

    Returns
    -------
    pandas.DataFrame
        ``sample, n_indel, indels_per_mb, repeat_indels_per_mb, repeat_share``.
        ``.attrs['repeat_source']`` is ``"context:<column>"`` (homopolymer indels from the
        sequence) or ``"indel_length"`` (share of 1-bp indels; ``repeat_indels_per_mb`` then
        counts every indel).

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A", "A", "B"], "ref": ["A", "-", "C"], "alt": ["-", "T", "G"],
    ...                   "variant_type": ["DEL", "INS", "SNP"]})
    >>> msi_features(v, callable_mb=1.0)[["sample", "n_indel", "repeat_share"]].to_dict("list")
    {'sample': ['A', 'B'], 'n_indel': [2, 0], 'repeat_share': [1.0, 0.0]}
    """
    func = "tl.msi_features"
    check_variants(variants, func=func, columns=("sample", "ref", "alt"))
    mb, how = callable_territory(callable_mb, target_bed, func=func)
    index = sample_index(variants, samples)
    kept, applied = filter_calls(variants, min_vaf=min_vaf, min_depth=min_depth, max_population_af=max_population_af)
    indels = kept.loc[indel_mask(kept)]
    ctx = context_column(indels) if len(indels) else None
    if ctx is not None:
        repeat = _homopolymer_indels(indels, ctx)
    else:
        ref_len, alt_len = allele_lengths(indels)
        repeat = np.abs(ref_len - alt_len) == 1
    samples_of = indels["sample"].astype(str)
    n = samples_of.value_counts().reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    n_rep = samples_of[repeat].value_counts().reindex(index, fill_value=0).to_numpy(dtype=float)
    out = pd.DataFrame({"sample": index.astype(str), "n_indel": n, "indels_per_mb": n / mb,
                        "repeat_indels_per_mb": (n_rep if ctx is not None else n) / mb,
                        "repeat_share": np.divide(n_rep, n, out=np.zeros(len(n)), where=n > 0)})
    out.attrs.update({"callable_mb": mb, "territory": how, "filters": applied,
                      "repeat_source": f"context:{ctx}" if ctx is not None else "indel_length"})
    return out


def _feature_matrix(features: pd.DataFrame, *, func: str) -> np.ndarray:
    """The logistic model's inputs: log(1 + indels per Mb) and the repeat share."""
    missing = [c for c in ("indels_per_mb", "repeat_share") if c not in getattr(features, "columns", ())]
    if missing:
        msg = f"{func}: features lack column(s) {', '.join(missing)}; compute them with tl.msi_features."
        raise InputError(msg)
    x = np.column_stack([np.log1p(features["indels_per_mb"].to_numpy(dtype=float)), features["repeat_share"].to_numpy(dtype=float)])
    if not np.isfinite(x).all():
        msg = f"{func}: features hold missing / infinite values; compute them with tl.msi_features."
        raise InputError(msg)
    return x


@dataclass
class MSIClassifier:
    """A fitted logistic MSI model on (log(1 + indels per Mb), repeat share).

    Attributes
    ----------
    coef_, intercept_
        Coefficients on the standardised features and the intercept (log-odds of MSI-high).
    mean_, scale_
        Standardisation of the training features.
    repeat_source
        How the repeat share of the training features was computed (``msi_features`` attrs).
    n_train, n_positive
        Training samples and MSI-high samples among them.
    """

    coef_: np.ndarray
    intercept_: float
    mean_: np.ndarray
    scale_: np.ndarray
    repeat_source: str = "indel_length"
    n_train: int = 0
    n_positive: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def decision_function(self, features: pd.DataFrame) -> np.ndarray:
        """Log-odds of MSI-high for each row of ``features`` (from :func:`msi_features`)."""
        source = features.attrs.get("repeat_source")
        if source is not None and source.split(":")[0] != self.repeat_source.split(":")[0]:
            msg = (f"MSIClassifier was fitted on repeat shares from {self.repeat_source!r} but these features use "
                   f"{source!r}; the probabilities may be miscalibrated (refit on features computed the same way).")
            warnings.warn(msg, UserWarning, stacklevel=2)
        x = (_feature_matrix(features, func="MSIClassifier") - self.mean_) / self.scale_
        return x @ self.coef_ + self.intercept_

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Probability of MSI-high for each row of ``features``."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(features)))


_POSITIVE = {"msi-h", "msi-high", "msi_h", "msih", "msi", "high", "true", "1", "yes"}
_NEGATIVE = {"mss", "msi-l", "msi-low", "msi_l", "msil", "stable", "low", "false", "0", "no"}


def _labels(labels: Any, n: int, *, func: str) -> np.ndarray:
    """MSI-high labels as booleans (``MSI-H`` / ``MSS`` / ``MSI-L`` text or booleans; MSI-L is negative)."""
    arr = np.asarray(labels, dtype=object).ravel()
    if len(arr) != n:
        msg = f"{func}: {len(arr)} labels for {n} feature rows; give one label per row of features (same order)."
        raise InputError(msg)
    text = np.array([str(v).strip().lower() for v in arr])
    bad = ~np.isin(text, list(_POSITIVE | _NEGATIVE))
    if bad.any():
        msg = (f"{func}: label {arr[np.flatnonzero(bad)[0]]!r} is not an MSI status; use True / False or "
               "'MSI-H' / 'MSS' / 'MSI-L' (drop unlabelled samples first).")
        raise InputError(msg)
    y = np.isin(text, list(_POSITIVE))
    if y.all() or not y.any():
        msg = f"{func}: the labels hold only one class ({'MSI-high' if y.any() else 'not MSI-high'}); need both to fit."
        raise InputError(msg)
    return y


def fit_msi_classifier(features: pd.DataFrame, labels: Any, *, C: float = 1.0) -> MSIClassifier:  # noqa: N803
    """Fit the logistic MSI model on labelled samples.

    Parameters
    ----------
    features
        Output of :func:`msi_features` for the labelled samples.
    labels
        One MSI status per row: booleans or ``"MSI-H"`` / ``"MSS"`` / ``"MSI-L"`` (MSI-L counts as not MSI-high).
    C
        Inverse L2 penalty of :class:`sklearn.linear_model.LogisticRegression`.

    Returns
    -------
    MSIClassifier
        The fitted model; pass it to :func:`msi_status` as ``classifier=``.

    Raises
    ------
    InputError
        Labels of another length, unknown labels or a single class.

    Examples
    --------
    >>> f = pd.DataFrame({"indels_per_mb": [0.1, 0.2, 3.0, 5.0], "repeat_share": [0.3, 0.5, 0.9, 0.9]})
    >>> clf = fit_msi_classifier(f, ["MSS", "MSS", "MSI-H", "MSI-H"])
    >>> bool((clf.predict_proba(f)[2:] > 0.5).all())
    True
    """
    from sklearn.linear_model import LogisticRegression

    func = "tl.fit_msi_classifier"
    x = _feature_matrix(features, func=func)
    y = _labels(labels, len(x), func=func)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C).fit((x - mean) / scale, y)
    return MSIClassifier(coef_=model.coef_.ravel().copy(), intercept_=float(model.intercept_[0]), mean_=mean, scale_=scale,
                         repeat_source=str(features.attrs.get("repeat_source", "indel_length")), n_train=len(y),
                         n_positive=int(y.sum()), params={"C": float(C)})


def msi_status(
    variants: pd.DataFrame,
    *,
    classifier: MSIClassifier | None = None,
    threshold: float = MSI_INDEL_THRESHOLD,
    **options: Any,
) -> pd.DataFrame:
    """MSI status per sample from the somatic calls alone.

    Parameters
    ----------
    variants
        The tidy variant table (see :func:`msi_features`).
    classifier
        A model from :func:`fit_msi_classifier`. Without it the default rule applies:
        ``msi_score`` is the repeat indels per Mb (all indels per Mb without a context column),
        ``msi_high`` is ``msi_score >= threshold`` and ``msi_probability`` is NaN (no calibration
        without labelled data).
    threshold
        Default-rule cut-off in indels / Mb (0.395, MSIseq: Huang et al. 2015).
    **options
        Territory, call filters and samples of :func:`msi_features` (``callable_mb``,
        ``target_bed``, ``min_vaf``, ``min_depth``, ``max_population_af``, ``samples``).

    Returns
    -------
    pandas.DataFrame
        ``sample, n_indel, indels_per_mb, repeat_indels_per_mb, repeat_share, msi_score,
        msi_probability, msi_high``; with a classifier ``msi_score`` is the log-odds and
        ``msi_high`` is ``msi_probability >= 0.5``. ``.attrs['method']`` says which.

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A"] * 12 + ["B"], "ref": ["A"] * 12 + ["C"], "alt": ["-"] * 12 + ["G"],
    ...                   "variant_type": ["DEL"] * 12 + ["SNP"]})
    >>> msi_status(v)[["sample", "msi_high"]].to_dict("list")
    {'sample': ['A', 'B'], 'msi_high': [True, False]}
    """
    feats = msi_features(variants, **options)
    out = feats.copy()
    out.attrs = dict(feats.attrs)
    if classifier is None:
        out["msi_score"] = feats["repeat_indels_per_mb"].to_numpy(dtype=float)
        out["msi_probability"] = np.nan
        out["msi_high"] = out["msi_score"].to_numpy() >= threshold
        out.attrs["method"] = f"rule: repeat indels per Mb >= {threshold:g} (MSIseq)"
    else:
        if not isinstance(classifier, MSIClassifier):
            msg = f"tl.msi_status: classifier must come from tl.fit_msi_classifier, got {type(classifier).__name__}."
            raise InputError(msg)
        out["msi_score"] = classifier.decision_function(feats)
        out["msi_probability"] = classifier.predict_proba(feats)
        out["msi_high"] = out["msi_probability"].to_numpy() >= 0.5
        out.attrs["method"] = f"logistic ({classifier.n_train} training samples, {classifier.n_positive} MSI-high)"
    return out
