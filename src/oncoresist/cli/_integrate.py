"""Verb ``integrate``: preprocess the layers, fit latent factors, find subtypes, test associations."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, handle_errors, log


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


@app.command()
@handle_errors
def integrate(
    cohort: Path = typer.Argument(..., help="Cohort (.h5mu) from 'oncoresist build'."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (cohort.h5mu, CSV tables, model/)."),  # noqa: B008
    mods: str = typer.Option(None, "--mods", help="Comma-separated layers to integrate (default: all but 'drug')."),  # noqa: B008
    n_factors: int = typer.Option(10, "--n-factors", "-k", min=1, help="Initial number of factors (inactive ones are pruned)."),
    method: str = typer.Option("native", "--method", help="'native' group factor analysis or 'mofa' (needs mofapy2)."),
    preprocess: bool = typer.Option(True, "--preprocess/--no-preprocess", help="Default per-layer preprocessing first."),
    batch_key: str = typer.Option(None, "--batch-key", help="Sample column with the batch (e.g. TMT plex) for ComBat."),  # noqa: B008
    covariates: str = typer.Option(None, "--covariates", help="Comma-separated columns ComBat must preserve."),  # noqa: B008
    n_top: int = typer.Option(2000, "--n-top", min=0, help="Most variable features kept per continuous layer (0 = all)."),
    subtype_method: str = typer.Option("snf", "--subtypes", help="'snf', 'consensus' (on the factors) or 'none'."),
    k: int = typer.Option(None, "--k", min=2, help="Number of subtypes (default: chosen from the data)."),  # noqa: B008
    model: Path = typer.Option(None, "--model", help="Project the cohort onto this saved model instead of fitting one."),  # noqa: B008
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    max_iter: int = typer.Option(1000, "--max-iter", min=1, help="Maximum variational iterations."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages or summary table."),
) -> None:
    """Integrate a cohort's layers: latent factors, subtypes and their associations.

    Preprocesses each layer (RNA counts -> log CPM, methylation -> M-values, proteomics ->
    log2 + median centring + missingness filter, optional ComBat on --batch-key), fits a group
    factor model (factors active in some layers only; Bernoulli likelihood for mutations;
    samples missing layers are kept), finds subtypes (similarity network fusion + spectral
    clustering, or consensus clustering of the factors) with the evidence for their number,
    and tests factors and subtypes against clinical variables, survival and drug response.

    Writes OUT/cohort.h5mu (obsm['X_factors'], varm['factors'], obs['subtype'], uns),
    OUT/factors.csv, OUT/loadings.csv, OUT/variance_explained.csv, OUT/subtypes.csv,
    OUT/k_selection.csv, OUT/associations.csv and the fitted model in OUT/model/ (project new
    patients with --model OUT/model).

    Example: oncoresist integrate cohort.h5mu --out integration --batch-key batch

    Project new patients onto the saved model: oncoresist integrate new.h5mu --model integration/model --out new
    """
    import pandas as pd

    from .._core._errors import InputError
    from .._core._utils import write_csv
    from ..io import read_h5mu, write_h5mu
    from ..pp import preprocess as run_preprocess
    from ..tl import factors, get_factors, integration_associations, project_factors, subtypes

    if method not in ("native", "mofa"):
        msg = f"--method must be 'native' or 'mofa', got {method!r}."
        raise InputError(msg)
    if subtype_method not in ("snf", "consensus", "none"):
        msg = f"--subtypes must be 'snf', 'consensus' or 'none', got {subtype_method!r}."
        raise InputError(msg)
    if out.exists() and not out.is_dir():
        msg = f"--out '{out}' is an existing file: give a folder path."
        raise InputError(msg)
    mdata = read_h5mu(cohort)
    layers = _split(mods)
    if layers is None:
        layers = [m for m in mdata.mod if m != "drug"] or list(mdata.mod)
    out.mkdir(parents=True, exist_ok=True)
    if preprocess:
        log("preprocessing layers ...", quiet=quiet)
        run_preprocess(mdata, mods=[m for m in mdata.mod if m != "drug"], batch_key=batch_key,
                       covariates=_split(covariates), n_top=n_top if n_top > 0 else None)
    elif batch_key is not None:
        msg = "--batch-key needs preprocessing (drop --no-preprocess) or a cohort already batch-corrected."
        raise InputError(msg)
    if model is not None:
        log(f"projecting {mdata.n_obs} samples onto {model} ...", quiet=quiet)
        project_factors(mdata, model, return_std=True)
    else:
        log(f"fitting group factor analysis on {', '.join(layers)} ...", quiet=quiet)
        factors(mdata, mods=layers, n_factors=n_factors, method=method, max_iter=max_iter, random_state=seed,
                save_model=out / "model")
    F = get_factors(mdata, dropna=False)
    write_csv(F.reset_index(names="sample"), out / "factors.csv")
    u = mdata.uns["factors"]
    r2 = u["variance_explained"]
    write_csv(r2.reset_index(names="layer"), out / "variance_explained.csv")
    rows = []
    for m in (layers if model is None else list(mdata.mod)):
        a = mdata.mod[m]
        if "factors" not in a.varm:
            continue
        L = pd.DataFrame(a.varm["factors"], index=a.var_names.astype(str), columns=list(u["factor_names"])).dropna(how="all")
        long = L.reset_index(names="feature").melt(id_vars="feature", var_name="factor", value_name="loading")
        long.insert(0, "layer", m)
        rows.append(long)
    if rows:
        write_csv(pd.concat(rows, ignore_index=True), out / "loadings.csv")
    if model is None and subtype_method != "none":
        log(f"finding subtypes ({subtype_method}) ...", quiet=quiet)
        subtypes(mdata, method=subtype_method, mods=layers, n_subtypes=k, random_state=seed)
        s = mdata.obs["subtype"]
        write_csv(pd.DataFrame({"sample": mdata.obs_names.astype(str), "subtype": s.astype(object).to_numpy()}),
                  out / "subtypes.csv")
        write_csv(mdata.uns["subtype"]["k_selection"], out / "k_selection.csv")
    if model is None:
        log("testing associations ...", quiet=quiet)
        assoc = integration_associations(mdata)
        write_csv(assoc, out / "associations.csv")
    write_h5mu(mdata, out / "cohort.h5mu")
    if not quiet:
        from rich.console import Console
        from rich.table import Table

        t = Table(title="variance explained (%)")
        t.add_column("layer")
        for c in r2.columns:
            t.add_column(str(c))
        for lay, row in r2.iterrows():
            t.add_row(str(lay), *[f"{100 * float(v):.1f}" for v in row])
        Console(stderr=True).print(t)
    n_sub = f", {int(mdata.obs['subtype'].nunique())} subtypes" if "subtype" in mdata.obs and model is None and subtype_method != "none" else ""
    typer.echo(f"integration: {out} ({F.shape[1]} factors{n_sub}; cohort: {out / 'cohort.h5mu'})")
