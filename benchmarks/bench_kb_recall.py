"""Knowledge base: recall of known resistance, leave-one-source-out, and resisted drugs offered.

Run by hand: ``python benchmarks/bench_kb_recall.py``. Writes ``results/kb_recall.md``,
``results/kb_recall.csv`` (recall by held-out source x alteration kind) and
``results/kb_recall_misses.csv`` (every held-out item the other sources did not find).

Sources: the shipped curated core, the CIViC 2025 evidence export and the MOAlmanac release in
``../shared/data`` (``civic/civic_evidence_items_2025.tsv.gz``, ``moalmanac/*.json.gz``). One KB
holds all three; for each held-out source S a copy without S's evidence rows is made (the
vocabularies stay: they are not evidence).

Item: one resistance evidence row of S with a biomarker and a single drug (``single`` or
``substitutes`` rows, one item per drug; combination / sequential / class-only rows are left
out, they are not about one drug), deduplicated on (biomarker, drug, disease). Query: the
alterations of the item's first biomarker clause, interpreted with
:func:`oncoresist.interpret.interpret_alterations` in the item's tumour type against the KB
without S. Found (``reported``): the interpretation holds resistance evidence for the drug
(direct or inferred from its class). Found (``expected``): the drug is listed under
``resistance_expected`` (the stronger call: the resistance outranks any sensitivity evidence).

Evidence level: the issue defines an item as resistance "with clinical or guideline evidence", so the
headline tables count items of levels A-C (A validated / guideline, B clinical, C case study; CIViC's
levels, MOAlmanac's predictive implications mapped onto them); items of every level (with D
preclinical and E inferential) are tabled after them.

Alteration kind of an item: that of its non-fusion alteration when the clause also names a
fusion (``BCR::ABL1 fusion AND ABL1 T315I`` is a mutation item), ``expression`` covers mRNA
and protein, ``deletion`` covers deletions and loss.

Resisted drugs offered: over every interpretation made (all folds and the full KB), the number
of options whose single drug (or a class option's listed member) is in ``resistance_expected``,
of combinations with a member resisted by an alteration the combination's evidence does not
address, and of alert alternatives naming a resisted drug. Must be 0.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from _stamp import write_stamped  # noqa: E402
from oncoresist.interpret import interpret_alterations
from oncoresist.interpret._resistance import drug_evidence
from oncoresist.kb import build_kb, open_kb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
CIVIC = SHARED / "civic" / "civic_evidence_items_2025.tsv.gz"
MOA = SHARED / "moalmanac" / "molecular-oncology-almanac.json.gz"
SOURCES = ("core", "civic", "moalmanac")
#: Evidence levels that count as "clinical or guideline evidence" (the issue's definition of an item).
CLINICAL = ("A", "B", "C")
#: Items interpreted again on the full KB (seeded sample).
FULL_SAMPLE = 200


def _build(d: Path) -> Path:
    """KB with the core, CIViC 2025 and MOAlmanac."""
    p = build_kb(d / "all.duckdb")
    with open_kb(p, read_only=False) as kb:
        kb.import_civic(CIVIC)
        kb.import_moalmanac(MOA)
    return p


def _without(full: Path, source: str, d: Path) -> Path:
    """A copy of the KB with the evidence of ``source`` removed."""
    p = d / f"without_{source}.duckdb"
    shutil.copyfile(full, p)
    con = duckdb.connect(str(p))
    try:
        ids = "SELECT evidence_id FROM evidence WHERE source = ?"
        for t in ("evidence_biomarker", "evidence_drug"):
            con.execute(f"DELETE FROM {t} WHERE evidence_id IN ({ids})", [source])
        con.execute("DELETE FROM evidence WHERE source = ?", [source])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return p


def _kind(clause: list) -> str:
    """Alteration kind of an item (see the module docstring)."""
    kinds = [a.kind for a in clause]
    k = next((x for x in kinds if x != "fusion"), "fusion")
    return {"protein": "expression"}.get(k, k)


def _items(full: Path) -> pd.DataFrame:
    """Resistance items (biomarker x single drug x disease) of every source."""
    with open_kb(full) as kb:
        ev = kb.evidence()
    ev = ev[(ev["direction"] == "resistance") & ev["interaction"].isin(["single", "substitutes"])]
    rows = []
    for r in ev.itertuples(index=False):
        if not r.clauses or not r.drugs:
            continue
        clause = r.clauses[0]
        labels = tuple(a.label for a in clause)
        for d in r.drugs:
            rows.append({"source": r.source, "evidence_id": r.evidence_id, "profile": r.profile, "labels": labels,
                         "kind": _kind(clause), "drug": d, "disease": r.disease or r.disease_raw or "cancer",
                         "level": r.level or "E"})  # fmt: skip
    items = pd.DataFrame(rows).sort_values("level", kind="stable")  # an item keeps its strongest level
    return items.drop_duplicates(["source", "labels", "drug", "disease"]).sort_index().reset_index(drop=True)


def _offered(res) -> int:  # noqa: ANN001
    """Resisted drugs offered as an option, an unblocked combination or an alternative."""
    rex = res.resistance_expected
    resisted = dict(zip(rex["drug"], rex["alteration"]))
    bad = 0
    for o in res.options.itertuples(index=False):
        t = str(o.therapy)
        if ": " in t:  # class option: "PARP inhibitor (class): olaparib, niraparib"
            bad += sum(m in resisted for m in t.split(": ", 1)[1].split(", "))
            continue
        parts = [p.strip() for p in t.split(" + ")]
        addressed = set(str(o.alterations).split("; "))
        if len(parts) == 1:
            bad += parts[0] in resisted
        else:
            bad += any(p in resisted and not set(resisted[p].split("; ")) <= addressed for p in parts)
    for a in res.alerts.itertuples(index=False):
        for alt in filter(None, str(a.alternatives).split("; ")):
            name = re.sub(r" \([^)]*\)$", "", alt)
            bad += name in resisted
    return int(bad)


def _as_lists(evidence: pd.DataFrame) -> pd.DataFrame:
    """The interpretation's evidence with ``drugs`` as lists (it is written as ``a, b`` text)."""
    return evidence.assign(drugs=evidence["drugs"].map(lambda s: [t for t in str(s).split(", ") if t]))


