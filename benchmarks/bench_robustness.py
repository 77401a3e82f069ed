"""Robustness of every reader of ``oncoresist.io`` to damaged input.

Run by hand: ``python benchmarks/bench_robustness.py [--n 200] [--seed 0]``. Writes
``benchmarks/results/robustness.md`` and ``benchmarks/results/robustness.csv``.

For each reader (the cases of ``tests/io/fuzz_inputs.py``: a small valid input per public
reader, plus the gene BED, the study file's layer and sample sheet), N seeded damaged variants
(truncation, deleted / duplicated line, flipped byte, huge / odd number, empty file, header only,
wrong delimiter, non-UTF-8 bytes, lost / extra / blank cell) are read in a worker process. Each
outcome is one of

* ``ok``: read without error;
* ``input_error``: the project's one-line :class:`InputError`;
* ``traceback``: any other exception (must be 0);
* ``crash``: the worker process died (segfault, abort) or hung for 60 s (must be 0);
* ``silent_loss`` (a subset of ``ok``): the file was cut mid-line, read with neither an error nor
  a warning, and the result holds fewer values than the undamaged file's (must be 0);
* ``silent_empty`` (a subset of ``ok``): the result holds no value at all and no warning said so
  (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "io"))

from fuzz_inputs import DAMAGE_KINDS, cases, damage, write_case  # noqa: E402

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._errors import InputError  # noqa: E402
from oncoresist._core._utils import write_csv  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
OUTCOMES = ("ok", "input_error", "traceback", "crash", "silent_loss", "silent_empty")
HANG_SECONDS = 60.0


def plan(n: int, seed: int) -> list[tuple[str, str, int, int]]:
    """The (case, damage kind, a, b) of every variant, the same for the worker and the parent."""
    rng = random.Random(seed)
    out = []
    for case in cases(seed):
        for i in range(n):
            kind = DAMAGE_KINDS[i % len(DAMAGE_KINDS)] if i < len(DAMAGE_KINDS) else rng.choice(DAMAGE_KINDS)
            out.append((case.name, kind, rng.randrange(2**31), rng.randrange(2**16)))
    return out


def n_values(result: object) -> int:
    """Number of present (non-missing) values in a reader's result."""
    import anndata as ad
    import mudata as md

    if isinstance(result, md.MuData):
        return sum(n_values(a) for a in result.mod.values()) + n_values(result.obs)
    if isinstance(result, ad.AnnData):
        x = result.X.toarray() if hasattr(result.X, "toarray") else np.asarray(result.X, dtype=float)
        return int(np.isfinite(x).sum()) + n_values(result.obs)
    if isinstance(result, pd.DataFrame):
        return int(result.notna().to_numpy().sum())
    return 0


def _read(case, raw: bytes | None) -> tuple[str, object, bool, str]:  # noqa: ANN001
    """(outcome, result, warned, message) of reading the case with its target replaced by ``raw``."""
    with tempfile.TemporaryDirectory() as d:
        folder = write_case(case, Path(d), raw)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = case.read(folder)
            except InputError as e:
                return "input_error", None, bool(caught), str(e).splitlines()[0] if str(e) else ""
            except Exception as e:  # noqa: BLE001 - what the benchmark counts
                tb = traceback.extract_tb(e.__traceback__)
                src = [f for f in tb if "/src/oncoresist/" in f.filename]
                where = f"{src[-1].filename.split('src/')[-1]}:{src[-1].lineno}" if src else "?"
                return "traceback", None, bool(caught), f"{type(e).__name__} at {where}: {str(e)[:200]}"
        warned = any(not issubclass(w.category, (FutureWarning, DeprecationWarning)) for w in caught)
        return "ok", result, warned, ""


def worker(n: int, seed: int, start: int) -> None:
    """Read variants ``start``, ``start + 1``, ... printing one JSON line each (the parent watches)."""
    by_name = {c.name: c for c in cases(seed)}
    full = {name: n_values(_read(c, None)[1]) for name, c in by_name.items()}
    for i, (name, kind, a, b) in enumerate(plan(n, seed)):
        if i < start:
            continue
        case = by_name[name]
        original = case.files[case.target]
        raw = damage(original, kind, a, b)
        outcome, result, warned, message = _read(case, raw)
        mid_line = kind == "truncate" and 0 < len(raw) < len(original) and not raw.endswith(b"\n")
        size = n_values(result) if outcome == "ok" else -1
        loss = outcome == "ok" and mid_line and not warned and size < full[name]
        print(json.dumps({"i": i, "case": name, "kind": kind, "outcome": outcome, "silent_loss": loss,
                          "silent_empty": outcome == "ok" and not warned and size == 0, "message": message}), flush=True)


