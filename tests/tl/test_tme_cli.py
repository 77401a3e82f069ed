"""The ``tme`` verb: marker scores, a user's GMT markers, NNLS fractions from a reference profile."""

import numpy as np
import pandas as pd

from oncoresist.cli import main


def _matrix(tmp_path, genes, x):
    pd.DataFrame(x.T, index=pd.Index(genes, name="gene"), columns=[f"S{i}" for i in range(x.shape[0])]).to_csv(
        tmp_path / "m.csv")
    return str(tmp_path / "m.csv")


def test_tme_cli_mcp_default_writes_fractions_and_cohort(tmp_path, capsys):
    from oncoresist.io import read_h5mu
    from oncoresist.tl import MCP_MARKERS

    rng = np.random.default_rng(0)
    genes = list(MCP_MARKERS["T cells"]) + list(MCP_MARKERS["B lineage"]) + [f"G{i}" for i in range(20)]
    x = rng.normal(5, 1, size=(10, len(genes)))
    x[:5, : len(MCP_MARKERS["T cells"])] += 3  # T-cell rich samples
    m = _matrix(tmp_path, genes, x)
    out = tmp_path / "o"
    assert main(["tme", m, "--out", str(out), "-q"]) == 0
    fr = pd.read_csv(out / "fractions.csv", index_col=0)
    assert list(fr.columns) == ["T cells", "B lineage"] and fr.shape[0] == 10
    assert fr["T cells"].iloc[:5].min() > fr["T cells"].iloc[5:].max()
    t = read_h5mu(out / "cohort.h5mu")["tme"]
    assert t.uns["tme"]["params"]["method"] == "mcp"
    assert main(["tme", m, "--out", str(out), "-q"]) == 1  # existing --out refused
    assert "already exists" in capsys.readouterr().err
    assert main(["tme", m, "--out", str(out), "-q", "--overwrite"]) == 0


def test_tme_cli_gmt_markers_and_reference_profile_recovers_fractions(tmp_path):
    rng = np.random.default_rng(1)
    genes = [f"G{i}" for i in range(30)]
    (tmp_path / "mk.gmt").write_text("Alpha\t-\tG0\tG1\tG2\nBeta\t-\tG3\tG4\n")
    x = rng.gamma(2, 20, size=(8, 30))
    m = _matrix(tmp_path, genes, x)
    assert main(["tme", m, "--signature", str(tmp_path / "mk.gmt"), "--out", str(tmp_path / "g"), "-q"]) == 0
    assert list(pd.read_csv(tmp_path / "g" / "fractions.csv", index_col=0).columns) == ["Alpha", "Beta"]
    # mixtures made from a known reference: NNLS gives the planted fractions back, other cells included
    ref = pd.DataFrame(rng.gamma(2, 50, size=(30, 3)), index=pd.Index(genes, name="gene"), columns=["A", "B", "C"])
    truth = rng.dirichlet(np.ones(4), size=12)[:, :3]  # the 4th share has no expression (other cells)
    mix = truth @ ref.to_numpy().T
    m = _matrix(tmp_path, genes, mix)
    ref.to_csv(tmp_path / "ref.csv")
    assert main(["tme", m, "--signature", str(tmp_path / "ref.csv"), "--out", str(tmp_path / "n"), "-q"]) == 0
    fr = pd.read_csv(tmp_path / "n" / "fractions.csv", index_col=0)
    assert list(fr.columns) == ["A", "B", "C", "other cells"] and np.allclose(fr.sum(1), 1)
    assert np.allclose(fr[["A", "B", "C"]].to_numpy(), truth, atol=1e-6)


def test_tme_cli_bad_inputs_are_clear(tmp_path, capsys):
    rng = np.random.default_rng(2)
    m = _matrix(tmp_path, ["CD3D", "MS4A1", "G1"], rng.normal(size=(4, 3)))
    assert main(["tme", m, "--signature", "nosuch", "--out", str(tmp_path / "a"), "-q"]) == 1
    assert "not 'mcp' and no such file" in capsys.readouterr().err
    pd.DataFrame({"gene": ["CD3D"], "A": ["x"]}).to_csv(tmp_path / "bad.csv", index=False)
    assert main(["tme", m, "--signature", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "b"), "-q"]) == 1
    assert "are not all numbers" in capsys.readouterr().err
    assert main(["tme", m, "--out", str(tmp_path / "ok"), "-q"]) == 0
    assert main(["tme", str(tmp_path / "ok" / "cohort.h5mu"), "--mod", "prot", "--out", str(tmp_path / "c"), "-q"]) == 1
    assert "modality 'prot' is not in the cohort" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()
