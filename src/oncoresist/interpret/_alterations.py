"""One patient's alterations from every layer of a cohort, in the knowledge base's vocabulary.

- ``mut``: the tidy variant table (``uns['variants']``), protein changes in any notation;
  silent / non-coding variants are counted, not interpreted; without a variant table the
  binary matrix gives gene-level mutations.
- ``cnv``: amplification / deep deletion from the gene-level log2 ratio (or GISTIC-like calls).
- ``rna`` / ``prot``: over- / under-expression outliers against the cohort (robust z-score).
- ``meth``: promoter hyper- / hypomethylation (``var['gene']`` names the promoter's gene).
- fusions: ``mdata.uns['fusions']`` (``sample`` + ``fusion`` or ``gene5`` / ``gene3``) or
  variant-table rows of class ``Fusion``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from ..kb._alteration import Alteration, normalize_gene, parse_alteration, parse_signature

__all__ = ["Thresholds", "patient_alterations", "ALTERATION_COLUMNS"]

#: Columns of the alteration table.
ALTERATION_COLUMNS = [
    "layer", "gene", "kind", "alteration", "label", "partner", "effect", "value", "evidence_text",
    "detail", "source_text",
]  # fmt: skip

_NON_CODING = {
    "silent", "intron", "3'utr", "5'utr", "3'flank", "5'flank", "igr", "rna", "lincrna",
    "synonymous_variant", "intron_variant", "intergenic_variant", "5_prime_utr_variant",
    "3_prime_utr_variant", "upstream_gene_variant", "downstream_gene_variant",
}  # fmt: skip
_UNKNOWN_SYMBOLS = {"", "unknown", ".", "-", "na", "nan", "none", "null"}


@dataclass(frozen=True)
class Thresholds:
    """Calling thresholds for copy number, expression and methylation.

    Parameters
    ----------
    amp_log2, del_log2
        Gene log2 ratio at or above / at or below which a gene is amplified / deeply deleted
        (with ``uns['cnv']['values'] == 'calls'``: calls >= 2 / <= -2).
    z
        Robust z-score of an expression outlier against the cohort: distance from the median
        in units of 1.4826 x the median absolute deviation of the opposite half (double MAD,
        robust to a large subgroup of high or low expressers).
    min_cohort
        Fewest samples with a value for outlier calls against the cohort.
    meth_high
        Beta value at or above which a promoter counts as methylated.
    meth_delta
        Beta difference from the cohort's lower (hyper) / upper (hypo) quartile required.

    Examples
    --------
    >>> Thresholds(amp_log2=1.5).amp_log2, Thresholds().z
    (1.5, 2.0)
    """

    amp_log2: float = 1.0
    del_log2: float = -1.0
    z: float = 2.0
    min_cohort: int = 10
    meth_high: float = 0.3
    meth_delta: float = 0.2


def _row_of(adata: Any, patient: str) -> np.ndarray | None:
    if patient not in adata.obs_names:
        return None
    x = adata[patient].X
    x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
    return np.asarray(x, dtype=float).ravel()


def _layer_row(mdata: Any, mod: str, patient: str) -> tuple[Any, np.ndarray] | None:
    """The modality and the patient's row of it, or None when either is absent."""
    if mod not in mdata.mod:
        return None
    adata = mdata.mod[mod]
    row = _row_of(adata, patient)
    return None if row is None else (adata, row)


def _matrix(adata: Any) -> np.ndarray:
    x = adata.X
    x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
    return np.asarray(x, dtype=float)