def _run_from(n: int, seed: int, start: int, total: int, rows: list[dict]) -> int:
    """Run one worker from ``start``; append its rows; return where the next worker must start."""
    cmd = [sys.executable, __file__, "--worker", "--n", str(n), "--seed", str(seed), "--start", str(start)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    nxt = start
    while nxt < total:
        if not sel.select(timeout=HANG_SECONDS * (3 if nxt == start else 1)):
            proc.kill()
            break
        line = proc.stdout.readline()
        if not line:
            break
        rows.append(json.loads(line))
        nxt = rows[-1]["i"] + 1
    proc.wait()
    return nxt


def run(n: int, seed: int) -> pd.DataFrame:
    """Every variant's outcome; a variant that killed or hung its worker is a ``crash``."""
    steps = plan(n, seed)
    rows: list[dict] = []
    start = 0
    while start < len(steps):
        nxt = _run_from(n, seed, start, len(steps), rows)
        if nxt < len(steps):  # the worker died or hung on variant nxt
            name, kind, _a, _b = steps[nxt]
            rows.append({"i": nxt, "case": name, "kind": kind, "outcome": "crash", "silent_loss": False,
                         "silent_empty": False, "message": "worker died or hung"})
            nxt += 1
        start = nxt
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Counts of each outcome per reader (case), and a total row."""
    t = pd.crosstab(df["case"], df["outcome"]).reindex(columns=list(OUTCOMES[:4]), fill_value=0)
    for flag in OUTCOMES[4:]:
        t[flag] = df.groupby("case")[flag].sum().astype(int)
    t.insert(0, "variants", t[list(OUTCOMES[:4])].sum(axis=1))
    t.loc["all readers"] = t.sum()
    return t


def markdown(table: pd.DataFrame, df: pd.DataFrame, n: int, seed: int, seconds: float) -> str:
    lines = ["# Reader robustness (damaged input)", "",
             f"{n} seeded damaged variants (seed {seed}) of each reader's small valid input; "
             f"{len(df)} reads in {seconds:.0f} s. Kinds of damage: {', '.join(DAMAGE_KINDS)}.", "",
             "| reader | variants | ok | input_error | traceback | crash | silent_loss | silent_empty |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(str(int(r[c])) for c in ["variants", *OUTCOMES]) + " |")
    bad = df[df["outcome"].isin(["traceback", "crash"]) | df["silent_loss"] | df["silent_empty"]]
    lines += ["", f"Tracebacks, crashes, silent losses and silent empty results ({len(bad)}):", ""]
    lines += [f"- {r.case} / {r.kind}: {r.outcome}{' (silent loss)' if r.silent_loss else ''}"
              f"{' (silent empty)' if r.silent_empty else ''} {r.message}" for r in bad.head(40).itertuples()] or ["- none"]
    by_kind = pd.crosstab(df["kind"], df["outcome"]).reindex(columns=list(OUTCOMES[:4]), fill_value=0)
    lines += ["", "Outcomes by kind of damage:", "", "| damage | ok | input_error | traceback | crash |",
              "|---|---:|---:|---:|---:|"]
    lines += [f"| {k} | " + " | ".join(str(int(v)) for v in r) + " |" for k, r in by_kind.iterrows()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="damaged variants per reader")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)  # mudata's notice when the cases are built
    if args.worker:
        worker(args.n, args.seed, args.start)
        return
    t0 = time.perf_counter()
    df = run(args.n, args.seed)
    seconds = time.perf_counter() - t0
    table = summarise(df)
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_csv(table.reset_index().rename(columns={"case": "reader"}), RESULTS / "robustness.csv")
    write_stamped(RESULTS / "robustness.md", markdown(table, df, args.n, args.seed, seconds))
    print(table.to_string())
    print(f"{len(df)} reads in {seconds:.0f} s; results in {RESULTS / 'robustness.md'}")


if __name__ == "__main__":
    main()
