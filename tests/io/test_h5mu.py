from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.io import read_h5mu, write_h5mu


def _toy(rng):
    a = ad.AnnData(rng.normal(size=(5, 3)).astype(np.float32))
    a.obs_names = [f"S{i}" for i in range(5)]
    a.var_names = ["g1", "g2", "g3"]
    a.var["note"] = ["x", None, "z"]
    b = ad.AnnData(rng.normal(size=(3, 2)))
    b.obs_names = ["S0", "S1", "S9"]
    b.var_names = ["d1", "d2"]
    m = md.MuData({"rna": a, "drug": b})
    m.obs["tissue"] = pd.Series(["lung", "lung", "brain", None, "skin", "lung"], index=m.obs_names).astype(object)
    m.uns["dose_response"] = pd.DataFrame({"sample": ["S0"], "drug": ["d1"], "dose": [1.0], "response": [0.5]})
    m.uns["params"] = {"a": None, "names": ["x", "y"]}
    return m


def test_roundtrip(tmp_path, rng):
    m = _toy(rng)
    p = write_h5mu(m, tmp_path / "c.h5mu")
    back = read_h5mu(p)
    assert set(back.mod) == {"rna", "drug"}
    assert back.n_obs == 6
    np.testing.assert_allclose(back["rna"].X, m["rna"].X)
    assert list(back.uns["dose_response"]["drug"]) == ["d1"]
    assert list(tmp_path.iterdir()) == [tmp_path / "c.h5mu"]


def test_read_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_h5mu(tmp_path / "none.h5mu")
    bad = tmp_path / "bad.h5mu"
    bad.write_text("not hdf5")
    with pytest.raises(InputError, match="cannot read cohort"):
        read_h5mu(bad)


def test_non_mudata_hdf5_is_an_input_error_with_the_fix(tmp_path, rng):
    import h5py

    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(InputError, match=r"plain.h5' is an HDF5 file but not a MuData cohort \(it holds x; no 'mod' group\)"):
        read_h5mu(plain)
    h5ad = tmp_path / "a.h5ad"
    ad.AnnData(rng.normal(size=(2, 2))).write_h5ad(h5ad)
    with pytest.raises(InputError, match=r"a.h5ad' is an AnnData \(.h5ad\) file, not a MuData cohort.*mudata.MuData"):
        read_h5mu(h5ad)
    text = tmp_path / "t.h5mu"
    text.write_text("not hdf5")
    with pytest.raises(InputError, match=r"cannot read cohort .*t.h5mu.*complete HDF5 file"):
        read_h5mu(text)


def test_damaged_h5mu_is_an_input_error(tmp_path, rng):
    p = write_h5mu(_toy(rng), tmp_path / "c.h5mu", compression=None)
    raw = bytearray(p.read_bytes())
    for pos in range(600, len(raw), 997):  # corrupt object headers / b-trees throughout the file
        raw[pos] ^= 0x5A
    bad = tmp_path / "bad.h5mu"
    bad.write_bytes(bytes(raw))
    try:
        read_h5mu(bad)
    except InputError as e:
        assert "bad.h5mu" in str(e)
    cut = tmp_path / "cut.h5mu"
    cut.write_bytes(p.read_bytes()[:2000])
    with pytest.raises(InputError, match=r"cut.h5mu"):
        read_h5mu(cut)


def test_shared_feature_names_across_modalities_read_and_write_without_warnings(tmp_path):
    """Genes repeated across layers (TP53 in rna and mut) are normal: no 'not unique' / 'intersecting' note."""
    import warnings

    ids = [f"S{i}" for i in range(5)]
    rna = ad.AnnData(np.arange(15.0).reshape(5, 3), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["TP53", "EGFR", "KRAS"]))
    mut = ad.AnnData(np.eye(5)[:, :2], obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["TP53", "EGFR"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.MuData({"rna": rna, "mut": mut})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_h5mu(m, tmp_path / "c.h5mu")
        back = read_h5mu(tmp_path / "c.h5mu")
    assert [str(w.message) for w in caught] == []
    assert back.mod["mut"].var_names.tolist() == ["TP53", "EGFR"]
    np.testing.assert_array_equal(back.mod["rna"].X, rna.X)
