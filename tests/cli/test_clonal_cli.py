"""CLI verb ``clones``: CCFs, clusters, model selection and the figure written to --out."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from oncoresist.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tl"))
from _clonal_sim import simulate_clones  # noqa: E402


def test_clones_writes_outputs_and_refuses_existing(tmp_path, capsys):
    t, _ = simulate_clones(n=80, seed=5)
    src = tmp_path / "in.tsv"
    t.to_csv(src, sep="\t", index=False)
    out = tmp_path / "clones"
    assert main(["clones", str(src), "--out", str(out), "--max-clusters", "5", "--seed", "1", "-q"]) == 0
    ccf = pd.read_csv(out / "ccf.csv")
    assert list(ccf.columns) == ["mutation", "sample", "ccf", "ccf_low", "ccf_high", "multiplicity", "cluster"]
    assert len(ccf) == 240 and ccf["ccf"].between(0, 1).all() and ccf["cluster"].notna().all()
    cl = pd.read_csv(out / "clusters.csv")
    assert list(cl.columns) == ["cluster", "sample", "ccf", "ccf_low", "ccf_high", "n_mutations"]
    assert cl["cluster"].nunique() == 4 and cl.groupby("cluster")["n_mutations"].first().sum() == 80
    assert pd.read_csv(out / "model_selection.csv")["chosen"].sum() == 1
    assert (out / "ccf_scatter.png").stat().st_size > 1000
    trees = pd.read_csv(out / "trees.csv")
    assert list(trees.columns) == ["tree", "cluster", "parent", "violation", "max_violation", "consistent", "n_consistent"]
    best = trees[trees["tree"] == 1].set_index("cluster")["parent"]
    assert (best == -1).sum() == 1 and best.loc[0] == -1  # rooted at the clonal cluster
    assert trees["tree"].max() == 10 and trees["violation"].is_monotonic_increasing
    capsys.readouterr()
    assert main(["clones", str(src), "--out", str(out), "-q"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["clones", str(src), "--out", str(out), "--max-clusters", "5", "--seed", "1", "-q", "--overwrite"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "ccf.csv"), ccf)


def test_clones_bad_input_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("mutation_id\tsample_id\tref_counts\talt_counts\tmajor_cn\tminor_cn\nm1\tR1\t-1\t3\t1\t1\n")
    assert main(["clones", str(bad), "--out", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "ref_counts" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_clones_help_has_example_and_outputs(capsys):
    assert main(["clones", "--help"]) == 0
    out = capsys.readouterr().out
    for needle in ("Example", "--out", "--quiet", "--overwrite", "--max-clusters", "--seed", "ccf.csv", "trees.csv"):
        assert needle in out


def test_cli_import_stays_light():
    import subprocess

    code = ("import sys, oncoresist.cli; heavy = [m for m in ('oncoresist.tl.clonal._cluster', 'scipy.stats', "
            "'matplotlib.pyplot') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_clones_on_clonevol_aml1_keeps_published_clusters(shared_data, tmp_path):
    out = tmp_path / "aml1"
    assert main(["clones", str(shared_data / "clonal" / "clonevol_aml1_variants.csv"), "--out", str(out), "-q"]) == 0
    ccf = pd.read_csv(out / "ccf.csv")
    assert "input_cluster" in ccf.columns and set(ccf["sample"]) == {"P", "R"}
    founder = pd.read_csv(out / "clusters.csv").query("cluster == 0")
    assert founder["n_mutations"].iloc[0] > 250 and (founder["ccf"] > 0.8).all()
    assert (out / "trees.csv").exists()
