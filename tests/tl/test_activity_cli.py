import numpy as np
import pandas as pd

from oncoresist.cli import main


def test_activity_cli_matrix_to_outputs(tmp_path):
    rng = np.random.default_rng(0)
    genes = [f"G{i}" for i in range(60)]
    pd.DataFrame(rng.normal(size=(60, 8)), index=pd.Index(genes, name="gene"),
                 columns=[f"S{i}" for i in range(8)]).to_csv(tmp_path / "m.csv")
    pd.DataFrame({"source": ["P1"] * 10 + ["P2"] * 10, "target": genes[:20], "weight": 1.0}).to_csv(tmp_path / "net.csv", index=False)
    out = tmp_path / "out"
    args = ["activity", str(tmp_path / "m.csv"), "--resource", str(tmp_path / "net.csv"), "--out", str(out), "-q"]
    assert main(args) == 0
    act = pd.read_csv(out / "activities_net.csv", index_col=0)
    assert act.shape == (8, 2) and (out / "pvalues_net.csv").is_file() and (out / "cohort.h5mu").is_file()
    assert main(args) == 1  # existing --out refused
    assert main([*args, "--overwrite"]) == 0


def test_activity_cli_prints_site_match_line(tmp_path, capsys):
    rng = np.random.default_rng(1)
    sites = [f"G{i}-S{10 + i}" for i in range(12)] + ["junk1", "junk2"]
    pd.DataFrame(rng.normal(size=(14, 6)), index=pd.Index(sites, name="site"),
                 columns=[f"S{i}" for i in range(6)]).to_csv(tmp_path / "ph.csv")
    pd.DataFrame({"kinase": ["K1"] * 12, "substrate": [f"G{i}_S{10 + i}" for i in range(12)], "weight": 1.0}).to_csv(
        tmp_path / "ks.csv", index=False)
    out = tmp_path / "o"
    assert main(["activity", str(tmp_path / "ph.csv"), "--mod", "phospho", "--resource", str(tmp_path / "ks.csv"),
                 "--method", "ksea", "--out", str(out), "-q"]) == 0
    assert "phosphosites matched: 12 of 14 (85.7%; gene+site 12" in capsys.readouterr().out
    assert pd.read_csv(out / "activities_ks.csv", index_col=0).columns.tolist() == ["K1"]


def test_activity_cli_tme_scores_fractions_and_keeps_existing(tmp_path):
    from oncoresist.io import read_h5mu
    from oncoresist.tl import MCP_MARKERS

    rng = np.random.default_rng(2)
    genes = list(MCP_MARKERS["T cells"]) + list(MCP_MARKERS["Fibroblasts"]) + [f"G{i}" for i in range(40)]
    pd.DataFrame(rng.normal(5, 1, size=(len(genes), 8)), index=pd.Index(genes, name="gene"),
                 columns=[f"S{i}" for i in range(8)]).to_csv(tmp_path / "m.csv")
    pd.DataFrame({"source": ["P1"] * 10, "target": genes[-10:], "weight": 1.0}).to_csv(tmp_path / "net.csv", index=False)
    base = ["activity", str(tmp_path / "m.csv"), "--resource", str(tmp_path / "net.csv"), "-q", "--tme"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    fr = pd.read_csv(tmp_path / "a" / "fractions.csv", index_col=0)
    assert fr.shape == (8, 2) and list(fr.columns) == ["T cells", "Fibroblasts"]
    assert read_h5mu(tmp_path / "a" / "cohort.h5mu")["tme"].uns["tme"]["params"]["method"] == "mcp"
    # a cohort that has its tme already keeps it (fractions.csv written from it)
    assert main(["activity", str(tmp_path / "a" / "cohort.h5mu"), "--resource", str(tmp_path / "net.csv"), "-q",
                 "--tme", "--tme-signature", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "b")]) == 0
    assert pd.read_csv(tmp_path / "b" / "fractions.csv", index_col=0).equals(fr)
    # NNLS fractions from a user's signature, with the other-cells share
    sig = pd.DataFrame(rng.gamma(2, 50, size=(12, 2)), index=pd.Index(genes[:12], name="gene"), columns=["A", "B"])
    sig.to_csv(tmp_path / "sig.csv")
    assert main([*base, "--tme-signature", str(tmp_path / "sig.csv"), "--out", str(tmp_path / "c")]) == 0
    fc = pd.read_csv(tmp_path / "c" / "fractions.csv", index_col=0)
    assert list(fc.columns) == ["A", "B", "other cells"] and np.allclose(fc.sum(1), 1)
    sig.assign(A="x").to_csv(tmp_path / "bad.csv")
    assert main([*base, "--tme-signature", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "d")]) == 1