def _run_fold(kb_path: Path, items: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Interpret each distinct (alterations, disease) once; mark every item found or not."""
    found_rep, found_exp = {}, {}
    offered = n_interp = 0
    with open_kb(kb_path) as kb:
        vocab = kb.vocab
        groups = items.groupby(["labels", "disease"], sort=False)
        for (labels, disease), g in groups:
            res = interpret_alterations(list(labels), tumour_type=disease, kb=kb)
            n_interp += 1
            if n_interp % 100 == 0:
                print(f"  {kb_path.name}: {n_interp}/{groups.ngroups}", file=sys.stderr, flush=True)
            offered += _offered(res)
            de = drug_evidence(_as_lists(res.evidence), vocab)
            rep = set(de.loc[de["direction"] == "resistance", "drug"])
            exp = set(res.resistance_expected["drug"])
            for i, d in zip(g.index, g["drug"]):
                found_rep[i], found_exp[i] = d in rep, d in exp
    out = items.assign(reported=pd.Series(found_rep), expected=pd.Series(found_exp))
    return out, offered, n_interp


def _table(scored: pd.DataFrame) -> pd.DataFrame:
    """Recall by held-out source x kind (plus an 'all kinds' row per source)."""
    rows = []
    for src, g in scored.groupby("source"):
        for kind, h in [*sorted(g.groupby("kind")), ("all kinds", g)]:
            rows.append({"held_out": src, "kind": kind, "n_items": len(h), "recall_reported": h["reported"].mean(),
                         "recall_expected": h["expected"].mean()})  # fmt: skip
    return pd.DataFrame(rows)


def _pooled(scored: pd.DataFrame) -> pd.DataFrame:
    """Recall by kind pooled over the held-out sources."""
    rows = [{"kind": k, "n_items": len(h), "recall_reported": h["reported"].mean(), "recall_expected": h["expected"].mean()}
            for k, h in sorted(scored.groupby("kind"))]  # fmt: skip
    return pd.DataFrame(rows)


def _md(df: pd.DataFrame) -> str:
    """A markdown table (no tabulate dependency)."""

    def cell(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def main() -> None:
    """Run the benchmark and write the results."""
    if not (CIVIC.exists() and MOA.exists()):
        raise SystemExit(f"shared data absent: {CIVIC} / {MOA} (set ONCORESIST_SHARED_DATA)")
    RESULTS.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        full = _build(d)
        items = _items(full)
        scored, offered, n_interp = [], 0, 0
        for src in SOURCES:
            out, off, n = _run_fold(_without(full, src, d), items[items["source"] == src])
            scored.append(out)
            offered, n_interp = offered + off, n_interp + n
        # the full KB (every source kept) on a seeded sample: the sanity ceiling and more offered-drug checks
        sample = items.sample(n=min(len(items), FULL_SAMPLE), random_state=0)
        full_out, off_full, n_full = _run_fold(full, sample)
    scored = pd.concat(scored, ignore_index=True)
    clinical = scored[scored["level"].isin(CLINICAL)]
    table, pooled = _table(clinical), _pooled(clinical)
    table_all, pooled_all = _table(scored), _pooled(scored)
    pd.concat([table.assign(levels="A-C"), table_all.assign(levels="A-E")]).to_csv(RESULTS / "kb_recall.csv", index=False)
    misses = scored[~scored["reported"]].assign(labels=lambda x: x["labels"].map(" AND ".join))
    misses.sort_values(["source", "kind", "labels"]).to_csv(RESULTS / "kb_recall_misses.csv", index=False)
    self_recall = full_out["expected"].mean()
    lines = [
        "# Knowledge base: recall of known resistance (leave-one-source-out)",
        "",
        f"Sources: curated core, CIViC 2025 ({CIVIC.name}), MOAlmanac ({MOA.name}). {len(items)} resistance items "
        f"(biomarker x single drug x disease); {n_interp} interpretations in the folds, {n_full} on the full KB; "
        f"{time.perf_counter() - t0:.0f} s.",
        "",
        "`reported`: the KB without the held-out source holds resistance evidence for the drug given the item's",
        "alterations (direct or inferred from the drug's class); `expected`: the drug is under `resistance_expected`.",
        "",
        f"Clinical items (levels A-C): {len(clinical)} of {len(scored)}.",
        "",
        "## By held-out source and alteration kind (levels A-C: clinical or guideline evidence)",
        "",
        _md(table),
        "",
        "## Pooled over the held-out sources (levels A-C)",
        "",
        _md(pooled),
        "",
        "## Every level (A-E, with preclinical and inferential items)",
        "",
        _md(table_all),
        "",
        _md(pooled_all),
        "",
        "## Resisted drugs offered",
        "",
        f"- leave-one-source-out interpretations: **{offered}** resisted drugs offered (options, combinations, alternatives)",
        f"- full KB interpretations ({len(full_out)} items sampled): **{off_full}**",
        f"- sanity: with the source kept (full KB), {self_recall:.2f} of the sampled items are `resistance_expected`"
        f" ({full_out['reported'].mean():.2f} reported)",
    ]
    write_stamped(RESULTS / "kb_recall.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
