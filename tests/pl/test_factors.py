"""Integration figures (pl._factors)."""

from __future__ import annotations

import anndata as ad
import matplotlib.pyplot as plt
import mudata as md
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from oncoresist._core._errors import InputError
from oncoresist.pl import (
    batch_correction,
    factor_scatter,
    k_selection,
    top_loadings,
    variance_explained,
)
from oncoresist.pp import combat
from oncoresist.tl import factors, subtypes


@pytest.fixture(scope="module")
def cohort():
    rng = np.random.default_rng(0)
    n = 60
    ids = [f"s{i}" for i in range(n)]
    z = rng.normal(size=(n, 2))
    rna = ad.AnnData(z @ rng.normal(size=(2, 20)) + rng.normal(size=(n, 20)), obs=pd.DataFrame(index=ids),
                     var=pd.DataFrame(index=[f"G{i}" for i in range(20)]))
    prot = ad.AnnData(z[:, :1] @ rng.normal(size=(1, 15)) + rng.normal(size=(n, 15)), obs=pd.DataFrame(index=ids),
                      var=pd.DataFrame(index=[f"P{i}" for i in range(15)]))
    m = md.MuData({"rna": rna, "prot": prot[:50].copy()})
    m.obs["group"] = np.where(z[:, 0] > 0, "hi", "lo")
    m.obs["age"] = rng.normal(60, 8, size=n)
    factors(m, n_factors=4, random_state=0)
    subtypes(m, k_neighbors=10, ks=(2, 3), n_subtypes=2)  # k fixed: no warning that the criteria disagree
    yield m
    plt.close("all")


def test_variance_explained_heatmap(cohort):
    fig = variance_explained(cohort)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["rna", "prot"]
    assert len(ax.get_xticklabels()) == len(cohort.uns["factors"]["factor_names"])
    with pytest.raises(InputError, match="run oncoresist.tl.factors"):
        variance_explained(md.MuData({"x": ad.AnnData(np.ones((2, 2)))}))


def test_factor_scatter_colours(cohort):
    fig = factor_scatter(cohort, color="group")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"hi", "lo"} <= set(labels)
    fig2 = factor_scatter(cohort, x="Factor1", y=2, color="age")
    assert len(fig2.axes) == 2  # colour bar
    with pytest.raises(InputError, match="not a column"):
        factor_scatter(cohort, color="nope")
    with pytest.raises(InputError, match="factor 9"):
        factor_scatter(cohort, x=9)


def test_top_loadings_panels(cohort):
    fig = top_loadings(cohort, factor=1, n_top=5)
    assert [ax.get_title() for ax in fig.axes] == ["rna", "prot"]
    assert all(len(ax.patches) == 5 for ax in fig.axes)
    # the features shown are the largest absolute loadings
    L = pd.Series(cohort.mod["rna"].varm["factors"][:, 0], index=cohort.mod["rna"].var_names)
    shown = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert shown == set(L.abs().sort_values(ascending=False).index[:5])


def test_k_selection_and_batch_figures(cohort):
    fig = k_selection(cohort)
    assert "eigengap" in fig.axes[0].get_ylabel()
    a = ad.AnnData(np.random.default_rng(1).normal(size=(30, 10)),
                   obs=pd.DataFrame({"plex": np.repeat(["a", "b", "c"], 10)}))
    a.X[a.obs["plex"].to_numpy() == "b"] += 2
    combat(a, batch_key="plex")
    fig = batch_correction(a)
    assert len(fig.axes[0].patches) == 2
    with pytest.raises(InputError, match="ComBat"):
        batch_correction(ad.AnnData(np.ones((2, 2))))


def test_single_axes_figures_draw_into_a_given_ax(cohort):
    import matplotlib.pyplot as plt

    a = ad.AnnData(np.random.default_rng(1).normal(size=(30, 10)), obs=pd.DataFrame({"plex": np.repeat(["a", "b", "c"], 10)}))
    combat(a, batch_key="plex")
    fig, axes = plt.subplots(1, 3)
    assert factor_scatter(cohort, color="group", ax=axes[0]) is fig and len(axes[0].collections) >= 1
    assert k_selection(cohort, ax=axes[1]) is fig and "eigengap" in axes[1].get_ylabel()
    assert batch_correction(a, ax=axes[2]) is fig and len(axes[2].patches) == 2
    plt.close(fig)


def test_multi_panel_plots_draw_into_a_given_figure_or_subfigure():
    """``fig=`` on the multi-axes plots: panels land in the given (sub)figure, which is returned."""
    import anndata as ad
    import matplotlib.pyplot as plt
    import mudata as md
    import numpy as np
    import pandas as pd

    from oncoresist import pl

    rng = np.random.default_rng(0)
    ids = [f"s{i}" for i in range(12)]
    rna = ad.AnnData(rng.normal(size=(12, 5)), obs=pd.DataFrame(index=ids))
    mut = ad.AnnData((rng.random((10, 4)) < 0.3).astype(float), obs=pd.DataFrame(index=ids[:10]))
    mut.var_names = [f"m{i}" for i in range(4)]
    m = md.MuData({"rna": rna, "mut": mut})
    parent = plt.figure()
    left, right = parent.subfigures(1, 2)
    assert pl.missingness(m, fig=left) is left and len(left.axes) == 2
    assert pl.layer_distributions(m, fig=right) is right and len(right.axes) == 2
    own = plt.figure()
    assert pl.sample_overlap(m, fig=own) is own and len(own.axes) == 2
    obs = pd.DataFrame({"tmb": rng.gamma(2, 4, 12)}, index=ids)
    f = plt.figure()
    assert pl.genome_biomarkers(obs, fig=f) is f and len(f.axes) >= 1
    assert len(pl.missingness(m).axes) == 2  # default: a new figure
    plt.close("all")
