import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.tl import MCP_MARKERS, nnls_fractions, tme


def test_nnls_recovers_known_fractions_with_other_cells():
    rng = np.random.default_rng(0)
    ref = rng.gamma(2.0, 50.0, size=(40, 4)) * (rng.uniform(size=(40, 4)) > 0.5)
    f = rng.dirichlet(np.ones(5), size=30)  # last column: other cells (~0 on signature genes)
    mix = f[:, :4] @ ref.T * (1 + rng.normal(0, 0.02, size=(30, 40)))
    est = nnls_fractions(mix, ref)
    assert np.abs(est - f).max() < 0.05


def test_mcp_scores_track_planted_markers_and_protect_user_modality():
    rng = np.random.default_rng(1)
    genes = list(MCP_MARKERS["T cells"]) + list(MCP_MARKERS["B lineage"]) + [f"X{i}" for i in range(20)]
    t = rng.uniform(0, 5, size=20)
    x = rng.normal(0, 0.3, size=(20, len(genes))) + 3
    x[:, :13] += t[:, None]
    m = md.MuData({"rna": ad.AnnData(x, obs=pd.DataFrame(index=[f"s{i}" for i in range(20)]), var=pd.DataFrame(index=genes))})
    tme(m)
    s = m["tme"].to_df()
    assert np.corrcoef(s["T cells"], t)[0, 1] > 0.95 and abs(np.corrcoef(s["B lineage"], t)[0, 1]) < 0.6
    assert m["tme"].uns["tme"]["params"]["markers_found"]["T cells"] == 13
    tme(m)  # its own result: replaced
    m.mod["mine"] = ad.AnnData(np.zeros((20, 1)), obs=pd.DataFrame(index=m["rna"].obs_names))
    with pytest.raises(InputError, match="overwrite"):
        tme(m, key_added="mine")


def test_tme_nnls_writes_other_cells():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame(rng.gamma(2.0, 50.0, size=(30, 3)), index=[f"g{i}" for i in range(30)], columns=["A", "B", "C"])
    f = rng.dirichlet(np.ones(4), size=6)
    mix = f[:, :3] @ ref.to_numpy().T
    m = md.MuData({"rna": ad.AnnData(mix, obs=pd.DataFrame(index=[f"s{i}" for i in range(6)]), var=pd.DataFrame(index=ref.index))})
    tme(m, method="nnls", signature=ref)
    assert list(m["tme"].var_names) == ["A", "B", "C", "other cells"]
    assert np.abs(m["tme"].X - f).max() < 0.01
