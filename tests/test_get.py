"""The one way to read a layer (oncoresist.get)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from oncoresist import get
from oncoresist._core._errors import InputError


@pytest.fixture
def cohort():
    rng = np.random.default_rng(0)
    rna = ad.AnnData(rng.poisson(5, size=(4, 3)).astype(np.float32),
                     obs=pd.DataFrame({"plex": list("aabb")}, index=[f"s{i}" for i in range(4)]),
                     var=pd.DataFrame(index=["g1", "g2", "g3"]))
    rna.layers["counts"] = sparse.csr_matrix(np.arange(12.0).reshape(4, 3))
    prot = ad.AnnData(rng.normal(size=(3, 2)), obs=pd.DataFrame(index=["s1", "s2", "s3"]),
                      var=pd.DataFrame(index=["p1", "p2"]))
    m = md.MuData({"rna": rna, "prot": prot})
    m.obs["batch"] = ["x", "y", "x", "y"]
    m.obs["prot:site"] = ["A", "B", "C", "D"]
    return m


def test_matrix_dense_float_copy(cohort):
    X = get.matrix(cohort, "rna", layer="counts")
    assert isinstance(X, np.ndarray) and X.dtype == float and X[3, 2] == 11.0
    X[0, 0] = 99.0
    assert cohort.mod["rna"].layers["counts"][0, 0] == 0.0
    assert get.matrix(cohort.mod["prot"]).shape == (3, 2)
    assert get.matrix(md.MuData({"prot": cohort.mod["prot"].copy()})).shape == (3, 2)  # one modality: mod optional


def test_frame_labels(cohort):
    f = get.frame(cohort, "rna")
    assert list(f.columns) == ["g1", "g2", "g3"] and list(f.index) == ["s0", "s1", "s2", "s3"]
    assert np.allclose(f.to_numpy(), cohort.mod["rna"].X)


def test_obs_column(cohort):
    assert get.obs_column(cohort, "batch").tolist() == ["x", "y", "x", "y"]
    assert get.obs_column(cohort, "plex", mod="rna").tolist() == list("aabb")
    s = get.obs_column(cohort, "batch", mod="prot")  # cohort obs aligned to the modality's samples
    assert list(s.index) == ["s1", "s2", "s3"] and s.tolist() == ["y", "x", "y"]
    assert get.obs_column(cohort, "site", mod="prot").tolist() == ["B", "C", "D"]
    assert get.obs_column(cohort.mod["rna"], "plex").tolist() == list("aabb")


def test_errors_name_what_is_missing(cohort):
    with pytest.raises(InputError, match=r"no modality 'zzz' \(modalities: rna, prot\)"):
        get.matrix(cohort, "zzz")
    with pytest.raises(InputError, match="2 modalities"):
        get.frame(cohort)
    with pytest.raises(InputError, match=r"no layer 'tpm' of modality 'rna' \(layers: counts\)"):
        get.matrix(cohort, "rna", layer="tpm")
    with pytest.raises(InputError, match=r"column 'age' not found in the cohort's obs \(columns: rna:plex, batch, prot:site\)"):
        get.obs_column(cohort, "age")
    with pytest.raises(InputError, match="column 'age' not found in the layer's obs or the cohort's obs"):
        get.obs_column(cohort, "age", mod="rna")
    with pytest.raises(InputError, match="expected a MuData cohort or an AnnData layer, got ndarray"):
        get.matrix(np.zeros(2))
    with pytest.raises(InputError, match="no X matrix"):
        get.matrix(ad.AnnData(obs=pd.DataFrame(index=["a"])))
