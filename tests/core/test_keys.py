"""The overwrite guard (_core._keys.claim_key) and the one parameter cleaner (_core._params)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist._core._keys import claim_key
from oncoresist._core._params import clean_params


def _adata() -> ad.AnnData:
    obs = pd.DataFrame({"subtype": ["LumA", "Basal", "Her2"]}, index=["s1", "s2", "s3"])
    return ad.AnnData(np.zeros((3, 2)), obs=obs)


def test_user_column_is_refused_with_the_fix():
    a = _adata()
    with pytest.raises(InputError, match=r"obs\['subtype'\] already exists.*not written by oncoresist.*key_added=.*overwrite=True"):
        claim_key(a, "obs", "subtype", by="tl.subtypes")
    assert a.obs["subtype"].tolist() == ["LumA", "Basal", "Her2"]
    assert "oncoresist" not in a.uns


def test_own_result_is_replaced_other_writer_is_refused():
    a = _adata()
    claim_key(a, "obsm", "X_factors", by="tl.factors")
    a.obsm["X_factors"] = np.ones((3, 2))
    claim_key(a, "obsm", "X_factors", by="tl.factors")
    with pytest.raises(InputError, match="written by tl.factors"):
        claim_key(a, "obsm", "X_factors", by="tl.project_factors", option="key")
    claim_key(a, "obsm", "X_factors", by="tl.project_factors", overwrite=True)
    assert a.uns["oncoresist"]["keys"]["obsm:X_factors"] == "tl.project_factors"


def test_overwrite_true_takes_a_user_column():
    a = _adata()
    claim_key(a, "obs", "subtype", by="tl.subtypes", overwrite=True)
    assert a.uns["oncoresist"]["keys"] == {"obs:subtype": "tl.subtypes"}


def test_record_survives_h5mu_round_trip(tmp_path):
    m = md.MuData({"rna": _adata()})
    claim_key(m, "uns", "subtype", by="tl.subtypes")
    m.uns["subtype"] = {"k": 2}
    path = tmp_path / "c.h5mu"
    m.write(path)
    back = md.read_h5mu(path)
    claim_key(back, "uns", "subtype", by="tl.subtypes")
    with pytest.raises(InputError):
        claim_key(back, "uns", "subtype", by="tl.associate")


def test_unknown_slot():
    with pytest.raises(ValueError, match="unknown slot"):
        claim_key(_adata(), "obz", "x", by="f")


def test_clean_params_spells_none_one_way():
    out = clean_params({"a": None, "b": (1, 2.5), "c": ["x", None], "d": np.float32(0.5), "e": np.bool_(True)})
    assert out["a"] == "None"
    np.testing.assert_array_equal(out["b"], [1.0, 2.5])
    assert out["c"] == ["x", "None"]
    assert isinstance(out["d"], float) and out["e"] is True
