"""Clonal figures: CCF scatter between samples, strip plot for one sample."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pl import ccf_scatter


def _ccf(samples):
    rows = [{"mutation_id": f"m{i}", "sample_id": s, "ccf": (i % 3) / 2, "cluster": i % 3} for i in range(12) for s in samples]
    return pd.DataFrame(rows)


def test_ccf_scatter_one_panel_per_pair_and_centres():
    t = _ccf(["R1", "R2", "R3"])
    cl = t.groupby(["cluster", "sample_id"], as_index=False)["ccf"].mean()
    fig = ccf_scatter(t, cl)
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(visible) == 3  # R1-R2, R1-R3, R2-R3
    assert visible[0].get_xlabel() == "CCF R1" and visible[0].get_ylabel() == "CCF R2"
    assert len(visible[0].collections) == 3 + 3  # three clusters + three centres
    plt.close(fig)


def test_ccf_scatter_single_sample_and_bad_input():
    fig = ccf_scatter(_ccf(["R1"]).drop(columns="cluster"))
    assert fig.axes[0].get_ylabel() == "CCF R1"
    plt.close(fig)
    with pytest.raises(InputError, match="ccf_scatter needs"):
        ccf_scatter(pd.DataFrame({"x": [1]}))


def _series():
    cl = pd.DataFrame({"cluster": [0] * 3 + [1] * 3 + [2] * 3, "sample_id": ["T0", "T1", "T2"] * 3,
                       "ccf": [1.0, 1.0, 1.0, 0.0, 0.5, 0.9, 0.0, 0.0, 0.6], "n_mutations": [50] * 3 + [20] * 3 + [5] * 3})
    tree = pd.DataFrame({"tree": [1, 1, 1, 2, 2, 2], "cluster": [0, 1, 2] * 2, "parent": [-1, 0, 1, -1, 0, 0]})
    return cl, tree


def test_fish_plot_nests_children_in_parents_and_takes_ax():
    from oncoresist.pl import fish_plot
    from oncoresist.pl._clonal_time import _bands, _children, _nested_sizes, _parents

    cl, tree = _series()
    fig, ax = plt.subplots()
    assert fish_plot(cl, tree, {"T0": 0, "T1": 30, "T2": 90}, ax=ax) is fig
    assert len(ax.collections) == 3 and [t.get_text() for t in ax.get_xticklabels()] == ["T0", "T1", "T2"]
    kids = _children(_parents(tree))  # the best tree (1): 0 -> 1 -> 2
    wide = cl.pivot(index="cluster", columns="sample_id", values="ccf")
    bands = _bands(_nested_sizes(wide, kids), kids)
    for c, p in ((1, 0), (2, 1)):
        assert (bands[c][0] >= bands[p][0] - 1e-12).all() and (bands[c][1] <= bands[p][1] + 1e-12).all()
    np.testing.assert_allclose(bands[2][1] - bands[2][0], [0.0, 0.0, 0.6])
    np.testing.assert_allclose(bands[0][0], [0.0, 0.0, 0.0])  # the founder fills the height (gap 0 around a CCF of 1)
    wide.loc[2, "T2"] = 1.0  # a child above its parent is shrunk to fit it
    nested = _nested_sizes(wide, kids)
    assert nested.loc[2, "T2"] == pytest.approx(0.9)
    plt.close(fig)


def test_clone_tree_draws_every_clone_and_rejects_bad_trees():
    from oncoresist.pl import clone_tree, fish_plot

    cl, tree = _series()
    fig = clone_tree(tree, cl)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sorted(texts) == ["0\n50 mut", "1\n20 mut", "2\n5 mut", "normal"]
    fig2, ax = plt.subplots()
    assert clone_tree(tree[tree["tree"] == 2], ax=ax) is fig2
    with pytest.raises(InputError, match="exactly one root"):
        clone_tree(pd.DataFrame({"cluster": [0, 1], "parent": [-1, -1]}))
    with pytest.raises(InputError, match="cycle"):
        clone_tree(pd.DataFrame({"cluster": [0, 1, 2], "parent": [-1, 2, 1]}))
    with pytest.raises(InputError, match="at least 2 time points"):
        fish_plot(cl, tree, ["T0"])
    with pytest.raises(InputError, match="not in the clusters"):
        fish_plot(cl, tree, ["T0", "T9"])
    plt.close("all")
