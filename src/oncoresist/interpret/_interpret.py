"""Interpretation of one patient: evidence, tiers, resistance alerts, therapy options, targets.

:func:`interpret_patient` reads a patient from a cohort (every layer, the ex vivo screen, model
predictions and the cohort's association analysis when present); :func:`interpret_alterations`
interprets a plain list or table of alterations (a VCF / MAF of one tumour, a panel report).
Both return an :class:`Interpretation` whose tables are tidy DataFrames.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_write_text, write_csv
from ..get import higher_is as get_higher_is
from ..kb._alteration import Alteration, normalize_gene, parse_alteration
from ..kb._kb import KnowledgeBase, open_kb
from ..kb._match import Match, match_clause
from ..kb._vocab import MATCHING_RELATIONS
from ._alterations import ALTERATION_COLUMNS, Thresholds, patient_alterations
from ._resistance import RESISTANCE_COLUMNS, drug_evidence, resistance_expected
from ._tiers import amp_tier, infer_mechanism, tier_rank

__all__ = ["Interpretation", "interpret_patient", "interpret_alterations", "resolve_kb"]

_TUMOUR_COLUMNS = ("tumour_type", "tumor_type", "cancer_type", "disease", "diagnosis", "histology", "primary_site", "tissue")  # fmt: skip
_THERAPY_COLUMNS = ("current_therapy", "therapy", "treatment", "current_treatment", "regimen")
_TIER_SCORE = {"I-A": 1.0, "I-B": 0.85, "II-C": 0.6, "II-D": 0.35, "III": 0.15}
_TARGET_WEIGHTS = {"evidence": 0.35, "pathway_role": 0.15, "druggability": 0.2, "specificity": 0.15, "association": 0.15}

EVIDENCE_COLUMNS = [
    "alteration", "gene", "biomarker", "match", "match_note", "therapy", "drugs", "interaction",
    "direction", "level", "tier", "disease", "disease_relation", "disease_match", "mechanism",
    "citation", "citation_label", "url", "source", "evidence_id", "summary", "wildtype_only",
]  # fmt: skip


@dataclass
class Interpretation:
    """Everything known about one patient's alterations and drugs.

    Attributes
    ----------
    patient
        Sample ID.
    tumour_type, disease, disease_how
        Tumour type as given, the disease it resolved to in the KB hierarchy (None when not
        understood) and how (``exact``, ``synonym``, ``rule: ...``, ``unknown``).
    therapy
        Current / given therapy (canonical drug names).
    alterations
        One row per alteration (layer, gene, kind, alteration, label, effect, value, ...).
    evidence
        Matched evidence, one row per (alteration(s), evidence item), with AMP/ASCO/CAP tier.
    alerts
        Resistance alerts: drug, alteration, mechanism, tier, citations, alternatives,
        combinations, ex vivo concordance.
    options
        Therapy options (sensitivity evidence) by therapy, best tier first.
    targets
        Target-priority scores with their parts.
    screen
        The patient's ex vivo drug screen against the cohort (empty when not screened).
    predictions
        Model predictions for the patient (empty when none).
    not_understood
        What could not be interpreted (unknown genes, unparseable variants, unknown tumour
        type or drug names, an empty patient) and why.
    notes
        Caveats and what was skipped.
    kb
        Version, path and sources of the knowledge base used.
    params
        Thresholds and options.
    resistance_expected
        Drugs the patient's alterations make resistant at evidence comparable to or stronger
        than any sensitivity evidence (never listed as options or alternatives): drug, class,
        alteration, mechanism, tier, how (``direct`` / ``inferred from class: ...``), on_label,
        what sensitivity evidence it outranks and the reason.
    """

    patient: str
    tumour_type: str | None
    disease: str | None
    disease_how: str
    therapy: list[str]
    alterations: pd.DataFrame
    evidence: pd.DataFrame
    alerts: pd.DataFrame
    options: pd.DataFrame
    targets: pd.DataFrame
    screen: pd.DataFrame
    predictions: pd.DataFrame
    not_understood: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    kb: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    resistance_expected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESISTANCE_COLUMNS))

    def summary(self) -> dict[str, Any]:
        """Counts and headline findings (JSON-able)."""
        top_alerts = [
            f"{r.drug}: {r.alteration} ({r.mechanism}, tier {r.tier})" for r in self.alerts.head(5).itertuples(index=False)
        ]
        top_options = [f"{r.therapy} (tier {r.tier}; {r.alterations})" for r in self.options.head(5).itertuples(index=False)]
        return {
            "patient": self.patient,
            "tumour_type": self.tumour_type,
            "disease": self.disease,
            "therapy": self.therapy,
            "n_alterations": int(len(self.alterations)),
            "n_evidence": int(len(self.evidence)),
            "n_alerts": int(len(self.alerts)),
            "n_options": int(len(self.options)),
            "n_resistance_expected": int(len(self.resistance_expected)),
            "resistance_expected": [f"{r.drug}: {r.reason}" for r in self.resistance_expected.head(8).itertuples(index=False)],
            "n_not_understood": int(len(self.not_understood)),
            "top_alerts": top_alerts,
            "top_options": top_options,
            "kb": self.kb,
        }

    def write(self, out: PathLike) -> Path:
        """Write every table as CSV plus ``summary.json`` into the folder ``out`` (atomically)."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        for name in ("alterations", "evidence", "alerts", "options", "resistance_expected", "targets", "screen", "predictions", "not_understood"):
            write_csv(getattr(self, name), d / f"{name}.csv")
        payload = self.summary() | {"notes": self.notes, "params": self.params}
        atomic_write_text(d / "summary.json", json.dumps(payload, indent=2, default=str))
        return d


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def resolve_kb(kb: KnowledgeBase | PathLike | None) -> tuple[KnowledgeBase, bool]:
    """Open a :class:`KnowledgeBase` from an object, a path or None (the default location).

    Returns the KB and whether the caller must close it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> kb, own = resolve_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb")
    >>> own
    True
    >>> kb.close()
    """
    if isinstance(kb, KnowledgeBase):
        return kb, False
    return open_kb(kb, read_only=True), True


