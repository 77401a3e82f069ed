"""pp functions never replace a user's own layer or column (issue 11: claim_key everywhere)."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import (
    log_transform,
    mvalues,
    normalize_counts,
    normalize_proteomics,
    select_features,
)


def _a(X: np.ndarray) -> ad.AnnData:
    return ad.AnnData(np.asarray(X, float), obs=pd.DataFrame(index=[f"s{i}" for i in range(X.shape[0])]),
                      var=pd.DataFrame(index=[f"f{j}" for j in range(X.shape[1])]))


def test_users_raw_layer_survives_and_overwrite_replaces() -> None:
    rng = np.random.default_rng(0)
    a = _a(rng.lognormal(10, 1, size=(5, 8)))
    mine = np.full(a.shape, 7.0)
    a.layers["raw"] = mine.copy()
    with pytest.raises(InputError, match=r"layers\['raw'\] already exists.*Rename it first.*overwrite=True"):
        normalize_proteomics(a, mod="prot")
    np.testing.assert_array_equal(a.layers["raw"], mine)
    before = a.X.copy()
    normalize_proteomics(a, mod="prot", overwrite=True)
    np.testing.assert_array_equal(a.layers["raw"], before)


def test_rerun_replaces_its_own_result() -> None:
    rng = np.random.default_rng(1)
    a = _a(rng.lognormal(2, 2, size=(4, 50)))
    log_transform(a)
    first = a.layers["linear"].copy()
    log_transform(a)  # its own earlier result: replaced without complaint
    np.testing.assert_allclose(a.layers["linear"], np.log2(first + 1))


def test_key_added_named_in_error() -> None:
    rng = np.random.default_rng(2)
    a = _a(rng.uniform(0.1, 0.9, size=(4, 6)))
    a.layers["mvalue"] = np.zeros(a.shape)
    with pytest.raises(InputError, match="key_added='<another name>'"):
        mvalues(a, mod="meth")
    mvalues(a, mod="meth", key_added="m2")
    assert "m2" in a.layers and (a.layers["mvalue"] == 0).all()


def test_selected_column_and_size_factor_claimed() -> None:
    rng = np.random.default_rng(3)
    a = _a(rng.normal(size=(6, 10)))
    a.var["selected"] = [True] * 10  # the user's own pick
    with pytest.raises(InputError, match=r"var\['selected'\]"):
        select_features(a, mod="x", n_top=3)
    select_features(a, mod="x", n_top=3, key_added="hvf")
    assert a.var["selected"].all() and a.var["hvf"].sum() == 3
    c = _a(rng.poisson(30, size=(4, 20)))
    c.obs["size_factor"] = 1.0
    with pytest.raises(InputError, match=r"obs\['size_factor'\]"):
        normalize_counts(c, mod="rna", layer=None)
