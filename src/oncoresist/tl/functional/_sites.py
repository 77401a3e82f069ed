"""Phosphosite matching: data site IDs -> a site network's ``GENE_S123`` targets, across ID styles.

Three styles are recognised, by content: gene + residue + position (``EGFR_Y1068``,
``EGFR-Y1068``, ``EGFR pY1068``), protein accession + site (``P00533_Y1068``, ``P00533:Y1068``,
isoform suffix ``P00533-2`` ignored) and the sequence window of the site (+-7 amino acids, the
SIGNOR / PhosphoSitePlus style ``LRVVDEKtKDLIVDQ``), either as the ID itself, as ``GENE-WINDOW``
or in a ``var`` column whose values look like windows. Each feature is matched by the first style
that hits, in that order; the counts per style and the match rate are reported.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ...io import parse_site_ids

__all__ = ["match_line", "match_sites", "site_network", "window_core"]

_FLANK = 7
_WINDOW_RX = re.compile(r"^[ACDEFGHIKLMNPQRSTVWYacdefghiklmnpqrstvwy_]{9,61}$")


def window_core(window: str, *, position: int | None = None) -> str | None:
    """The 15-letter ``_``-padded core (+-7 aa) around the central residue of a sequence window.

    Parameters
    ----------
    window
        Amino-acid letters; the central residue is the single lower-case letter when there is
        one (PhosphoSitePlus style), else the middle one. ``_`` pads protein ends.
    position
        The site's position in the protein, for a window cut short at the protein's start
        or end (SIGNOR writes ``MSDKPDLSEV`` for S2 without padding): the centre is then
        ``position - 1`` near the start and the 8th letter otherwise.

    Returns
    -------
    str or None
        Upper-case core, or None when ``window`` is not a sequence window.

    Examples
    --------
    >>> window_core("LRVVDEKtKDLIVDQ"), window_core("MSDKPDLSEV", position=2)
    ('LRVVDEKTKDLIVDQ', '______MSDKPDLSE')
    """
    w = str(window).strip()
    if not _WINDOW_RX.match(w):
        return None
    lower = [i for i, c in enumerate(w) if c.islower()]
    if len(lower) == 1:
        centre = lower[0]
    elif position is not None and len(w) < 2 * _FLANK + 1:  # cut short at the protein's start or end
        centre = min(int(position) - 1, _FLANK)
    else:
        centre = len(w) // 2
    padded = "_" * _FLANK + w.upper() + "_" * _FLANK
    return padded[centre: centre + 2 * _FLANK + 1]


def _net_windows(net: pd.DataFrame) -> dict[str, str]:
    """Window core -> network target (the first target when several share a window)."""
    if "window" not in net.columns:
        return {}
    pos = pd.to_numeric(net.get("position"), errors="coerce") if "position" in net.columns else None
    out: dict[str, str] = {}
    for i, (w, t) in enumerate(zip(net["window"].astype(str), net["target"].astype(str), strict=True)):
        p = None if pos is None or pd.isna(pos.iloc[i]) else int(pos.iloc[i])
        core = window_core(w, position=p)
        if core is not None:
            out.setdefault(core, t)
    return out


def _window_column(var: pd.DataFrame) -> str | None:
    """The ``var`` column holding sequence windows (most values look like one), if any."""
    for col in var.columns:
        vals = var[col].dropna().astype(str)
        if len(vals) and vals.map(lambda v: bool(_WINDOW_RX.match(v)) and len(v) >= 2 * _FLANK - 1).mean() > 0.5:
            return str(col)
    return None


def _id_windows(ids: pd.Index, var: pd.DataFrame) -> list[str | None]:
    """The window core of each feature: from the window column, or the ID (``WINDOW`` / ``GENE-WINDOW``)."""
    col = _window_column(var)
    if col is not None:
        return [None if pd.isna(v) else window_core(str(v)) for v in var[col]]
    return [window_core(re.split(r"[-_ :|]", s)[-1]) for s in ids.astype(str)]


def _style_keys(ids: pd.Index, net: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Candidate target of each feature by gene + site and by accession + site."""
    parsed = parse_site_ids([s.replace(":", "_") for s in ids.astype(str)])
    gene_key = pd.Series(parsed["site_id"].astype(str).to_numpy(), index=range(len(ids)))
    acc_key = pd.Series([None] * len(ids), index=range(len(ids)), dtype=object)
    if "accession" in net.columns and "residue" in net.columns:
        acc = dict(zip(net["accession"].astype(str) + "_" + net["residue"].astype(str) + net["position"].astype(str),
                       net["target"], strict=True))
        gene = parsed["gene"].astype(str).str.replace(r"-\d+$", "", regex=True).to_numpy()
        site = (parsed["residue"].astype(str) + parsed["position"].astype(str)).to_numpy()
        acc_key[:] = [acc.get(f"{g}_{s}") for g, s in zip(gene, site, strict=True)]
    return gene_key, acc_key