def _obs_value(mdata: Any, patient: str, columns: tuple[str, ...], explicit: str | None) -> tuple[str | None, str | None]:
    obs = mdata.obs
    cols = [explicit] if explicit else [c for c in columns if c in obs.columns]
    if explicit and explicit not in obs.columns:
        msg = f"column {explicit!r} is not in the cohort's obs: found {', '.join(map(str, list(obs.columns)[:15]))}."
        raise InputError(msg)
    for c in cols:
        v = obs.loc[patient, c]
        if v is not None and str(v).strip() not in ("", "nan", "None", "NA"):
            return str(v).strip(), c
    return None, None


def _split_drugs(text: str | list[str] | None) -> list[str]:
    if text is None:
        return []
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [t.strip() for t in re.split(r"\s*(?:\+|,|;|/)\s*", str(text)) if t.strip()]


def _drugs_from_screen_name(name: str) -> list[str]:
    return [t.strip() for t in re.split(r"\s*(?:\+|\||;| and )\s*", str(name)) if t.strip()]


# --------------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------------
def _match_evidence(
    kb: KnowledgeBase,
    objs: list[Alteration],
    labels: list[str],
    hgvsc: dict[str, str],
    disease: str | None,
    measured_genes: set[str] | None,
) -> pd.DataFrame:
    v = kb.vocab
    genes = {a.gene for a in objs} | {a.partner for a in objs if a.partner}
    mutated = {a.gene for a in objs if a.kind == "mutation"}
    wt_genes: set[str] = set()
    if measured_genes:
        wt = kb.con.execute("SELECT DISTINCT gene FROM biomarker WHERE mtype = 'wildtype'").fetchall()
        wt_genes = {g for (g,) in wt if g in measured_genes and g not in mutated}
    if not genes and not wt_genes:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    ev = kb.evidence(sorted(genes | wt_genes))
    rows = []
    for r in ev.itertuples(index=False):
        best: tuple[Match, list[int], list[str]] | None = None
        for clause in r.clauses:
            wt_notes: list[str] = []
            rest: list[Alteration] = []
            ok = True
            for a in clause:
                if a.mtype == "wildtype":
                    if a.gene in wt_genes:
                        wt_notes.append(f"{a.gene} wild-type (measured, not mutated)")
                    else:
                        ok = False
                else:
                    rest.append(a)
            if not ok:
                continue
            if rest:
                res = match_clause(rest, objs, hgvsc=hgvsc)
                if res is None:
                    continue
                m, used = res
                if wt_notes:
                    m = Match(m.quality, "; ".join([m.note, *wt_notes]).strip("; "))
            else:
                m, used = Match("exact", "; ".join(wt_notes)), []
            if best is None or m.weight > best[0].weight:
                best = (m, used, wt_notes)
        if best is None:
            continue
        m, used, wt_notes = best
        used_labels = [labels[i] for i in dict.fromkeys(used)] + [n.split(" (")[0] for n in wt_notes]
        used_genes = [objs[i].gene for i in used] or [n.split(" ")[0] for n in wt_notes]
        relation = v.relation(disease, r.disease) if disease else "unknown"
        dmatch = relation in MATCHING_RELATIONS
        tier = amp_tier(r.level, dmatch, inferred=m.quality == "inferred")
        mech = r.mechanism
        wildtype_only = not used and bool(wt_notes)
        if wildtype_only:
            mech = "gene not altered (wild-type)"
        elif not mech:
            targets = {t for d in r.drugs for t in v.drug_targets.get(d, [])}
            classes = {v.drug_class.get(d, "") for d in r.drugs} | set(filter(None, str(r.drug_class or "").split("|")))
            g0 = used_genes[0] if used_genes else ""
            kind0 = objs[used[0]].kind if used else "mutation"
            mech = infer_mechanism(
                direction=r.direction, gene=g0, kind=kind0, drug_targets=targets, drug_classes=classes,
                role=v.gene_role.get(g0, ""), pathway=v.gene_pathway.get(g0, ""),
            )  # fmt: skip
        rows.append(
            {
                "alteration": "; ".join(used_labels), "gene": ", ".join(dict.fromkeys(used_genes)),
                "biomarker": r.profile, "match": m.quality, "match_note": m.note, "therapy": r.therapy,
                "drugs": list(r.drugs), "drug_class": r.drug_class or "", "interaction": r.interaction,
                "direction": r.direction, "level": r.level, "tier": tier, "disease": r.disease,
                "disease_relation": relation, "disease_match": dmatch, "mechanism": mech,
                "citation": r.citation, "citation_label": r.citation_label, "url": r.url, "source": r.source,
                "evidence_id": r.evidence_id, "summary": r.summary, "wildtype_only": wildtype_only, "_w": m.weight,
            }
        )  # fmt: skip
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=[*EVIDENCE_COLUMNS, "drug_class"])
    out["_t"] = out["tier"].map(tier_rank)
    out["_l"] = out["level"].map(lambda x: "ABCDE".find(str(x)) if str(x) in "ABCDE" else 9)
    out["_d"] = ~out["disease_match"].astype(bool)
    out = out.sort_values(["_d", "_t", "_l", "_w", "evidence_id"], ascending=[True, True, True, False, True])
    return out.drop(columns=["_d", "_t", "_l", "_w"]).reset_index(drop=True)


def _evidence_drugs(row: Any, kb: KnowledgeBase) -> set[str]:
    """Single drugs an evidence row speaks about: its drugs, or the members of its class.

    Combination evidence is about the combination only: it returns an empty set.
    """
    if row["interaction"] == "combination":
        return set()
    drugs = set(row["drugs"])
    if row.get("drug_class"):
        for c in str(row["drug_class"]).split("|"):
            if c:
                drugs |= set(kb.vocab.drugs_of_class(c))
    return drugs


def _screen_members(name: str, kb: KnowledgeBase) -> list[str]:
    return [kb.vocab.resolve_drug(t) or t.lower() for t in _drugs_from_screen_name(str(name))]


