"""The CLI imports only what a verb needs: checked in fresh interpreters through ``sys.modules``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEAVY = ("sklearn", "sksurv", "dask", "duckdb", "matplotlib", "anndata", "mudata")


def _loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and list the heavy packages in its ``sys.modules``."""
    probe = f"import sys\n{code}\nprint('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), res.stdout
    return [m for m in last.removeprefix("loaded:").split(",") if m]


def test_importing_the_cli_loads_no_heavy_package():
    assert _loaded_after("import oncoresist.cli") == []


def test_the_probe_sees_a_heavy_import():
    # the check above can fail: importing the drug layer pulls anndata in
    assert "anndata" in _loaded_after("import oncoresist.cli\nfrom oncoresist.tl import drug_layer")


def test_curves_and_synergy_runs_skip_sklearn_dask_duckdb_anndata(tmp_path):
    d = np.array([0.0, 0.01, 0.1, 1.0, 10.0])
    screen = tmp_path / "screen.csv"
    pd.DataFrame({"sample": "S1", "drug": "A", "dose_uM": d,
                  "viability": 1 / (1 + d / 0.5)}).to_csv(screen, index=False)  # fmt: skip
    c = np.array([0.0, 10, 100, 1000])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    matrix = tmp_path / "matrix.csv"
    pd.DataFrame({"PairIndex": 1, "Drug1": "A", "Drug2": "B", "Conc1": g1.ravel(), "Conc2": g2.ravel(),
                  "Response": (100 * (1 - 1 / (1 + g1 / 100) / (1 + g2 / 300))).ravel(), "ConcUnit": "nM"}).to_csv(matrix, index=False)  # fmt: skip
    for argv in (["curves", str(screen), "--out", str(tmp_path / "m.csv"), "-q"],
                 ["synergy", str(matrix), "--out", str(tmp_path / "s.csv"), "-q"]):  # fmt: skip
        code = f"from oncoresist.cli import main\nassert main({argv!r}) == 0"
        assert _loaded_after(code) == [], argv[0]
    assert (tmp_path / "m.csv").exists() and (tmp_path / "s_wells.csv").exists()