def match_sites(ids: pd.Index, net: pd.DataFrame, *, var: pd.DataFrame | None = None) -> tuple[pd.Index, dict[str, Any]]:
    """Map phosphosite features to the targets of a site network and report the match rate.

    Parameters
    ----------
    ids
        The data's site IDs (any of the styles of :mod:`oncoresist.tl.functional._sites`).
    net
        Site network from :func:`oncoresist.kb.load_resource` (``target`` = ``GENE_S123``; ``accession``,
        ``residue``, ``position`` and ``window`` used when present).
    var
        The features' annotation (same order as ``ids``); a column of sequence windows is found by content.

    Returns
    -------
    tuple
        The new feature names (the matched network target, else the normalised ``GENE_S123`` ID) and
        the report: ``n_features``, ``n_matched``, ``match_rate``, ``matched_gene_site``,
        ``matched_accession_site``, ``matched_window``, ``network_sites``, ``network_sites_matched``.

    Examples
    --------
    >>> net = pd.DataFrame({"source": ["K", "K"], "target": ["A_S5", "B_T9"], "weight": 1.0, "residue": ["S", "T"],
    ...                     "position": [5, 9], "accession": ["P1", "P2"], "window": ["AAAAAAASAAAAAAA", "CCCCCCCTCCCCCCC"]})
    >>> keys, info = match_sites(pd.Index(["A-S5", "P2:T9", "x"]), net)
    >>> list(keys), round(info["match_rate"], 3)
    (['A_S5', 'B_T9', 'x'], 0.667)
    """
    ids = pd.Index(ids).astype(str)
    var = var if var is not None else pd.DataFrame(index=ids)
    targets = set(net["target"].astype(str))
    gene_key, acc_key = _style_keys(ids, net)
    by_gene = gene_key.isin(list(targets)).to_numpy()
    by_acc = ~by_gene & acc_key.notna().to_numpy()
    keys = np.where(by_gene, gene_key, np.where(by_acc, acc_key, gene_key)).astype(object)
    by_win = np.zeros(len(ids), dtype=bool)
    windows = _net_windows(net)
    if windows:
        for i, core in enumerate(_id_windows(ids, var)):
            if not (by_gene[i] or by_acc[i]) and core in windows:
                keys[i], by_win[i] = windows[core], True
    hit = by_gene | by_acc | by_win
    info = {"n_features": len(ids), "n_matched": int(hit.sum()), "match_rate": float(hit.mean()) if len(ids) else 0.0,
            "matched_gene_site": int(by_gene.sum()), "matched_accession_site": int(by_acc.sum()),
            "matched_window": int(by_win.sum()), "network_sites": len(targets),
            "network_sites_matched": len(targets & set(keys[hit]))}
    if info["n_matched"] < 0.01 * max(len(ids), 1):
        warnings.warn(f"activity: only {info['n_matched']} of {len(ids)} phosphosites match the network's sites "
                      "(gene_residue+position IDs such as EGFR_Y1068, accession+site P00533_Y1068, or sequence "
                      "windows); check the site IDs.", UserWarning, stacklevel=3)
    return pd.Index(keys.astype(str)), info


def site_network(net: pd.DataFrame) -> pd.DataFrame:
    """The network as a site network when its targets are phosphosites (by content), else unchanged.

    A user's kinase -> substrate table whose targets mostly (> 50%) parse as sites (``EGFR_Y1068``,
    ``EGFR-Y1068``) gets ``substrate``, ``residue`` and ``position`` columns and ``GENE_Y1068`` targets.

    Parameters
    ----------
    net
        Long ``source``, ``target``, ``weight`` table.

    Returns
    -------
    DataFrame
        The site network (``attrs`` kept), or ``net`` itself.

    Examples
    --------
    >>> net = pd.DataFrame({"source": ["K"], "target": ["EGFR-Y1068"], "weight": [1.0]})
    >>> site_network(net)[["target", "residue", "position"]].values.tolist()
    [['EGFR_Y1068', 'Y', 1068]]
    """
    if "residue" in net.columns or not len(net):
        return net
    parsed = parse_site_ids(net["target"].astype(str))
    ok = parsed["n_sites"].to_numpy() > 0
    if ok.mean() <= 0.5:
        return net
    out = net.loc[ok].copy()
    out["target"] = parsed.loc[ok, "site_id"].to_numpy()
    out["substrate"], out["residue"] = parsed.loc[ok, "gene"].to_numpy(), parsed.loc[ok, "residue"].to_numpy()
    out["position"] = parsed.loc[ok, "position"].astype(int).to_numpy()
    out.attrs = dict(net.attrs)
    return out.reset_index(drop=True)


def match_line(info: dict[str, Any]) -> str:
    """One printable line of a :func:`match_sites` report.

    Parameters
    ----------
    info
        The report (``uns['activity']['params']`` of a site resource holds it too).

    Returns
    -------
    str
        ``phosphosites matched: N of M (x%; gene+site a, accession+site b, window c); ...``.

    Examples
    --------
    >>> match_line({"n_matched": 2, "n_features": 4, "match_rate": 0.5, "matched_gene_site": 1,
    ...             "matched_accession_site": 0, "matched_window": 1, "network_sites_matched": 2, "network_sites": 9})[:40]
    'phosphosites matched: 2 of 4 (50.0%; gen'
    """
    return (f"phosphosites matched: {info['n_matched']:,} of {info['n_features']:,} ({100 * info['match_rate']:.1f}%; "
            f"gene+site {info['matched_gene_site']:,}, accession+site {info['matched_accession_site']:,}, "
            f"window {info['matched_window']:,}); {info['network_sites_matched']:,} of {info['network_sites']:,} "
            "network sites measured")