def _screen_table(mdata: Any, patient: str, kb: KnowledgeBase, evidence: pd.DataFrame, *, sensitive_pct: float, resistant_pct: float) -> pd.DataFrame:
    cols = ["drug", "auc", "ic50_uM", "percentile", "z", "call", "kb_direction", "kb_tier", "concordance", "n_screened"]
    if mdata is None or "drug" not in getattr(mdata, "mod", {}):
        return pd.DataFrame(columns=cols)
    ad = mdata.mod["drug"]
    if patient not in ad.obs_names:
        return pd.DataFrame(columns=cols)
    X = ad.X.toarray() if hasattr(ad.X, "toarray") else np.asarray(ad.X, dtype=float)
    i = list(ad.obs_names).index(patient)
    ic50 = ad.layers["ic50_uM"] if "ic50_uM" in ad.layers else None
    flip = get_higher_is(ad) == "sensitive"
    by_drug: dict[str, list[tuple[str, str]]] = {}
    combos: list[tuple[frozenset[str], str, str]] = []
    for _, r in evidence.iterrows():
        if r["interaction"] == "combination":
            combos.append((frozenset(r["drugs"]), r["direction"], r["tier"]))
        for d in _evidence_drugs(r, kb):
            by_drug.setdefault(d, []).append((r["direction"], r["tier"]))
    rows = []
    for j, name in enumerate(ad.var_names):
        x = float(X[i, j])
        if x != x:
            continue
        col = X[:, j]
        v = col[~np.isnan(col)]
        pct = float((v < x).mean() + 0.5 * (v == x).mean())
        sd = float(np.std(v))
        z = (x - float(np.mean(v))) / sd if sd > 0 else 0.0
        if flip:  # declared higher = more sensitive: percentile 0 stays the most sensitive sample
            pct, z = 1.0 - pct, -z
        call = "sensitive" if pct * 100 <= sensitive_pct else "resistant" if pct * 100 >= resistant_pct else "intermediate"
        members = _screen_members(str(name), kb)
        kb_dir, kb_tier = "", ""
        if len(members) == 1:
            items = by_drug.get(members[0], [])
        else:
            items = [(dr, t) for ds, dr, t in combos if ds == frozenset(members)]
        if items:
            best = min(tier_rank(t) for _, t in items)
            dirs = {d for d, t in items if tier_rank(t) == best}
            kb_dir = dirs.pop() if len(dirs) == 1 else "conflicting"
            kb_tier = [t for _, t in items if tier_rank(t) == best][0]
        conc = ""
        if kb_dir in ("sensitivity", "resistance") and call != "intermediate":
            conc = "concordant" if (kb_dir == "sensitivity") == (call == "sensitive") else "discordant"
        ic = float(ic50[i, j]) if ic50 is not None else np.nan
        rows.append((str(name), x, ic, 100 * pct, z, call, kb_dir, kb_tier, conc, int(len(v))))
    out = pd.DataFrame(rows, columns=cols)
    for c in ("dose_min_uM", "dose_max_uM"):  # the tested range, so an IC50 beyond it is reported as such
        out[c] = ad.var[c].reindex(out["drug"]).to_numpy(float) if c in ad.var.columns else np.nan
    return out.sort_values("percentile").reset_index(drop=True)


def _predictions_table(mdata: Any, patient: str, predictions: Any) -> pd.DataFrame:
    cols = ["drug", "predicted", "percentile", "source"]
    src = "argument"
    pred = predictions
    if pred is None and mdata is not None:
        uns_pred = mdata.uns.get("predictions") if hasattr(mdata, "uns") else None
        if isinstance(uns_pred, pd.DataFrame):
            pred, src = uns_pred, "mdata.uns['predictions']"
        else:
            for k in getattr(mdata, "obsm", {}).keys():
                if "pred" in str(k).lower() and isinstance(mdata.obsm[k], pd.DataFrame):
                    pred, src = mdata.obsm[k], f"mdata.obsm['{k}']"
                    break
    if pred is None:
        return pd.DataFrame(columns=cols)
    if isinstance(pred, pd.Series):
        return pd.DataFrame({"drug": pred.index.astype(str), "predicted": pred.to_numpy(float), "percentile": np.nan, "source": src}).sort_values("predicted").reset_index(drop=True)
    if not isinstance(pred, pd.DataFrame):
        msg = f"predictions must be a DataFrame (samples x drugs) or a Series (drug -> value), got {type(pred).__name__}."
        raise InputError(msg)
    if patient not in pred.index:
        return pd.DataFrame(columns=cols)
    row = pred.loc[patient].astype(float)
    pct = [(pred[c].dropna() < row[c]).mean() * 100 if row[c] == row[c] else np.nan for c in pred.columns]
    out = pd.DataFrame({"drug": pred.columns.astype(str), "predicted": row.to_numpy(), "percentile": pct, "source": src})
    return out.dropna(subset=["predicted"]).sort_values("predicted").reset_index(drop=True)


