"""Wall time of ``oncoresist demo`` on the default cohort (target: < 1 minute on 2 cores).

Runs the installed console script in a fresh process (as a new user would), records the total
wall time, its CPU time (user + sys of the demo and the workers it waited for), the load average
(the machine may be shared), the per-step times the demo prints, and peak memory (ru_maxrss of the child).

Usage: python benchmarks/bench_demo.py [--n-samples N] [--repeat R]
Writes benchmarks/results/demo.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stamp import write_stamped  # noqa: E402

HERE = Path(__file__).resolve().parent


def run_once(n_samples: int | None) -> tuple[float, str, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "oncoresist.cli", "demo", "--out", tmp]
        if n_samples:
            cmd += ["--n-samples", str(n_samples)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "120"})
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"demo failed:\n{proc.stderr}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return dt, proc.stderr, after.ru_maxrss / 1024, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-samples", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    times, cpus, last_err, rss = [], [], "", 0.0
    load0 = os.getloadavg()[0]
    for _ in range(args.repeat):
        dt, err, rss, cpu = run_once(args.n_samples)
        times.append(dt)
        cpus.append(cpu)
        last_err = err
    load1 = os.getloadavg()[0]
    steps = re.findall(r"^\s+(.+?): ([0-9.]+) s$", last_err, flags=re.M)
    lines = [
        "# oncoresist demo wall time",
        "",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- cohort: {'default' if args.n_samples is None else args.n_samples} samples; runs: {args.repeat}",
        f"- wall time per run (s, includes interpreter start-up and imports): {', '.join(f'{t:.1f}' for t in times)}",
        f"- CPU time per run (s, user + sys of the demo and the workers it reaped): {', '.join(f'{c:.1f}' for c in cpus)}",
        f"- load average (1 min) before / after: {load0:.1f} / {load1:.1f} (other jobs on the machine inflate wall time)",
        f"- best: {min(times):.1f} s (target < 60 s)",
        f"- peak RSS of the demo process: {rss:.0f} MiB",
        "",
        "| step | seconds (last run) |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in steps],
        "",
    ]
    out = HERE / "results" / "demo.md"
    out.parent.mkdir(exist_ok=True)
    write_stamped(out, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
