"""Homologous-recombination-deficiency (HRD) genomic-scar scores from allele-specific copy number.

The three scores of scarHRD (Sztupinszki et al. 2018, npj Breast Cancer), each counted per sample
on the autosomes after merging neighbouring segments of equal allele-specific copy number:

* **LOH** (HRD-LOH, Abkevich et al. 2012): LOH segments (minor allele 0, not a homozygous
  deletion) longer than 15 Mb, on chromosomes that are not LOH from end to end.
* **TAI** (telomeric allelic imbalance, Birkbak et al. 2012): segments >= 1 Mb in allelic
  imbalance that reach a telomere without crossing the centromere (a whole-chromosome imbalance
  does not count). Imbalance is judged against the chromosome's dominant total copy number: for
  an odd one, a balanced-looking segment at that total (e.g. 2+1 of 3) is not an imbalance.
* **LST** (large-scale state transitions, Popova et al. 2012): per chromosome arm, segments
  shorter than 3 Mb are removed (the neighbours re-merged) and every break between two
  segments >= 10 Mb that lie less than 3 Mb apart counts.

``hrd_sum = loh + tai + lst``; HRD-positive at ``hrd_sum >= 42`` (Telli et al. 2016, Clin Cancer
Res, the Myriad myChoice cut-off) or a BRCA1 / BRCA2 alteration (:func:`hrd_status`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import PathLike
from ._centromeres import GRCH38_CENTROMERES

__all__ = ["HRD_COLUMNS", "HRD_HIGH_CUTOFF", "brca_altered", "hrd_scores", "hrd_status", "hrd_table"]

#: Columns of :func:`hrd_scores` (and of the CLI's ``hrd.csv`` before the call columns).
HRD_COLUMNS = ("sample", "loh", "tai", "lst", "hrd_sum", "ploidy", "hrd_sum_adjusted")
#: HRD-positive cut-off of the summed score (Telli et al. 2016).
HRD_HIGH_CUTOFF = 42.0
LOH_MIN_LENGTH = 15e6  #: HRD-LOH: LOH regions longer than 15 Mb (Abkevich 2012).
TAI_MIN_LENGTH = 1e6  #: TAI: segments shorter than 1 Mb are ignored (scarHRD).
LST_MIN_LENGTH = 10e6  #: LST: both sides of the break at least 10 Mb (Popova 2012).
LST_SMOOTH_LENGTH = 3e6  #: LST: segments < 3 Mb are smoothed away; breaks < 3 Mb apart.
PLOIDY_SLOPE = 15.5  #: scarHRD's ploidy adjustment: hrd_sum - 15.5 x ploidy.
_SEX_CHROMOSOMES = {"X", "Y", "23", "24"}

_Arm = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # start, end, major, minor, total


def _merge(start: np.ndarray, end: np.ndarray, major: np.ndarray, minor: np.ndarray, total: np.ndarray) -> _Arm:
    """Neighbouring segments with the same (major, minor) copy number joined (first row's total kept)."""
    if len(start) < 2:
        return start, end, major, minor, total
    new = np.r_[True, (major[1:] != major[:-1]) | (minor[1:] != minor[:-1])]
    group = np.cumsum(new) - 1
    ends = np.full(int(group[-1]) + 1, -np.inf)
    np.maximum.at(ends, group, end)
    return start[new], ends.astype(end.dtype), major[new], minor[new], total[new]


def _loh_count(chroms: dict[str, _Arm]) -> int:
    """HRD-LOH: LOH segments > 15 Mb on chromosomes not wholly LOH (major capped at 1 before merging)."""
    count = 0
    for s, e, ma, mi, t in chroms.values():
        if (mi == 0).all():
            continue  # whole-chromosome LOH does not count
        s2, e2, ma2, mi2, _ = _merge(s, e, np.minimum(ma, 1), mi, t)
        count += int(((mi2 == 0) & (ma2 != 0) & (e2 - s2 > LOH_MIN_LENGTH)).sum())
    return count


def _imbalanced(ma: np.ndarray, mi: np.ndarray, t: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Allelic imbalance of each segment, judged against the chromosome's dominant (non-zero) total copy number."""
    values, code = np.unique(t, return_inverse=True)
    sums = np.bincount(code.ravel(), weights=length.astype(float), minlength=len(values))
    sums[values == 0] = -1.0  # a homozygous deletion is never the chromosome's state
    dominant = float(values[int(np.argmax(sums))]) if (sums > 0).any() else 2.0
    if dominant == 1 or dominant % 2 == 0:
        return ma != mi
    return ~((ma + mi == dominant) & (mi != 0))


def _tai_count(chroms: dict[str, _Arm], centromeres: Mapping[str, tuple[int, int]]) -> int:
    """TAI: imbalanced segments (>= 1 Mb) at a telomere that end before / start after the centromere."""
    count = 0
    for chrom, arm in chroms.items():
        keep = arm[1] - arm[0] >= TAI_MIN_LENGTH
        s, e, ma, mi, t = _merge(*(a[keep] for a in arm))
        if len(s) < 2 or chrom not in centromeres:
            continue  # one segment = whole-chromosome imbalance (or none)
        ai = _imbalanced(ma, mi, t, e - s)
        cen_start, cen_end = centromeres[chrom]
        count += int(ai[0] and e[0] < cen_start) + int(ai[-1] and s[-1] > cen_end)
    return count


def _arm_transitions(arm: _Arm, *, clamp_end: int | None, clamp_start: int | None) -> int:
    """LSTs on one chromosome arm: clamp at the centromere, smooth < 3 Mb segments away, count 10 Mb / 3 Mb breaks."""
    s, e, ma, mi, t = (a.copy() for a in _merge(*arm))
    if len(s) == 0:
        return 0
    if clamp_end is not None:
        e[-1] = clamp_end
    if clamp_start is not None:
        s[0] = clamp_start
    short = np.flatnonzero(e - s < LST_SMOOTH_LENGTH)
    while len(short):
        keep = np.arange(len(s)) != short[0]
        s, e, ma, mi, t = _merge(s[keep], e[keep], ma[keep], mi[keep], t[keep])
        short = np.flatnonzero(e - s < LST_SMOOTH_LENGTH)
    big = e - s >= LST_MIN_LENGTH
    return int((big[1:] & big[:-1] & (s[1:] - e[:-1] < LST_SMOOTH_LENGTH)).sum())


def _lst_count(chroms: dict[str, _Arm], centromeres: Mapping[str, tuple[int, int]]) -> int:
    """LST over the chromosome arms (segments spanning the centromere belong to both arms)."""
    count = 0
    for chrom, arm in chroms.items():
        if len(arm[0]) < 2 or chrom not in centromeres:
            continue
        cen_start, cen_end = centromeres[chrom]
        p, q = arm[0] <= cen_start, arm[1] >= cen_end
        count += _arm_transitions(tuple(a[p] for a in arm), clamp_end=cen_start, clamp_start=None)  # type: ignore[arg-type]
        count += _arm_transitions(tuple(a[q] for a in arm), clamp_end=None, clamp_start=cen_end)  # type: ignore[arg-type]
    return count


def _by_chromosome(seg: pd.DataFrame) -> dict[str, _Arm]:
    """One sample's autosome segments, merged, as arrays per chromosome."""
    chrom = seg["chrom"].astype(str).to_numpy()
    start, end = seg["start"].to_numpy(np.int64), seg["end"].to_numpy(np.int64)
    cn = seg[["major_cn", "minor_cn", "total_cn"]].to_numpy(float)
    out: dict[str, _Arm] = {}
    for c in pd.unique(chrom):
        if c in _SEX_CHROMOSOMES:
            continue
        idx = np.flatnonzero(chrom == c)
        idx = idx[np.argsort(start[idx], kind="stable")]
        out[c] = _merge(start[idx], end[idx], cn[idx, 0], cn[idx, 1], cn[idx, 2])
    return out


def _sample_ploidy(seg: pd.DataFrame, ploidy: float | Mapping[str, float] | None, samples: pd.Index) -> np.ndarray:
    """Ploidy per sample: declared (one number or per sample), else the table's ``ploidy`` column, else NaN."""
    if ploidy is None:
        if "ploidy" not in seg.columns:
            return np.full(len(samples), np.nan)
        return seg.groupby("sample", sort=False)["ploidy"].first().reindex(samples).to_numpy(dtype=float)
    if isinstance(ploidy, Mapping):
        return np.array([float(ploidy.get(s, np.nan)) for s in samples])
    value = float(ploidy)
    if not np.isfinite(value) or value <= 0:
        msg = f"tl.hrd_scores: ploidy must be a positive number (e.g. 2.0 or ASCAT's tumour ploidy), got {ploidy!r}."
        raise InputError(msg)
    return np.full(len(samples), value)


def _unknown_chromosomes(seg: pd.DataFrame, centromeres: Mapping[str, tuple[int, int]]) -> None:
    """Warn when autosome segments lie on chromosomes without a centromere position (no TAI / LST there)."""
    chroms = {str(c) for c in pd.unique(seg["chrom"])} - _SEX_CHROMOSOMES
    unknown = sorted(chroms - set(centromeres))
    if unknown:
        warnings.warn(f"tl.hrd_scores: no centromere position for chromosome(s) {', '.join(unknown[:8])}; they add to LOH "
                      "but not to TAI / LST. Pass centromeres= for another genome.", UserWarning, stacklevel=3)


def hrd_scores(
    segments: pd.DataFrame | PathLike,
    ploidy: float | Mapping[str, float] | None = None,
    *,
    centromeres: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """HRD genomic-scar scores (HRD-LOH, TAI, LST and their sum) per sample, as scarHRD computes them.

    Parameters
    ----------
    segments
        Allele-specific copy-number segments: a file or table read by
        :func:`oncoresist.io.read_allelic_segments` (ASCAT / FACETS / Sequenza column names work).
    ploidy
        Tumour ploidy (one number, or sample -> ploidy) for the ploidy-adjusted sum
        ``hrd_sum - 15.5 x ploidy`` (scarHRD); default: the table's ``ploidy`` column, else NaN.
    centromeres
        Chromosome -> (start, end) of the centromere; default GRCh38 (UCSC cytoBand ``acen``).
        Use the genome build of the segments.

    Returns
    -------
    pandas.DataFrame
        :data:`HRD_COLUMNS`: ``sample, loh, tai, lst, hrd_sum`` (integers), ``ploidy``,
        ``hrd_sum_adjusted`` (NaN without a ploidy). Sex chromosomes are left out.

    Raises
    ------
    InputError
        Unreadable segments (see :func:`~oncoresist.io.read_allelic_segments`) or a bad ``ploidy``.

    Examples
    --------
    >>> seg = pd.DataFrame({"sample": "T1", "chrom": "1", "start": [1, 20_000_001, 130_000_001],
    ...                     "end": [20_000_000, 121_000_000, 248_000_000], "nMajor": [2, 1, 1], "nMinor": [0, 1, 1]})
    >>> hrd_scores(seg)[["loh", "tai", "lst", "hrd_sum"]].to_dict("records")
    [{'loh': 1, 'tai': 1, 'lst': 1, 'hrd_sum': 3}]
    """
    from ...io import read_allelic_segments

    seg = read_allelic_segments(segments)
    columns, seg.attrs = dict(seg.attrs.get("columns", {})), {}  # pandas deep-copies attrs on every step
    cen = GRCH38_CENTROMERES if centromeres is None else {str(k).removeprefix("chr"): v for k, v in centromeres.items()}
    _unknown_chromosomes(seg, cen)
    samples = pd.Index(pd.unique(seg["sample"]), dtype=object)
    rows = []
    for sample, group in seg.groupby("sample", sort=False):
        chroms = _by_chromosome(group)
        rows.append((sample, _loh_count(chroms), _tai_count(chroms, cen), _lst_count(chroms, cen)))
    out = pd.DataFrame(rows, columns=["sample", "loh", "tai", "lst"]).astype({"loh": np.int64, "tai": np.int64, "lst": np.int64})
    out["hrd_sum"] = out["loh"] + out["tai"] + out["lst"]
    out["ploidy"] = _sample_ploidy(seg, ploidy, samples)
    out["hrd_sum_adjusted"] = out["hrd_sum"] - PLOIDY_SLOPE * out["ploidy"]
    out.attrs.update({"genome": "GRCh38" if centromeres is None else "declared", "columns": columns})
    return out[list(HRD_COLUMNS)]


def hrd_status(
    scores: pd.DataFrame, *, brca_altered: Mapping[str, bool] | None = None, cutoff: float = HRD_HIGH_CUTOFF
) -> pd.DataFrame:
    """HRD-positive call: ``hrd_sum >= cutoff`` or a BRCA1 / BRCA2 alteration (Telli et al. 2016).

    Parameters
    ----------
    scores
        The table of :func:`hrd_scores`.
    brca_altered
        Sample -> whether BRCA1 or BRCA2 is altered (from a mutation layer); ``None`` = no
        mutation data (the call rests on the score alone, ``brca_altered`` is NA).
    cutoff
        The score cut-off (42, Telli 2016).

    Returns
    -------
    pandas.DataFrame
        ``scores`` with ``brca_altered`` (nullable boolean) and ``hrd_high`` (bool) added.

    Examples
    --------
    >>> s = pd.DataFrame({"sample": ["A", "B", "C"], "hrd_sum": [50, 10, 12]})
    >>> hrd_status(s, brca_altered={"C": True})["hrd_high"].tolist()
    [True, False, True]
    """
    if "hrd_sum" not in scores.columns or "sample" not in scores.columns:
        msg = "tl.hrd_status: expected the table of tl.hrd_scores (columns sample and hrd_sum)."
        raise InputError(msg)
    out = scores.copy()
    if brca_altered is None:
        out["brca_altered"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["brca_altered"] = pd.array([bool(brca_altered.get(str(s), False)) for s in out["sample"]], dtype="boolean")
    out["hrd_high"] = (out["hrd_sum"].to_numpy(dtype=float) >= cutoff) | out["brca_altered"].fillna(False).to_numpy(dtype=bool)
    out.attrs.update(scores.attrs)
    out.attrs["cutoff"] = float(cutoff)
    return out


def brca_altered(layer: Any) -> dict[str, bool]:
    """Sample -> BRCA1 or BRCA2 altered (a non-zero entry) in a gene-level mutation layer.

    Parameters
    ----------
    layer
        The ``mut`` layer (:class:`anndata.AnnData`, samples x genes, e.g. from
        :func:`oncoresist.io.variants_to_anndata`: 1 = a non-synonymous call).

    Returns
    -------
    dict
        Every sample of the layer; ``False`` when the layer has neither gene.

    Examples
    --------
    >>> from oncoresist.io import variants_to_anndata
    >>> v = pd.DataFrame({"sample": ["A", "B"], "gene": ["BRCA2", "TP53"], "variant_class": ["Nonsense_Mutation"] * 2})
    >>> brca_altered(variants_to_anndata(v))
    {'A': True, 'B': False}
    """
    samples = [str(s) for s in layer.obs_names]
    genes = [g for g in ("BRCA1", "BRCA2") if g in layer.var_names]
    if not genes:
        return dict.fromkeys(samples, False)
    x = layer[:, genes].X
    x = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)
    return dict(zip(samples, (np.nan_to_num(x) != 0).any(axis=1).tolist(), strict=True))


def hrd_table(
    segments: pd.DataFrame | PathLike,
    *,
    variants: pd.DataFrame | None = None,
    ploidy: float | Mapping[str, float] | None = None,
    cutoff: float = HRD_HIGH_CUTOFF,
) -> pd.DataFrame:
    """HRD scores and the HRD call in one table (what ``oncoresist biomarkers --segments`` writes).

    Parameters
    ----------
    segments
        Allele-specific copy-number segments (see :func:`hrd_scores`).
    variants
        Somatic calls (:func:`oncoresist.io.read_maf`): a non-synonymous BRCA1 / BRCA2 call makes a
        sample HRD-positive; ``None`` = no mutation data (``brca_altered`` NA).
    ploidy
        Tumour ploidy for ``hrd_sum_adjusted`` (see :func:`hrd_scores`).
    cutoff
        The score cut-off (42, Telli 2016).

    Returns
    -------
    pandas.DataFrame
        :data:`HRD_COLUMNS` + ``brca_altered``, ``hrd_high``.

    Examples
    --------
    >>> seg = pd.DataFrame({"sample": ["A", "B"], "chrom": "2", "start": 1, "end": 242_000_000,
    ...                     "nMajor": 1, "nMinor": 1})
    >>> v = pd.DataFrame({"sample": ["B"], "gene": ["BRCA1"], "variant_class": ["Frame_Shift_Del"]})
    >>> hrd_table(seg, variants=v)[["sample", "hrd_sum", "hrd_high"]].to_dict("list")
    {'sample': ['A', 'B'], 'hrd_sum': [0, 0], 'hrd_high': [False, True]}
    """
    from ...io import variants_to_anndata

    scores = hrd_scores(segments, ploidy)
    brca = None if variants is None else brca_altered(variants_to_anndata(variants))
    return hrd_status(scores, brca_altered=brca, cutoff=cutoff)