def _alerts(
    kb: KnowledgeBase,
    evidence: pd.DataFrame,
    therapy: list[str],
    screen: pd.DataFrame,
    resisted: dict[str, str],
) -> pd.DataFrame:
    cols = [
        "drug", "current", "alteration", "gene", "mechanism", "tier", "level", "n_evidence", "citations",
        "alternatives", "combinations", "ex_vivo", "evidence_ids", "on_label",
    ]  # fmt: skip
    if evidence.empty:
        return pd.DataFrame(columns=cols)
    v = kb.vocab
    # a wild-type gene is not a resistance mechanism: such items stay in the evidence table only
    res = evidence[(evidence["direction"] == "resistance") & ~evidence["wildtype_only"].astype(bool)]
    sens = evidence[evidence["direction"] == "sensitivity"]
    wanted = set(therapy)
    screened = {m for n in screen["drug"] for m in _screen_members(n, kb)} if not screen.empty else set()
    groups: dict[tuple[str, str], list[pd.Series]] = {}
    for _, r in res.iterrows():
        if r["interaction"] == "combination":
            names = {r["therapy"]} if (not wanted or set(r["drugs"]) <= wanted) else set()
        else:
            names = set(r["drugs"])
            for c in filter(None, str(r["drug_class"] or "").split("|")):
                members = set(v.drugs_of_class(c))
                if wanted:
                    names |= members & wanted
                else:
                    names |= (members & screened) or {f"{c} (class)"}
            if wanted:
                names &= wanted
        for d in names:
            groups.setdefault((d, r["alteration"]), []).append(r)
    ex = screen.set_index("drug") if not screen.empty else None
    rows = []
    for (d, alt), rs in groups.items():
        rs = sorted(rs, key=lambda x: (tier_rank(x["tier"]), "ABCDE".find(x["level"])))
        top = rs[0]
        mechs = list(dict.fromkeys(x["mechanism"] for x in rs if x["mechanism"]))
        cits = list(dict.fromkeys(f"{x['citation_label']} ({x['citation']})" if x["citation"] else x["citation_label"] for x in rs))
        d_class = v.drug_class.get(d, "").lower()
        alt_set = set(alt.split("; "))
        alternatives, combos = [], []
        for _, s in sens.iterrows():
            if not (set(s["alteration"].split("; ")) & alt_set):
                continue
            sdrugs = set(s["drugs"]) or {f"{s['drug_class']} (class)"}
            if s["interaction"] == "combination":
                if not _combo_blocked(s, resisted):
                    combos.append((tier_rank(s["tier"]), f"{s['therapy']} ({s['tier']})"))
                continue
            if d in sdrugs:
                continue
            members = _evidence_drugs(s, kb) or sdrugs
            if members <= set(resisted):  # a resisted drug is never an alternative
                continue
            alternatives.append((tier_rank(s["tier"]), f"{s['therapy']} ({s['tier']})"))
        # combinations with the resisted drug (or its class) for any alteration of the patient
        for _, s in sens[sens["interaction"] == "combination"].iterrows():
            if _combo_blocked(s, resisted):
                continue
            if d in s["drugs"] or (d_class and any(v.drug_class.get(x, "").lower() == d_class for x in s["drugs"])):
                combos.append((tier_rank(s["tier"]), f"{s['therapy']} ({s['tier']})"))
        if not combos and any(m in ("bypass signalling", "target amplification") for m in mechs):
            genes = {g.strip() for g in str(top["gene"]).split(",")}
            inhibitors = sorted(x for x, ts in v.drug_targets.items() if genes & set(ts) and v.drug_approval.get(x) == "approved")
            if inhibitors:
                combos.append((9, f"rationale only: {d} + an inhibitor of {', '.join(sorted(genes))} ({', '.join(inhibitors[:4])})"))
        ex_txt = ""
        if ex is not None:
            cand = [n for n in ex.index if (v.resolve_drug(n) or n.lower()) == d]
            if cand:
                e = ex.loc[cand[0]]
                ex_txt = f"AUC percentile {e['percentile']:.0f} ({e['call']})"
        rows.append(
            {
                "drug": d, "current": d in wanted, "alteration": alt, "gene": top["gene"],
                "mechanism": "; ".join(mechs) or "unspecified", "tier": top["tier"], "level": top["level"],
                "n_evidence": len(rs), "citations": "; ".join(cits[:4]),
                "alternatives": "; ".join(x for _, x in sorted(dict.fromkeys(alternatives)))[:600],
                "combinations": "; ".join(x for _, x in sorted(dict.fromkeys(combos)))[:600],
                "ex_vivo": ex_txt, "evidence_ids": ", ".join(x["evidence_id"] for x in rs),
                "on_label": any(bool(x["disease_match"]) for x in rs),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_t"] = out["tier"].map(tier_rank)
    # current therapy first, then the patient's tumour type (off-label evidence after), then tier
    return out.sort_values(["current", "on_label", "_t", "n_evidence"], ascending=[False, False, True, False]).drop(columns="_t").reset_index(drop=True)


def _combo_blocked(s: Any, resisted: dict[str, str]) -> bool:
    """A combination with a member resisted by an alteration the combination's evidence does not address."""
    addressed = set(str(s["alteration"]).split("; "))
    return any(d in resisted and not (set(resisted[d].split("; ")) <= addressed) for d in s["drugs"])


def _options(kb: KnowledgeBase, evidence: pd.DataFrame, screen: pd.DataFrame, predictions: pd.DataFrame, resisted: dict[str, str]) -> pd.DataFrame:
    cols = ["therapy", "tier", "level", "alterations", "mechanism", "n_evidence", "citations", "conflicts", "ex_vivo_percentile", "predicted", "evidence_ids", "on_label"]  # fmt: skip
    sens = evidence[evidence["direction"] == "sensitivity"] if not evidence.empty else evidence
    if sens.empty:
        return pd.DataFrame(columns=cols)
    v = kb.vocab
    ex = {(v.resolve_drug(n) or n.lower()): p for n, p in zip(screen["drug"], screen["percentile"])} if not screen.empty else {}
    pr = {(v.resolve_drug(n) or n.lower()): p for n, p in zip(predictions["drug"], predictions["predicted"])} if not predictions.empty else {}
    res = evidence[evidence["direction"] == "resistance"]
    resist: dict[str, list[tuple[int, str]]] = {}
    for _, r in res.iterrows():
        for d in _evidence_drugs(r, kb):
            resist.setdefault(d, []).append((tier_rank(r["tier"]), f"{d}: {r['alteration']} ({r['mechanism']}, {r['tier']})"))
    rows = []
    for therapy, g in sens.groupby("therapy", sort=False):
        g = g.assign(_t=g["tier"].map(tier_rank)).sort_values(["_t", "level"])
        top = g.iloc[0]
        drugs = set(top["drugs"]) or _evidence_drugs(top, kb)
        if top["interaction"] == "combination":
            if _combo_blocked(top, resisted):
                continue
        elif drugs and drugs <= set(resisted):
            continue  # resistance expected: listed in resistance_expected, never an option
        conf_best: dict[str, tuple[int, str]] = {}
        for d in sorted(drugs):
            for rank, text in resist.get(d, []):
                key = text.rsplit(" (", 1)[0]
                if key not in conf_best or rank < conf_best[key][0]:
                    conf_best[key] = (rank, text)
        conf = "; ".join(t for _, t in sorted(conf_best.values()))
        conf_rank = min((r for r, _ in conf_best.values()), default=99)
        single = list(top["drugs"])[0] if len(top["drugs"]) == 1 else None
        if top["interaction"] == "class":
            members = sorted(_evidence_drugs(top, kb) - set(resisted))
            therapy = f"{therapy}: {', '.join(members)}" if members else therapy
        rows.append(
            {
                "therapy": therapy, "tier": top["tier"], "level": top["level"],
                "alterations": "; ".join(dict.fromkeys("; ".join(g["alteration"]).split("; "))),
                "mechanism": "; ".join(dict.fromkeys(x for x in g["mechanism"] if x)),
                "n_evidence": len(g),
                "citations": "; ".join(dict.fromkeys(f"{r.citation_label} ({r.citation})" if r.citation else r.citation_label for r in g.itertuples(index=False)))[:500],
                "conflicts": conf, "ex_vivo_percentile": ex.get(single, np.nan) if single else np.nan,
                "predicted": pr.get(single, np.nan) if single else np.nan,
                "evidence_ids": ", ".join(g["evidence_id"]), "_c": conf_rank, "on_label": bool(g["disease_match"].astype(bool).any()),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=[*cols, "_c"])
    out["_o"] = ~out["on_label"].astype(bool)
    out["_t"] = out["tier"].map(tier_rank)
    out["_x"] = out["ex_vivo_percentile"].fillna(50.0)
    # best tier first; among equal tiers, no / weaker conflicting resistance evidence first
    return out.sort_values(["_o", "_t", "_c", "_x", "n_evidence"], ascending=[True, True, False, True, False]).drop(columns=["_o", "_t", "_c", "_x"]).reset_index(drop=True)


def _association_table(mdata: Any, associations: pd.DataFrame | None) -> pd.DataFrame | None:
    res = associations
    if res is None and mdata is not None and hasattr(mdata, "uns"):
        a = mdata.uns.get("associate")
        if isinstance(a, dict) and isinstance(a.get("results"), pd.DataFrame):
            res = a["results"]
    if res is None:
        return None
    df = res.copy()
    if "gene" not in df.columns:
        fcol = "feature" if "feature" in df.columns else None
        if fcol is None:
            msg = "association results need a 'gene' or 'feature' column (as written by oncoresist.tl.associate)."
            raise InputError(msg)
        # once per distinct (layer, feature), with one feature -> gene map per layer: the table has
        # a row per feature and target, and every patient of a cohort reads it
        var_gene: dict[Any, dict[str, str]] = {}
        seen: dict[tuple[Any, Any], str] = {}
        genes = []
        for layer, feat in zip(df.get("layer", [""] * len(df)), df[fcol]):
            key = (layer, feat)
            if key not in seen:
                if layer not in var_gene:
                    mod = getattr(mdata, "mod", {}) if mdata is not None else {}
                    var = mod[layer].var if layer in mod else None
                    var_gene[layer] = dict(zip(var.index.astype(str), var["gene"].astype(str))) if var is not None and "gene" in var.columns else {}
                g = var_gene[layer].get(str(feat), str(feat))
                seen[key] = normalize_gene(re.sub(r"(_mut|_mutation|_cna|_amp|_del|_exp|_rna|_prot)$", "", g, flags=re.IGNORECASE))
            genes.append(seen[key])
        df["gene"] = genes
    if "drug" not in df.columns:
        df["drug"] = df["target"] if "target" in df.columns else ""
    q = next((c for c in ("fdr", "qvalue", "q", "padj", "pvalue") if c in df.columns), None)
    if q is None:
        msg = "association results need an 'fdr' (or qvalue / padj / pvalue) column."
        raise InputError(msg)
    df["_q"] = pd.to_numeric(df[q], errors="coerce")
    if "direction" not in df.columns:
        eff = next((c for c in ("coef", "effect_size", "effect", "delta", "estimate") if c in df.columns), None)
        df["direction"] = np.where(pd.to_numeric(df[eff], errors="coerce") < 0, "sensitivity", "resistance") if eff else ""
    return df


def _targets(
    kb: KnowledgeBase,
    alterations: pd.DataFrame,
    objs: list[Alteration],
    evidence: pd.DataFrame,
    mdata: Any,
    patient: str | None,
    assoc: pd.DataFrame | None,
) -> pd.DataFrame:
    cols = ["gene", "alterations", "score", "evidence", "pathway_role", "druggability", "specificity", "association", "best_therapies", "role", "pathway", "association_drug", "parts_used"]  # fmt: skip
    if alterations.empty:
        return pd.DataFrame(columns=cols)
    v = kb.vocab
    sens = evidence[evidence["direction"] == "sensitivity"] if not evidence.empty else evidence
    genes = list(dict.fromkeys(alterations["gene"]))
    rows = []
    for g in genes:
        sub_idx = [i for i, a in enumerate(objs) if a.gene == g]
        effects = {objs[i].effect for i in sub_idx}
        kinds = {objs[i].kind for i in sub_idx}
        role, pathway = v.gene_role.get(g, ""), v.gene_pathway.get(g, "")
        gs = sens[sens["gene"].str.split(", ").map(lambda x, g=g: g in x)] if not sens.empty else sens
        targeted_by = {d for d, ts in v.drug_targets.items() if g in ts}
        if gs.empty and not role and not targeted_by:
            continue
        ev_score = max((_TIER_SCORE.get(t, 0.0) for t in gs["tier"]), default=0.0)
        activating = "gain" in effects or "fusion" in kinds or ("mutation" in kinds and "loss" not in effects)
        if role == "oncogene":
            pr = 1.0 if activating else 0.6
        elif role == "DNA repair":
            pr = 0.7 if "loss" in effects else 0.3
        elif role == "tumour suppressor":
            pr = 0.4
        elif role in ("drug transporter", "drug target", "fusion partner"):
            pr = 0.2 if role == "drug transporter" else 0.4
        else:
            pr = 0.2
        if any(v.drug_approval.get(d) == "approved" for d in targeted_by):
            dg = 1.0
        elif targeted_by:
            dg = 0.6
        elif any(v.drug_approval.get(d) == "approved" for ds in gs["drugs"] for d in ds):
            dg = 0.8
        else:
            dg = 0.0
        if ev_score == 0.0 and (dg == 0.0 or "gain" not in effects and not activating):
            continue
        spec = _specificity(mdata, patient, g, objs, sub_idx)
        assoc_score, assoc_drug = np.nan, ""
        if assoc is not None:
            a = assoc[(assoc["gene"] == g) & (assoc["direction"] == "sensitivity") & (assoc["_q"] < 0.25)]
            if len(a):
                best = a.sort_values("_q").iloc[0]
                assoc_score, assoc_drug = float(1.0 - best["_q"]), f"{best['drug']} (FDR {best['_q']:.2g})"
            else:
                assoc_score = 0.0
        parts = {"evidence": ev_score, "pathway_role": pr, "druggability": dg, "specificity": spec, "association": assoc_score}
        used = {k: val for k, val in parts.items() if val == val}
        wsum = sum(_TARGET_WEIGHTS[k] for k in used)
        score = sum(_TARGET_WEIGHTS[k] * val for k, val in used.items()) / wsum if wsum else 0.0
        best_th = list(dict.fromkeys(f"{r.therapy} ({r.tier})" for r in gs.itertuples(index=False)))[:3]
        rows.append(
            {
                "gene": g, "alterations": "; ".join(alterations.loc[alterations["gene"] == g, "label"]),
                "score": round(score, 3), **{k: (round(x, 3) if x == x else np.nan) for k, x in parts.items()},
                "best_therapies": "; ".join(best_th), "role": role, "pathway": pathway,
                "association_drug": assoc_drug, "parts_used": ", ".join(used),
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("score", ascending=False).reset_index(drop=True)


def _specificity(mdata: Any, patient: str | None, gene: str, objs: list[Alteration], idx: list[int]) -> float:
    """How specific the gene's alteration is to this tumour within the cohort (0-1; NaN unknown)."""
    if mdata is None or patient is None:
        return np.nan
    kinds = {objs[i].kind for i in idx}
    loss = all(objs[i].effect == "loss" for i in idx)
    for layer in ("rna", "prot", "cnv"):
        if layer not in mdata.mod or (layer == "cnv" and not kinds & {"amplification", "deletion"}):
            continue
        ad = mdata.mod[layer]
        names = ad.var["gene"].astype(str) if "gene" in ad.var.columns else pd.Series(ad.var_names, index=ad.var_names)
        hits = np.where(names.map(normalize_gene).to_numpy() == gene)[0]
        if not len(hits) or patient not in ad.obs_names:
            continue
        X = ad.X.toarray() if hasattr(ad.X, "toarray") else np.asarray(ad.X, dtype=float)
        col = X[:, hits[0]]
        x = col[list(ad.obs_names).index(patient)]
        v = col[~np.isnan(col)]
        if x != x or len(v) < 5:
            continue
        pct = float((v < x).mean() + 0.5 * (v == x).mean())
        return round(1 - pct if loss else pct, 3)
    if "mutation" in kinds and "mut" in mdata.mod:
        ad = mdata.mod["mut"]
        if gene in ad.var_names:
            X = ad[:, gene].X
            X = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
            freq = float(np.nanmean(X > 0))
            return round(1.0 - freq, 3)
    return np.nan


def _notes(interp_notes: list[str], kb: KnowledgeBase, disease: str | None, tumour_type: str | None, th: Thresholds | None, n_cohort: int | None, evidence: pd.DataFrame) -> list[str]:
    notes = list(interp_notes)
    src = ", ".join(f"{k} {v}" for k, v in kb.provenance()["sources"].items())
    notes.append(f"Knowledge base version {kb.version} ({src}); evidence levels are as curated by each source.")
    if disease is None:
        notes.append(
            f"Tumour type {tumour_type!r} was not recognised: no evidence is treated as matching the tumour type, so "
            "no alteration reaches tier I; give the tumour type (e.g. 'non-small cell lung cancer')."
            if tumour_type
            else "No tumour type was given: no evidence is treated as matching the tumour type, so no alteration reaches tier I."
        )
    notes.append(
        "Tiers follow the AMP/ASCO/CAP 2017 scheme (Li et al., J Mol Diagn, DOI 10.1016/j.jmoldx.2016.10.002) mapped from "
        "evidence levels: A/B in this tumour type = tier I; A/B elsewhere or C here = II-C; D/E here or C elsewhere = II-D; "
        "D/E elsewhere = III. Matches by inference are one step lower."
    )
    if th is not None and n_cohort:
        notes.append(
            f"Expression and protein outliers are robust z-scores against this cohort of {n_cohort} samples "
            f"(|z| >= {th.z}); copy number uses log2 >= {th.amp_log2} (amplification) / <= {th.del_log2} (deep deletion); "
            f"promoter methylation beta >= {th.meth_high} and {th.meth_delta} above the cohort's lower quartile."
        )
    if not evidence.empty and (evidence["match"] == "gene").any():
        notes.append("Some evidence is gene-level ('any mutation of the gene'): it may not hold for every variant of that gene.")
    if not evidence.empty and evidence["gene"].str.contains("BRCA").any() and evidence["drugs"].map(lambda d: bool({"olaparib", "niraparib", "rucaparib", "talazoparib"} & set(d))).any():
        notes.append("BRCA1/2 reversion mutations (resistance to PARP inhibitors and platinum) cannot be excluded from these data.")
    notes.append("Ex vivo responses and model predictions are relative to this cohort and do not by themselves establish clinical benefit.")
    return notes


def _interpret(
    *,
    kb: KnowledgeBase,
    patient: str,
    alt_df: pd.DataFrame,
    objs: list[Alteration],
    not_understood: pd.DataFrame,
    notes: list[str],
    hgvsc: dict[str, str],
    tumour_type: str | None,
    therapy: list[str],
    mdata: Any = None,
    measured_genes: set[str] | None = None,
    predictions: Any = None,
    associations: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    sensitive_pct: float = 20.0,
    resistant_pct: float = 80.0,
) -> Interpretation:
    v = kb.vocab
    bad = [not_understood] if len(not_understood) else []
    disease, how = (None, "unknown")
    if tumour_type:
        disease, how = v.resolve_disease(tumour_type)
        if disease is None:
            bad.append(pd.DataFrame([{"layer": "clinical", "item": tumour_type, "reason": "unknown tumour type: not in the disease hierarchy; evidence cannot be matched to the tumour type"}]))
    drugs: list[str] = []
    for t in therapy:
        members, _cls = v.resolve_therapy(t)
        if not members:
            bad.append(pd.DataFrame([{"layer": "therapy", "item": t, "reason": "unknown drug name: not in the knowledge base; no resistance alert can be raised for it"}]))
        else:
            drugs.extend(members)
    drugs = list(dict.fromkeys(drugs))
    # unknown gene symbols: neither in the KB nor among the cohort's measured genes
    known = v.genes | set(v.gene_aliases.values()) | set(kb.con.execute("SELECT DISTINCT gene FROM biomarker").df()["gene"])
    if measured_genes:
        known |= measured_genes
    keep = []
    for i, a in enumerate(objs):
        if a.gene not in known and (a.partner == "" or a.partner not in known):
            keep.append(alt_df.loc[i, "label"])
    if keep:  # a valid symbol the KB does not know is "no evidence", never an error
        notes.append(f"No knowledge-base evidence for gene(s) of: {', '.join(keep[:12])}.")
    if alt_df.empty:
        bad.append(pd.DataFrame([{"layer": "all", "item": patient, "reason": "no alteration to interpret (empty patient, or nothing passed the calling thresholds)"}]))
    not_understood = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(columns=["layer", "item", "reason"])
    evidence = _match_evidence(kb, objs, list(alt_df["label"]), hgvsc, disease, measured_genes)
    screen = _screen_table(mdata, patient, kb, evidence, sensitive_pct=sensitive_pct, resistant_pct=resistant_pct)
    preds = _predictions_table(mdata, patient, predictions)
    res_exp = resistance_expected(drug_evidence(evidence, v), v, drugs)
    resisted = dict(zip(res_exp["drug"], res_exp["alteration"]))
    alerts = _alerts(kb, evidence, drugs, screen, resisted)
    options = _options(kb, evidence, screen, preds, resisted)
    assoc = _association_table(mdata, associations)
    targets = _targets(kb, alt_df, objs, evidence, mdata, patient if mdata is not None else None, assoc)
    n_cohort = int(mdata.n_obs) if mdata is not None else None
    all_notes = _notes(notes, kb, disease, tumour_type, thresholds, n_cohort, evidence)
    ev_out = evidence.copy()
    if not ev_out.empty:
        ev_out["drugs"] = ev_out["drugs"].map(lambda d: ", ".join(d))
    return Interpretation(
        patient=patient, tumour_type=tumour_type, disease=disease, disease_how=how, therapy=drugs,
        alterations=alt_df, evidence=ev_out, alerts=alerts, options=options, targets=targets, screen=screen,
        predictions=preds, not_understood=not_understood, notes=all_notes, kb=kb.provenance(), resistance_expected=res_exp,
        params={
            "thresholds": None if thresholds is None else thresholds.__dict__, "sensitive_pct": sensitive_pct,
            "resistant_pct": resistant_pct, "date": _dt.date.today().isoformat(),
        },
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------
def _measured_genes(mdata: Any, patient: str) -> set[str]:
    """Genes measured for the patient (a gene measured and not mutated is wild type)."""
    measured: set[str] = set()
    if "mut" in mdata.mod and patient in mdata.mod["mut"].obs_names:
        measured = {normalize_gene(g) for g in mdata.mod["mut"].var_names}
    for layer in ("cnv", "rna", "prot", "meth"):
        if layer in mdata.mod:
            ad = mdata.mod[layer]
            measured |= {normalize_gene(g) for g in (ad.var["gene"].astype(str) if "gene" in ad.var.columns else ad.var_names)}
    return measured


def _layer_notes(mdata: Any, patient: str) -> list[str]:
    """Notes on the layers the patient has no data in."""
    present = [layer for layer in mdata.mod if patient in mdata.mod[layer].obs_names]
    if not present:
        return ["This patient has no data in any layer of the cohort."]
    missing = [layer for layer in ("mut", "cnv", "rna", "prot", "meth", "drug") if layer in mdata.mod and layer not in present]
    return [f"No data for this patient in layer(s): {', '.join(missing)}."] if missing else []


def interpret_patient(
    mdata: Any,
    patient: str,
    *,
    kb: KnowledgeBase | PathLike | None = None,
    tumour_type: str | None = None,
    therapy: str | list[str] | None = None,
    tumour_type_column: str | None = None,
    therapy_column: str | None = None,
    predictions: Any = None,
    associations: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    sensitive_pct: float = 20.0,
    resistant_pct: float = 80.0,
) -> Interpretation:
    """Interpret one patient of a cohort against the knowledge base.

    Parameters
    ----------
    mdata
        The cohort (MuData with any of ``mut``, ``cnv``, ``rna``, ``prot``, ``meth``, ``drug``).
    patient
        Sample ID.
    kb
        A :class:`~oncoresist.kb.KnowledgeBase`, a KB path, or None for the default KB.
    tumour_type
        Tumour type (default: the first of ``tumour_type, tumor_type, cancer_type, disease,
        diagnosis, histology, primary_site, tissue`` in ``mdata.obs``).
    therapy
        Current or planned therapy (drug names, ``"gefitinib + capmatinib"`` or a list);
        default: ``current_therapy`` / ``therapy`` / ``treatment`` in ``mdata.obs``. Without a
        therapy, alerts are listed for every drug with resistance evidence.
    tumour_type_column, therapy_column
        ``obs`` columns to read them from instead.
    predictions
        Model predictions (DataFrame samples x drugs, or Series drug -> value for this
        patient); default ``mdata.uns['predictions']`` or an ``obsm`` entry named ``*pred*``.
    associations
        Cohort association results (default ``mdata.uns['associate']['results']`` from
        :func:`oncoresist.tl.associate`).
    thresholds
        Calling thresholds (:class:`~oncoresist.interpret.Thresholds`).
    sensitive_pct, resistant_pct
        Cohort AUC percentiles at or below / at or above which the ex vivo response is called
        sensitive / resistant.

    Returns
    -------
    Interpretation

    Raises
    ------
    InputError
        When ``patient`` is not in the cohort.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd, tempfile, pathlib
    >>> mut = ad.AnnData(np.ones((1, 1)), obs=pd.DataFrame(index=["P1"]), var=pd.DataFrame(index=["EGFR"]))
    >>> mut.uns["variants"] = pd.DataFrame({"sample": ["P1"], "gene": ["EGFR"], "protein_change": ["p.T790M"],
    ...                                     "variant_class": ["Missense_Mutation"]})
    >>> m = md.MuData({"mut": mut})
    >>> m.obs["tissue"] = ["lung"]
    >>> res = interpret_patient(m, "P1", kb=pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb", therapy="gefitinib")
    >>> res.alerts[["drug", "alteration"]].iloc[0].tolist()
    ['gefitinib', 'EGFR T790M']
    """
    names = list(map(str, mdata.obs_names))
    if str(patient) not in names:
        import difflib

        close = difflib.get_close_matches(str(patient), names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else f" The cohort has {len(names)} samples, e.g. {', '.join(names[:3])}."
        msg = f"patient {patient!r} is not in the cohort.{hint}"
        raise InputError(msg)
    patient = str(patient)
    kbo, own = resolve_kb(kb)
    try:
        tt = tumour_type
        if tt is None:
            tt, _ = _obs_value(mdata, patient, _TUMOUR_COLUMNS, tumour_type_column)
        if therapy is None:
            th_text, _ = _obs_value(mdata, patient, _THERAPY_COLUMNS, therapy_column)
            therapy_list = _split_drugs(th_text)
        else:
            therapy_list = _split_drugs(therapy)
        kb_genes = set(kbo.con.execute("SELECT DISTINCT gene FROM biomarker UNION SELECT DISTINCT partner FROM biomarker").df().iloc[:, 0]) | kbo.vocab.genes
        th = thresholds or Thresholds()
        alt_df, bad, notes, hgvsc = patient_alterations(mdata, patient, genes=kb_genes, thresholds=th)
        objs = list(alt_df.attrs.get("objects", []))
        measured = _measured_genes(mdata, patient)
        notes.extend(_layer_notes(mdata, patient))
        return _interpret(
            kb=kbo, patient=patient, alt_df=alt_df, objs=objs, not_understood=bad, notes=notes, hgvsc=hgvsc,
            tumour_type=tt, therapy=therapy_list, mdata=mdata, measured_genes=measured, predictions=predictions,
            associations=associations, thresholds=th, sensitive_pct=sensitive_pct, resistant_pct=resistant_pct,
        )  # fmt: skip
    finally:
        if own:
            kbo.close()


def _input_items(alterations: Any, patient: str, notes: list[str], hgvsc: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(gene, text, layer, raw) for each input alteration (a list of strings or a table)."""
    items: list[tuple[str, str, str, str]] = []  # (gene, text, layer, raw)
    if isinstance(alterations, pd.DataFrame):
        df = alterations
        if "sample" in df.columns and (df["sample"].astype(str) == patient).any():
            df = df[df["sample"].astype(str) == patient]
        if "alteration" in df.columns and "gene" not in df.columns:
            items = [("", str(t), "input", str(t)) for t in df["alteration"]]
        elif "gene" in df.columns:
            col = next((c for c in ("protein_change", "hgvsp", "alteration", "variant", "change") if c in df.columns), None)
            if col is None:
                msg = f"alteration table needs a protein_change / hgvsp / alteration / variant column next to 'gene'; found {', '.join(map(str, df.columns[:12]))}."
                raise InputError(msg)
            vclass = df["variant_class"].astype(str).str.lower() if "variant_class" in df.columns else pd.Series("", index=df.index)
            n_skip = int(vclass.isin(["silent", "intron", "3'utr", "5'utr", "3'flank", "5'flank", "igr", "rna"]).sum())
            if n_skip:
                notes.append(f"{n_skip} silent / non-coding variant(s) were not interpreted.")
            for (_, r), vc in zip(df.iterrows(), vclass):
                if vc in ("silent", "intron", "3'utr", "5'utr", "3'flank", "5'flank", "igr", "rna"):
                    continue
                t = r[col]
                t = "" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t)
                if not t and "hgvsc" in df.columns and str(r["hgvsc"]) not in ("", "nan"):
                    t = str(r["hgvsc"])
                items.append((str(r["gene"]), t, "input", f"{r['gene']} {t}".strip()))
                if "hgvsc" in df.columns and str(r["hgvsc"]) not in ("", "nan"):
                    hgvsc[f"{r['gene']}|{t}"] = str(r["hgvsc"])
        else:
            msg = f"alteration table needs an 'alteration' column or 'gene' + 'protein_change' columns; found {', '.join(map(str, df.columns[:12]))}."
            raise InputError(msg)
    else:
        items = [("", str(t), "input", str(t)) for t in list(alterations)]
    return items


def interpret_alterations(
    alterations: Any,
    *,
    tumour_type: str | None = None,
    kb: KnowledgeBase | PathLike | None = None,
    therapy: str | list[str] | None = None,
    patient: str = "patient",
) -> Interpretation:
    """Interpret a plain list or table of alterations (no cohort).

    Parameters
    ----------
    alterations
        A list of strings (``["EGFR L858R", "EGFR T790M", "MET amplification"]``) or a
        DataFrame with an ``alteration`` column of such strings, or ``gene`` plus one of
        ``protein_change`` / ``hgvsp`` / ``alteration`` / ``variant`` (a variant table as read
        by :func:`oncoresist.io.read_maf`), optionally ``sample`` (rows of ``patient`` are used
        when it matches, else all rows).
    tumour_type
        Tumour type.
    kb
        Knowledge base, path or None (default KB).
    therapy
        Current or planned therapy.
    patient
        Name used in the output.

    Returns
    -------
    Interpretation

    Examples
    --------
    >>> import tempfile, pathlib
    >>> res = interpret_alterations(["EGFR L858R", "EGFR T790M"], tumour_type="NSCLC",
    ...                             kb=pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb", therapy="erlotinib")
    >>> res.options["therapy"].iloc[0]
    'osimertinib'
    """
    rows: list[dict] = []
    bad: list[dict] = []
    hgvsc: dict[str, str] = {}
    notes: list[str] = []
    items = _input_items(alterations, patient, notes, hgvsc)
    for gene, text, layer, raw in items:
        g = gene.strip()
        if g and g.lower() in ("", "unknown", ".", "nan", "none"):
            bad.append({"layer": layer, "item": raw, "reason": "unknown gene symbol: the variant is not assigned to a gene"})
            continue
        try:
            a = parse_alteration(text, gene=g) if g else parse_alteration(text)
        except InputError as e:
            bad.append({"layer": layer, "item": raw, "reason": f"not understood: {e}"})
            continue
        rows.append(
            {
                "layer": layer, "gene": a.gene, "kind": a.kind, "alteration": a.alteration, "label": a.label,
                "partner": a.partner, "effect": a.effect, "value": np.nan, "evidence_text": "", "detail": "",
                "source_text": raw, "_obj": a,
            }
        )  # fmt: skip
        key = f"{g}|{text}"
        if key in hgvsc:
            hgvsc[a.key] = hgvsc.pop(key)
    alt_df = pd.DataFrame(rows, columns=[*ALTERATION_COLUMNS, "_obj"])
    objs = list(alt_df.pop("_obj"))
    alt_df = alt_df.drop_duplicates("label").reset_index(drop=True)
    seen: dict[str, Alteration] = {}
    for a in objs:
        seen.setdefault(a.label, a)
    objs = [seen[lab] for lab in alt_df["label"]]
    kbo, own = resolve_kb(kb)
    try:
        return _interpret(
            kb=kbo, patient=patient, alt_df=alt_df, objs=objs,
            not_understood=pd.DataFrame(bad, columns=["layer", "item", "reason"]), notes=notes, hgvsc=hgvsc,
            tumour_type=tumour_type, therapy=_split_drugs(therapy),
        )  # fmt: skip
    finally:
        if own:
            kbo.close()
