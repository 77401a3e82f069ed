"""TMB and MSI as one per-sample table, and as sample columns of a cohort."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ..._core._utils import PathLike
from ._hrd import HRD_HIGH_CUTOFF, brca_altered, hrd_scores, hrd_status
from ._msi import MSI_INDEL_THRESHOLD, MSIClassifier, msi_status
from ._tmb import TMB_HIGH_CUTOFF, tumour_mutational_burden

if TYPE_CHECKING:
    import mudata as md

__all__ = ["BIOMARKER_COLUMNS", "add_biomarkers", "biomarker_table"]

#: Columns of :func:`biomarker_table` (and of the CLI's ``biomarkers.csv``), in order.
BIOMARKER_COLUMNS = ("sample", "n_coding", "tmb", "tmb_high", "n_indel", "msi_score", "msi_probability", "msi_high")
#: Cohort sample columns written by :func:`add_biomarkers` (before ``key_prefix``).
OBS_COLUMNS = ("tmb", "tmb_high", "msi_score", "msi_high")
#: Cohort sample columns written by :func:`add_biomarkers` with ``segments`` (``hrd_score`` = ``hrd_sum``).
HRD_OBS_COLUMNS = ("hrd_loh", "hrd_tai", "hrd_lst", "hrd_sum", "hrd_score", "hrd_high")


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


def _brca_altered(mdata: Any, mod: str) -> dict[str, bool] | None:
    """Sample -> BRCA1 / BRCA2 altered in the mutation layer ``mod``, or None without one."""
    mods = getattr(mdata, "mod", None)
    return None if mods is None or mod not in mods else brca_altered(mods[mod])


def _write_column(mdata: Any, key: str, values: pd.Series, *, flag: bool) -> None:
    """One sample column: floats as they are; flags bool when complete, nullable boolean otherwise."""
    if not flag:
        mdata.obs[key] = values.to_numpy(dtype=float)
    elif values.notna().all():
        mdata.obs[key] = values.astype(bool).to_numpy()
    else:
        mdata.obs[key] = values.astype("boolean").array


def _add_tmb_msi(mdata: Any, mod: str, key_prefix: str, overwrite: bool, **options: Any) -> None:
    """TMB / MSI columns and ``uns[key_prefix + 'biomarkers']`` from the variant table of ``mod``."""
    variants, samples = _cohort_variants(mdata, mod)
    keys = [f"{key_prefix}{c}" for c in OBS_COLUMNS]
    for key in keys:
        claim_key(mdata, "obs", key, by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    claim_key(mdata, "uns", f"{key_prefix}biomarkers", by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    table = biomarker_table(variants, samples=samples, **options)
    by_sample = table.set_index("sample").reindex(mdata.obs_names.astype(str))
    for key, col in zip(keys, OBS_COLUMNS, strict=True):
        _write_column(mdata, key, by_sample[col], flag=col.endswith("_high"))
    params = {"mod": mod, "callable_mb": table.attrs["tmb"]["callable_mb"], "territory": table.attrs["tmb"]["territory"],
              "tmb_cutoff": table.attrs["tmb"]["cutoff"], "msi_method": table.attrs["msi"]["method"],
              "repeat_source": table.attrs["msi"]["repeat_source"], "filters": table.attrs["tmb"]["filters"]}
    mdata.uns[f"{key_prefix}biomarkers"] = {"table": table.reset_index(drop=True), "params": clean_params(params)}


def _add_hrd(mdata: Any, segments: pd.DataFrame | PathLike, mod: str, key_prefix: str, overwrite: bool) -> None:
    """HRD columns (:data:`HRD_OBS_COLUMNS`) and ``uns[key_prefix + 'hrd']`` from allele-specific segments."""
    keys = {c: f"{key_prefix}{c}" for c in HRD_OBS_COLUMNS}
    for key in keys.values():
        claim_key(mdata, "obs", key, by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    claim_key(mdata, "uns", f"{key_prefix}hrd", by="tl.biomarkers", overwrite=overwrite, option="key_prefix")
    brca = _brca_altered(mdata, mod)
    table = hrd_status(hrd_scores(segments), brca_altered=brca)
    cohort = pd.Index(mdata.obs_names.astype(str))
    unmatched = sorted(set(table["sample"].astype(str)) - set(cohort))
    if len(unmatched) == len(table):
        msg = (f"tl.biomarkers: no sample of the segments ({', '.join(unmatched[:5])}) is in the cohort "
               f"(e.g. {', '.join(cohort[:5])}); name the segments' samples as the cohort does.")
        raise InputError(msg)
    if unmatched:
        warnings.warn(f"tl.biomarkers: {len(unmatched)} segment sample(s) not in the cohort are left out: "
                      f"{', '.join(unmatched[:5])}.", UserWarning, stacklevel=3)
    by_sample = table.set_index(table["sample"].astype(str)).reindex(cohort)
    source = {"hrd_loh": "loh", "hrd_tai": "tai", "hrd_lst": "lst", "hrd_sum": "hrd_sum", "hrd_score": "hrd_sum",
              "hrd_high": "hrd_high"}
    for col, key in keys.items():
        _write_column(mdata, key, by_sample[source[col]], flag=col == "hrd_high")
    params = {"cutoff": HRD_HIGH_CUTOFF, "genome": table.attrs.get("genome"), "brca_mod": mod if brca is not None else None,
              "n_samples": len(table), "n_unmatched": len(unmatched)}
    mdata.uns[f"{key_prefix}hrd"] = {"table": table.reset_index(drop=True), "params": clean_params(params)}


def add_biomarkers(
    mdata: Any,
    *,
    mod: str = "mut",
    callable_mb: float | None = None,
    target_bed: PathLike | None = None,
    classifier: MSIClassifier | None = None,
    segments: pd.DataFrame | PathLike | None = None,
    key_prefix: str = "",
    overwrite: bool = False,
    copy: bool = False,
) -> md.MuData | None:
    """Write TMB, MSI and (with ``segments``) HRD scores into the cohort's sample table.

    Parameters
    ----------
    mdata
        The cohort (:class:`mudata.MuData`) with the tidy variant table in ``mdata[mod].uns['variants']``.
    mod
        The mutation modality (TMB / MSI, and the BRCA1 / BRCA2 status of the HRD call).
    callable_mb, target_bed
        Callable territory (default 30 Mb, a whole exome).
    classifier
        A fitted MSI model; default: the indels-per-Mb rule.
    segments
        Allele-specific copy-number segments (file or table, :func:`oncoresist.io.read_allelic_segments`)
        for the HRD scores (:func:`hrd_scores`). With segments, a cohort without the mutation
        modality gets the HRD columns only (the call then rests on the score alone).
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
        ``params``; with ``segments`` also ``hrd_loh, hrd_tai, hrd_lst, hrd_sum, hrd_score`` (= the sum,
        the name :mod:`oncoresist.interpret` reads), ``hrd_high`` (sum >= 42 or BRCA1/2 altered) and
        ``uns[key_prefix + 'hrd']``. ``None`` unless ``copy``.

    Raises
    ------
    InputError
        No such modality / variant table (without ``segments``), no segment sample in the cohort,
        or a column exists that oncoresist did not write.

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
    has_mut = getattr(mdata, "mod", None) is not None and mod in mdata.mod
    if segments is None or has_mut:
        _add_tmb_msi(mdata, mod, key_prefix, overwrite, callable_mb=callable_mb, target_bed=target_bed, classifier=classifier)
    if segments is not None:
        _add_hrd(mdata, segments, mod, key_prefix, overwrite)
    return mdata if copy else None
