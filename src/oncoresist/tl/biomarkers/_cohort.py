"""TMB and MSI as one per-sample table, and as sample columns of a cohort."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ..._core._utils import PathLike
from ._msi import MSI_INDEL_THRESHOLD, MSIClassifier, msi_status
from ._tmb import TMB_HIGH_CUTOFF, tumour_mutational_burden

if TYPE_CHECKING:
    import mudata as md

__all__ = ["BIOMARKER_COLUMNS", "add_biomarkers", "biomarker_table"]

#: Columns of :func:`biomarker_table` (and of the CLI's ``biomarkers.csv``), in order.
BIOMARKER_COLUMNS = ("sample", "n_coding", "tmb", "tmb_high", "n_indel", "msi_score", "msi_probability", "msi_high")
#: Cohort sample columns written by :func:`add_biomarkers` (before ``key_prefix``).
OBS_COLUMNS = ("tmb", "tmb_high", "msi_score", "msi_high")


def biomarker_table(
    variants: pd.DataFrame,
    *,
    classifier: MSIClassifier | None = None,
    tmb_cutoff: float = TMB_HIGH_CUTOFF,
    msi_threshold: float = MSI_INDEL_THRESHOLD,
    **options: Any,
) -> pd.DataFrame:
    """TMB and MSI per sample in one table (what ``oncoresist biomarkers`` writes).

    Parameters
    ----------
    variants
        The tidy variant table (:func:`oncoresist.io.read_maf`).
    classifier
        A fitted MSI model (:func:`fit_msi_classifier`); default: the indels-per-Mb rule.
    tmb_cutoff
        TMB-high cut-off (10 / Mb, FDA / KEYNOTE-158).
    msi_threshold
        Default-rule MSI-high cut-off in indels / Mb (0.395, MSIseq), used without a classifier.
    **options
        Territory, call filters and samples, applied to both (see
        :func:`tumour_mutational_burden`): ``callable_mb`` (default 30 Mb, a whole exome),
        ``target_bed``, ``min_vaf``, ``min_depth``, ``max_population_af``, ``samples``.

    Returns
    -------
    pandas.DataFrame
        :data:`BIOMARKER_COLUMNS`; ``.attrs`` holds the TMB and MSI records (territory, filters, MSI method).

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A", "A"], "variant_class": ["Missense_Mutation", "Frame_Shift_Del"],
    ...                   "ref": ["C", "A"], "alt": ["T", "-"], "variant_type": ["SNP", "DEL"]})
    >>> biomarker_table(v, callable_mb=0.1)[["n_coding", "tmb", "n_indel", "msi_high"]].to_dict("records")
    [{'n_coding': 2, 'tmb': 20.0, 'n_indel': 1, 'msi_high': True}]
    """
    tmb = tumour_mutational_burden(variants, cutoff=tmb_cutoff, **options)
    msi = msi_status(variants, classifier=classifier, threshold=msi_threshold, **options)
    out = tmb.merge(msi.drop(columns=["indels_per_mb", "repeat_indels_per_mb", "repeat_share"]), on="sample", how="left")
    out = out[list(BIOMARKER_COLUMNS)]
    out.attrs.update({"tmb": dict(tmb.attrs), "msi": dict(msi.attrs)})
    return out


def _cohort_variants(mdata: Any, mod: str) -> tuple[pd.DataFrame, pd.Index]:
    """The variant table of modality ``mod`` and its samples."""
    mods = getattr(mdata, "mod", None)
    if mods is None or mod not in mods:
        have = ", ".join(mods) if mods is not None else "none (not a MuData)"
        msg = f"tl.biomarkers: the cohort has no modality {mod!r} (modalities: {have}); pass mod= the mutation layer."
        raise InputError(msg)
    variants = mods[mod].uns.get("variants")
    if not isinstance(variants, pd.DataFrame):
        msg = (f"tl.biomarkers: modality {mod!r} has no variant table in uns['variants'] (a gene-level matrix only); "
               "build the cohort from a MAF / VCF layer.")
        raise InputError(msg)
    return variants, pd.Index(mods[mod].obs_names.astype(str))


def add_biomarkers(
    mdata: Any,
    *,
    mod: str = "mut",
    callable_mb: float | None = None,
    target_bed: PathLike | None = None,
    classifier: MSIClassifier | None = None,
    key_prefix: str = "",
    overwrite: bool = False,
    copy: bool = False,
) -> md.MuData | None:
    """Write TMB and MSI into the cohort's sample table.

    Parameters
    ----------
    mdata
        The cohort (:class:`mudata.MuData`) with the tidy variant table in ``mdata[mod].uns['variants']``.
    mod
        The mutation modality.
    callable_mb, target_bed
        Callable territory (default 30 Mb, a whole exome).
    classifier
        A fitted MSI model; default: the indels-per-Mb rule.
    key_prefix
        Prefix of the column names (``key_prefix + "tmb"``, ...), to keep several runs.
    overwrite
        Replace existing columns of these names that oncoresist did not write.
    copy
        Return a modified copy instead of changing ``mdata``.

    Returns
    -------
    mudata.MuData or None
        With ``obs`` columns ``tmb, tmb_high, msi_score, msi_high`` (samples of ``mod``; NaN for
        samples without mutation data) and ``uns[key_prefix + 'biomarkers']`` = the per-sample table and
        ``params``. ``None`` unless ``copy``.

    Raises
    ------
    InputError
        No such modality / variant table, or a column exists that oncoresist did not write.

    Examples
    --------
    >>> import mudata as md
    >>> from oncoresist.io import variants_to_anndata
    >>> v = pd.DataFrame({"sample": ["A"] * 12 + ["B"], "gene": ["G"] * 13, "variant_class": ["Frame_Shift_Del"] * 13,
    ...                   "ref": ["A"] * 13, "alt": ["-"] * 13, "variant_type": ["DEL"] * 13})
    >>> m = md.MuData({"mut": variants_to_anndata(v)})
    >>> add_biomarkers(m, callable_mb=1.0)
    >>> m.obs["tmb"].tolist(), m.obs["msi_high"].tolist()
    ([12.0, 1.0], [True, True])
    """
    mdata = mdata.copy() if copy else mdata
    variants, samples = _cohort_variants(mdata, mod)
    keys = [f"{key_prefix}{c}" for c in OBS_COLUMNS]
    for key in keys:
        claim_key(mdata, "obs", key, by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    claim_key(mdata, "uns", f"{key_prefix}biomarkers", by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    table = biomarker_table(variants, callable_mb=callable_mb, target_bed=target_bed, classifier=classifier, samples=samples)
    by_sample = table.set_index("sample").reindex(mdata.obs_names.astype(str))
    complete = by_sample["tmb"].notna().all()
    for key, col in zip(keys, OBS_COLUMNS, strict=True):
        vals = by_sample[col]
        if col.endswith("_high"):
            vals = vals.astype(bool) if complete else vals.astype("boolean")
        mdata.obs[key] = vals.to_numpy() if complete or not col.endswith("_high") else vals.array
    params = {"mod": mod, "callable_mb": table.attrs["tmb"]["callable_mb"], "territory": table.attrs["tmb"]["territory"],
              "tmb_cutoff": table.attrs["tmb"]["cutoff"], "msi_method": table.attrs["msi"]["method"],
              "repeat_source": table.attrs["msi"]["repeat_source"], "filters": table.attrs["tmb"]["filters"]}
    mdata.uns[f"{key_prefix}biomarkers"] = {"table": table.reset_index(drop=True), "params": clean_params(params)}
    return mdata if copy else None
