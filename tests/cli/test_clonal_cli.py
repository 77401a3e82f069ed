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


def test_clones_with_times_writes_crossings_fish_plot_and_tree(tmp_path):
    t, _ = simulate_clones(n=60, seed=5)
    src = tmp_path / "in.tsv"
    t.to_csv(src, sep="\t", index=False)
    out = tmp_path / "series"
    assert main(["clones", str(src), "--out", str(out), "--max-clusters", "5", "--times", "S2,S0,S1", "-q"]) == 0
    trees = pd.read_csv(out / "trees.csv")
    assert "crossings" in trees.columns and trees["crossings"].is_monotonic_increasing
    assert (out / "fish_plot.png").stat().st_size > 1000 and (out / "clone_tree.png").stat().st_size > 1000
    assert main(["clones", str(src), "--out", str(tmp_path / "bad"), "--times", "S0,S1", "-q"]) == 1


def _cohort_with_clonal(tmp_path):
    import anndata as ad
    import mudata as md
    import numpy as np

    from oncoresist.io import write_h5mu

    t1, _ = simulate_clones(n=60, seed=5)
    t2, _ = simulate_clones(n=40, seed=6)
    inp = pd.concat([t1.assign(patient="P1", time=t1["sample_id"].map({"S0": 0.0, "S1": 1.0, "S2": 2.0})),
                     t2.assign(patient="P2", time=np.nan)], ignore_index=True)
    m = md.MuData({"rna": ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["P1", "P2"]))})
    m.uns["clonal_input"] = inp
    path = tmp_path / "cohort.h5mu"
    write_h5mu(m, path)
    return path


def test_clones_on_a_cohort_stores_every_patient_and_the_report_shows_it(tmp_path, capsys):
    from oncoresist.io import read_h5mu
    from oncoresist.report._monitor_section import clonal_section

    cohort = _cohort_with_clonal(tmp_path)
    out = tmp_path / "out"
    assert main(["clones", str(cohort), "--out", str(out), "--max-clusters", "5", "-q"]) == 0
    m = read_h5mu(out / "cohort.h5mu")
    assert sorted(m.uns["clonal"]) == ["P1", "P2"]
    assert list(m.uns["clonal"]["P1"]["params"]["times"]) == ["S0", "S1", "S2"]
    assert (out / "P1" / "fish_plot.png").exists() and not (out / "P2" / "fish_plot.png").exists()
    assert "crossings" in pd.read_csv(out / "P1" / "trees.csv").columns
    assert pd.read_csv(out / "P2" / "ccf.csv")["mutation"].nunique() == 40

    class _Interp:
        patient = "P1"

    section = clonal_section(_Interp(), m)
    assert section is not None and section.id == "clonal"
    capsys.readouterr()
    assert main(["clones", str(cohort), "--out", str(out), "-q"]) == 1  # refused: exists
    assert "already exists" in capsys.readouterr().err


def test_clones_on_a_cohort_without_clonal_input_names_the_fix(tmp_path, capsys):
    import anndata as ad
    import mudata as md
    import numpy as np

    from oncoresist.io import write_h5mu

    path = tmp_path / "plain.h5mu"
    write_h5mu(md.MuData({"rna": ad.AnnData(np.zeros((2, 1)))}), path)
    assert main(["clones", str(path), "--out", str(tmp_path / "o"), "-q"]) == 1
    assert "[clonal]" in capsys.readouterr().err


def test_study_clonal_table_to_report_on_calder_cll003(shared_data, tmp_path):
    """Real data end to end: a study file's [clonal] time series -> clones on the cohort -> best tree and fish plot."""
    from oncoresist.io import read_h5mu, read_study, write_h5mu

    rng = pd.DataFrame({"gene": ["A", "B"], "CLL003": [1.0, 2.0], "CLL004": [3.0, 4.0]})
    rng.to_csv(tmp_path / "rna.tsv", sep="\t", index=False)
    calder = shared_data / "clonal" / "calder_CLL003_clustered.txt"
    (tmp_path / "study.toml").write_text(
        '[layers.rna]\nkind = "matrix"\nfile = "rna.tsv"\n\n'
        f'[clonal]\nfile = "{calder}"\npatient = "CLL003"\ntimes = ["a", "b", "c", "d", "e"]\n')
    m = read_study(tmp_path / "study.toml")
    write_h5mu(m, tmp_path / "cohort.h5mu")
    out = tmp_path / "out"
    assert main(["clones", str(tmp_path / "cohort.h5mu"), "--out", str(out), "--max-clusters", "5", "-q"]) == 0
    entry = read_h5mu(out / "cohort.h5mu").uns["clonal"]["CLL003"]
    wide = entry["clusters"].pivot(index="cluster", columns="sample_id", values="ccf")
    best = entry["trees"].query("tree == 1").set_index("cluster")["parent"]
    lost = int((wide["e"] - wide["a"]).idxmin())  # the AMTN clone: high at a, gone at e
    assert wide.loc[lost, "a"] > 0.7 and wide.loc[lost, "e"] < 0.1
    assert (best.drop(lost) != lost).all()  # it parents no clone: the sweep descends from the founder
    assert entry["trees"]["crossings"].iloc[0] == 0
    assert (out / "CLL003" / "fish_plot.png").stat().st_size > 1000
