"""Clonal figures: CCF scatter between samples, strip plot for one sample."""

from __future__ import annotations

import matplotlib.pyplot as plt
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