def _double_mad_z(X: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Robust z of ``x`` against each column of ``X`` with a side-specific (double) MAD.

    The spread above the median is estimated from the values above it and vice versa, so a
    sizeable subgroup of high expressers (a planted or real resistance mechanism carried by a
    fifth of the cohort) does not inflate the scale used to call the low side, and the other
    way round. Falls back to the two-sided MAD, then the SD, when one side is flat.
    """
    med = np.nanmedian(X, axis=0)
    dev = X - med
    with np.errstate(invalid="ignore"):
        up = np.where(dev >= 0, np.abs(dev), np.nan)
        lo = np.where(dev <= 0, np.abs(dev), np.nan)
    both = np.nanmedian(np.abs(dev), axis=0) * 1.4826
    sd = np.nanstd(X, axis=0)

    def side(a: np.ndarray) -> np.ndarray:
        ok = np.sum(~np.isnan(a), axis=0) > 0
        out = np.full(a.shape[1], np.nan)
        if ok.any():
            out[ok] = np.nanmedian(a[:, ok], axis=0) * 1.4826
        out = np.where(out > 1e-12, out, both)
        return np.where(out > 1e-12, out, np.where(sd > 1e-12, sd, np.nan))

    # an over-expression is judged against the spread of the lower half, and vice versa
    scale = np.where(x >= med, side(lo), side(up))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - med) / scale


def _alt_row(layer: str, a: Alteration, *, value: float = np.nan, evidence_text: str = "", detail: str = "", source_text: str = "") -> dict:
    return {
        "layer": layer, "gene": a.gene, "kind": a.kind, "alteration": a.alteration, "label": a.label,
        "partner": a.partner, "effect": a.effect, "value": value, "evidence_text": evidence_text,
        "detail": detail, "source_text": source_text, "_obj": a,
    }  # fmt: skip


def _mutations(mdata: Any, patient: str, out: list[dict], bad: list[dict], notes: list[str], hgvsc: dict[str, str]) -> None:
    if "mut" not in mdata.mod:
        return
    mut = mdata.mod["mut"]
    variants = mut.uns.get("variants") if hasattr(mut, "uns") else None
    if isinstance(variants, pd.DataFrame) and "sample" in variants.columns and "gene" in variants.columns:
        v = variants[variants["sample"].astype(str) == patient]
        n_skipped = 0
        for r in v.to_dict("records"):
            gene_raw = str(r.get("gene", "")).strip()
            vclass = str(r.get("variant_class", "") or "")
            pc = r.get("protein_change")
            hp = r.get("hgvsp")
            hc = str(r.get("hgvsc", "") or "")
            text = next((str(t) for t in (pc, hp) if t is not None and str(t).strip() not in ("", "nan", "None", ".")), "")
            if vclass.lower() in _NON_CODING:
                n_skipped += 1
                continue
            if gene_raw.lower() in _UNKNOWN_SYMBOLS or not re.match(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", gene_raw):
                bad.append({"layer": "mut", "item": f"{gene_raw or '(empty)'} {text}".strip(), "reason": "unknown gene symbol: the variant is not assigned to a gene, so no evidence can be looked up"})
                continue
            gene = normalize_gene(gene_raw)
            if "fusion" in vclass.lower():
                try:
                    a = parse_alteration(f"{text or gene} fusion") if "::" in text or "-" in text else parse_alteration(f"{gene} fusion")
                except InputError as e:
                    bad.append({"layer": "mut", "item": f"{gene} {text}", "reason": str(e)})
                    continue
                out.append(_alt_row("fusion", a, detail=vclass, source_text=text))
                continue
            vaf = r.get("vaf")
            vaf_f = float(vaf) if vaf is not None and str(vaf) not in ("", "nan") else np.nan
            try:
                if not text:
                    if "splice" in vclass.lower():
                        text = "splice"
                    else:
                        raise InputError(f"no protein change given (variant class {vclass or 'unknown'})")
                a = parse_alteration(text, gene=gene)
                exon = r.get("exon") or r.get("Exon_Number")
                if exon is not None and str(exon) not in ("", "nan") and a.exon is None:
                    m = re.match(r"^(\d+)", str(exon))
                    if m:
                        from dataclasses import replace

                        a = replace(a, exon=int(m.group(1)))
            except InputError as e:
                reason = str(e).split(":")[0] if "cannot understand" in str(e) else str(e)
                bad.append({"layer": "mut", "item": f"{gene} {text or hc or vclass}".strip(), "reason": f"variant not understood ({reason}); interpreted as a gene-level {gene} mutation"})
                a = Alteration(gene, "mutation", "mutation", mtype="any")
            if a.mtype == "synonymous":
                n_skipped += 1
                continue
            if hc:
                hgvsc[a.key] = hc
            ev = f"VAF {vaf_f:.2f}" if vaf_f == vaf_f else ""
            out.append(_alt_row("mut", a, value=vaf_f, evidence_text=ev, detail=vclass, source_text=text or hc))
        if n_skipped:
            notes.append(f"{n_skipped} silent / non-coding variant(s) of this patient were not interpreted.")
        return
    row = _row_of(mut, patient)
    if row is None:
        return
    for g, val in zip(mut.var_names, row):
        if val == val and val > 0:
            a = Alteration(normalize_gene(g), "mutation", "mutation", mtype="any")
            out.append(_alt_row("mut", a, value=float(val), evidence_text="mutated (no variant table)", source_text=str(g)))
    notes.append("the mutation layer has no variant table (uns['variants']): mutations are gene-level only.")


def _cnv(mdata: Any, patient: str, out: list[dict], th: Thresholds, genes: set[str] | None, notes: list[str]) -> None:
    if (found := _layer_row(mdata, "cnv", patient)) is None:
        return
    cnv, row = found
    calls = str((cnv.uns.get("cnv") or {}).get("values", "")).lower() == "calls"
    hi, lo = (2.0, -2.0) if calls else (th.amp_log2, th.del_log2)
    n_other = 0
    for g, val in zip(cnv.var_names, row):
        if val != val:
            continue
        gene = normalize_gene(g)
        kind = "amplification" if val >= hi else "deletion" if val <= lo else None
        if kind is None:
            continue
        if genes is not None and gene not in genes:
            n_other += 1
            continue
        a = Alteration(gene, kind, kind)
        txt = f"call {val:+.0f}" if calls else f"log2 {val:+.2f}"
        out.append(_alt_row("cnv", a, value=float(val), evidence_text=txt))
    if n_other:
        notes.append(f"{n_other} other amplified / deleted gene(s) without knowledge-base evidence are not listed.")


def _outliers(mdata: Any, layer: str, patient: str, out: list[dict], th: Thresholds, genes: set[str] | None, notes: list[str]) -> None:
    if (found := _layer_row(mdata, layer, patient)) is None:
        return
    ad, row = found
    names = ad.var["gene"].astype(str).tolist() if "gene" in ad.var.columns else list(ad.var_names)
    norm = np.array([normalize_gene(g) for g in names], dtype=object)
    sel = np.array([(genes is None or g in genes) for g in norm]) & ~np.isnan(row)
    if not sel.any():
        return
    X = _matrix(ad)[:, sel]
    n_ok = np.sum(~np.isnan(X), axis=0)
    enough = n_ok >= th.min_cohort
    n_small = int((~enough).sum())
    if n_small:
        notes.append(f"{layer}: {n_small} gene(s) measured in fewer than {th.min_cohort} samples: no outlier call.")
    X, x, g_sel = X[:, enough], row[sel][enough], norm[sel][enough]
    if X.shape[1] == 0:
        return
    z = _double_mad_z(X, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = (np.sum(X < x, axis=0) + 0.5 * np.sum(X == x, axis=0)) / n_ok[enough]
    kind = "protein" if layer == "prot" else "expression"
    for gene, zi, pi in zip(g_sel, z, pct):
        if zi != zi:
            continue
        if zi >= th.z:
            alt = "overexpression"
        elif zi <= -th.z:
            alt = "underexpression"
        else:
            continue
        a = Alteration(str(gene), kind, alt)
        out.append(_alt_row(layer, a, value=float(zi), evidence_text=f"z {zi:+.1f} (percentile {100 * pi:.0f})"))


def _methylation(mdata: Any, patient: str, out: list[dict], th: Thresholds, genes: set[str] | None, notes: list[str]) -> None:
    if (found := _layer_row(mdata, "meth", patient)) is None:
        return
    ad, row = found
    if "gene" not in ad.var.columns:
        notes.append("meth: var has no 'gene' column, so promoter methylation cannot be assigned to genes.")
        return
    gcol = ad.var["gene"].astype(str).map(lambda s: normalize_gene(s) if s and s.lower() not in _UNKNOWN_SYMBOLS else "")
    keep = gcol.map(lambda g: bool(g) and (genes is None or g in genes)).to_numpy()
    if not keep.any():
        return
    X = _matrix(ad)[:, keep]
    r = row[keep]
    g_kept = gcol.to_numpy()[keep]
    uniq, inv = np.unique(g_kept, return_inverse=True)
    # per-gene mean beta over its probes, ignoring missing values (samples x genes)
    M = np.zeros((len(uniq), len(g_kept)))
    M[inv, np.arange(len(g_kept))] = 1.0
    ok = ~np.isnan(X)
    sums = np.where(ok, X, 0.0) @ M.T
    counts = ok.astype(float) @ M.T
    with np.errstate(invalid="ignore", divide="ignore"):
        gene_beta = np.where(counts > 0, sums / counts, np.nan)
        rok = ~np.isnan(r)
        p_sum = np.where(rok, r, 0.0) @ M.T
        p_cnt = rok.astype(float) @ M.T
        p_beta = np.where(p_cnt > 0, p_sum / p_cnt, np.nan)
    n_probes = M.sum(axis=1).astype(int)
    for j, gene in enumerate(uniq):
        beta = p_beta[j]
        if beta != beta:
            continue
        cohort = gene_beta[:, j]
        cohort = cohort[~np.isnan(cohort)]
        if len(cohort) < th.min_cohort:
            continue
        q25, q75 = float(np.quantile(cohort, 0.25)), float(np.quantile(cohort, 0.75))
        if beta >= th.meth_high and beta - q25 >= th.meth_delta:
            alt = "promoter hypermethylation"
        elif q75 - beta >= th.meth_delta:
            alt = "promoter hypomethylation"
        else:
            continue
        a = Alteration(str(gene), "methylation", alt)
        out.append(_alt_row("meth", a, value=float(beta), evidence_text=f"beta {beta:.2f} (cohort quartiles {q25:.2f}-{q75:.2f}; {n_probes[j]} probe(s))"))


def _fusions(mdata: Any, patient: str, out: list[dict], bad: list[dict]) -> None:
    fus = mdata.uns.get("fusions") if hasattr(mdata, "uns") else None
    if not isinstance(fus, pd.DataFrame) or "sample" not in fus.columns:
        return
    for r in fus[fus["sample"].astype(str) == patient].to_dict("records"):
        text = str(r.get("fusion") or "").strip()
        if not text and r.get("gene5") and r.get("gene3"):
            text = f"{r['gene5']}::{r['gene3']}"
        try:
            a = parse_alteration(text if " " in text else f"{text} fusion")
        except InputError as e:
            bad.append({"layer": "fusion", "item": text, "reason": str(e)})
            continue
        out.append(_alt_row("fusion", a, source_text=text))


_MARKER_FLAGS = (("msi_high", "msi_score", "MSI-high"), ("tmb_high", "tmb", "TMB-high"), ("hrd_high", "hrd_score", "HRD-positive"))


def _obs_row(mdata: Any, patient: str) -> pd.Series | None:
    """The patient's row of the cohort's sample table, or None."""
    obs = getattr(mdata, "obs", None)
    if obs is None or patient not in obs.index:
        return None
    return obs.loc[patient]


def _genome_markers(mdata: Any, patient: str, out: list[dict], notes: list[str]) -> None:
    """MSI-high / TMB-high / HRD from the cohort's sample columns: calls of ``tl.add_biomarkers`` or a sheet's status text."""
    row = _obs_row(mdata, patient)
    if row is None:
        return
    seen: set[str] = set()
    for flag, score, label in _MARKER_FLAGS:
        v = row.get(flag)
        if v is not None and pd.notna(v) and str(v).strip().lower() in ("true", "1", "1.0", "yes"):
            a = parse_signature(label)
            if a is not None:
                value = float(row[score]) if score in row.index and pd.notna(row[score]) else np.nan
                out.append(_alt_row("biomarker", a, value=value, source_text=f"obs['{flag}']",
                                    detail=f"{score} = {value:.3g}" if np.isfinite(value) else ""))
                seen.add(a.label)
    for col in row.index:  # a sample sheet's own status columns ("MSI_status" = "MSI-H", "tmb_status" = "TMB-high")
        name = str(col).lower()
        if not any(k in name for k in ("msi", "tmb", "hrd", "mmr")) or not isinstance(row[col], str):
            continue
        a = parse_signature(row[col].strip())
        if a is not None and a.label not in seen and a.label in ("MSI-high", "TMB-high", "HRD-positive"):
            out.append(_alt_row("biomarker", a, source_text=f"obs['{col}'] = {row[col]!r}"))
            seen.add(a.label)
    if seen:
        notes.append(f"genome-wide biomarkers from the sample table: {', '.join(sorted(seen))}")


def patient_alterations(
    mdata: Any,
    patient: str,
    *,
    genes: set[str] | None = None,
    thresholds: Thresholds | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, str]]:
    """Every alteration of one patient across the cohort's layers.

    Parameters
    ----------
    mdata
        The cohort (MuData).
    patient
        Sample ID (``mdata.obs_names``).
    genes
        Genes to report copy-number / expression / methylation calls for (typically the
        knowledge base's genes); ``None`` reports all. Mutations are always all reported.
    thresholds
        Calling thresholds (:class:`Thresholds`).

    Returns
    -------
    (alterations, not_understood, notes, hgvsc)
        ``alterations``: one row per alteration (columns :data:`ALTERATION_COLUMNS`, plus the
        parsed :class:`~oncoresist.kb.Alteration` in ``attrs['objects']``);
        ``not_understood``: ``layer, item, reason``; ``notes``: what was skipped and why;
        ``hgvsc``: alteration key -> cDNA change.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> mut = ad.AnnData(np.ones((1, 1)), obs=pd.DataFrame(index=["P1"]), var=pd.DataFrame(index=["EGFR"]))
    >>> mut.uns["variants"] = pd.DataFrame({"sample": ["P1"], "gene": ["EGFR"], "protein_change": ["p.T790M"],
    ...                                     "variant_class": ["Missense_Mutation"]})
    >>> alts, bad, notes, _ = patient_alterations(md.MuData({"mut": mut}), "P1")
    >>> alts["label"].tolist()
    ['EGFR T790M']
    """
    th = thresholds or Thresholds()
    out: list[dict] = []
    bad: list[dict] = []
    notes: list[str] = []
    hgvsc: dict[str, str] = {}
    _mutations(mdata, patient, out, bad, notes, hgvsc)
    _cnv(mdata, patient, out, th, genes, notes)
    _outliers(mdata, "rna", patient, out, th, genes, notes)
    _outliers(mdata, "prot", patient, out, th, genes, notes)
    _methylation(mdata, patient, out, th, genes, notes)
    _fusions(mdata, patient, out, bad)
    _genome_markers(mdata, patient, out, notes)
    df = pd.DataFrame(out, columns=[*ALTERATION_COLUMNS, "_obj"])
    objects = list(df.pop("_obj")) if len(df) else []
    df = df.reset_index(drop=True)
    df.attrs["objects"] = objects
    df.attrs["thresholds"] = asdict(th)
    not_understood = pd.DataFrame(bad, columns=["layer", "item", "reason"])
    return df, not_understood, notes, hgvsc
