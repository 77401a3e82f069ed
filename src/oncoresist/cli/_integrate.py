"""Verb ``integrate``: preprocess the layers, fit latent factors, find subtypes, test associations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ._app import app, check_choice, choices, deprecated_alias, handle_errors, log, split_names


@app.command()
@handle_errors
def integrate(
    cohort: Path = typer.Argument(..., help="Cohort (.h5mu) from 'oncoresist build'."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (cohort.h5mu, CSV tables, model/)."),  # noqa: B008
    layers: list[str] = typer.Option(None, "--layers", "-l", help="Layers to integrate (repeatable or comma-separated; default: all but 'drug')."),  # noqa: B008
    mods: str = typer.Option(None, "--mods", hidden=True, help="Deprecated alias of --layers."),  # noqa: B008
    n_factors: int = typer.Option(10, "--n-factors", min=1, help="Initial number of factors (inactive ones are pruned)."),
    n_factors_old: int = typer.Option(None, "-k", min=1, hidden=True, help="Deprecated alias of --n-factors."),  # noqa: B008
    method: str = typer.Option("native", "--method", metavar=choices("native", "mofa"), help="'native' group factor analysis or 'mofa' (needs mofapy2)."),
    sparsity: str = typer.Option("feature", "--sparsity", metavar=choices("feature", "view"), help="Factor loadings: 'feature' (sparse within a layer, "
                                 "separates factors sharing layers) or 'view' (per-layer ARD only)."),
    preprocess: bool = typer.Option(True, "--preprocess/--no-preprocess", help="Default per-layer preprocessing first."),
    batch_key: str = typer.Option(None, "--batch-key", help="Sample column with the batch (e.g. TMT plex) for ComBat."),  # noqa: B008
    covariates: str = typer.Option(None, "--covariates", help="Comma-separated columns ComBat must preserve."),  # noqa: B008
    n_top: int = typer.Option(2000, "--n-top", min=0, help="Most variable features kept per continuous layer (0 = all)."),
    data_type: str = typer.Option(None, "--data-type", help="Declared data types, e.g. 'rna=tpm,mirna=counts' "  # noqa: B008
                                  "(counts, tpm, fpkm, rsem, log, beta, mvalue, binary, zscore); default: the study "
                                  "file's scale = ..., else detected from the values (a warning when unsure)."),
    subtype_method: str = typer.Option("snf", "--subtypes", metavar=choices("snf", "consensus", "none"), help="'snf', 'consensus' (on the factors) or 'none'."),
    n_subtypes: int = typer.Option(None, "--n-subtypes", min=2, help="Number of subtypes (default: chosen from the data)."),  # noqa: B008
    k: int = typer.Option(None, "--k", min=2, hidden=True, help="Deprecated alias of --n-subtypes."),  # noqa: B008
    affinity: str = typer.Option("auto", "--affinity", metavar=choices("auto", "dense", "knn"), help="SNF networks: 'dense' (N x N, memory ~ N^2), 'knn' (sparse nearest-neighbour networks, large cohorts) or 'auto' (knn above 2,000 samples, with a warning)."),
    subtype_key: str = typer.Option("subtype", "--subtype-key", help="Sample column (and uns key) for the subtypes; "
                                    "use another name when the sample sheet has its own 'subtype' column."),
    time_key: str = typer.Option(None, "--time-key", help="Sample column with survival time: tested by log-rank (subtypes) / "  # noqa: B008
                                 "Cox score trend test (factors), not as a clinical variable (default: survival_time)."),
    event_key: str = typer.Option(None, "--event-key", help="Sample column with the survival event (1 = event, 0 = "  # noqa: B008
                                  "censored); goes with --time-key (default: survival_event)."),
    model: Path = typer.Option(None, "--model", help="Project the cohort onto this saved model instead of fitting one."),  # noqa: B008
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    max_iter: int = typer.Option(1000, "--max-iter", min=1, help="Maximum variational iterations."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace results of the same name in the cohort that "
                                   "oncoresist integrate did not write (e.g. a sample-sheet 'subtype' column)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages or summary table."),
) -> None:
    """Integrate a cohort's layers: latent factors, subtypes and their associations.

    Preprocesses each layer by its data type, declared (--data-type, the study file's
    scale = ...) or detected from the values (counts -> log CPM, TPM / FPKM / RSEM -> log2,
    beta -> M-values, proteomics -> log2 + median centring + missingness filter, optional
    ComBat on --batch-key; each layer's type is printed and kept in uns['preprocess']), fits a group
    factor model (factors active in some layers only; Bernoulli likelihood for mutations;
    samples missing layers are kept), finds subtypes (similarity network fusion + spectral
    clustering, or consensus clustering of the factors) with the evidence for their number
    (a warning when the criteria disagree), and tests factors and subtypes against clinical
    variables, survival and drug response. A column or result of the same name that it did not
    write (a sample-sheet 'subtype' column) is never replaced: pass --subtype-key or --overwrite.

    Writes OUT/cohort.h5mu (obsm['X_factors'], varm['factors'], obs[SUBTYPE_KEY], uns),
    OUT/factors.csv, OUT/loadings.csv, OUT/variance_explained.csv, OUT/subtypes.csv,
    OUT/k_selection.csv, OUT/associations.csv and the fitted model in OUT/model/ (project new
    patients with --model OUT/model).

    Example: oncoresist integrate cohort.h5mu --out integration --batch-key batch

    Survival: obs survival_time / survival_event (or --time-key / --event-key) are tested by
    log-rank per subtype and a Cox score (log-rank trend) test per factor, never as clinical
    variables; what was used is recorded in uns['integration_associations_params'].

    Project new patients onto the saved model: oncoresist integrate new.h5mu --model integration/model --out new
    """
    import warnings

    from .._core._errors import InputError
    from .._core._keys import claim_key
    from ..io import read_h5mu, write_h5mu

    chosen = deprecated_alias(split_names(layers), split_names(mods), new="--layers", old="--mods")
    n_factors = deprecated_alias(n_factors, n_factors_old, new="--n-factors", old="-k", default=10)
    k = deprecated_alias(n_subtypes, k, new="--n-subtypes", old="--k")
    check_choice("--sparsity", sparsity, ("feature", "view"))
    _check_options(method, subtype_method, out, affinity)
    mdata = read_h5mu(cohort)
    layers = chosen or [m for m in mdata.mod if m != "drug"] or list(mdata.mod)
    fitted = model is None
    survival = _survival_keys(mdata, time_key, event_key)  # checked before any work
    with_subtypes = fitted and subtype_method != "none"
    if with_subtypes:  # a sample-sheet column of that name: refused before any work
        try:
            claim_key(mdata, "obs", subtype_key, by="tl.subtypes", overwrite=overwrite, option="--subtype-key")
        except InputError as e:
            msg = str(e).replace("--subtype-key='<another name>'", "--subtype-key NAME").replace("overwrite=True", "--overwrite")
            raise InputError(msg) from None
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        _preprocess_step(mdata, preprocess, batch_key, covariates, n_top, quiet, data_type)
        _factor_step(mdata, layers, model, out, n_factors=n_factors, method=method, max_iter=max_iter, seed=seed,
                     overwrite=overwrite, quiet=quiet, sparsity=sparsity)
        if with_subtypes:
            _subtype_step(mdata, out, subtype_method, layers, k, seed, key=subtype_key, overwrite=overwrite, quiet=quiet,
                          affinity=affinity)
        if fitted:
            log("testing associations ...", quiet=quiet)
            _association_step(mdata, out, subtype_key=subtype_key, overwrite=overwrite,
                              survival=survival)
    for w in caught:  # shown even with --quiet: a doubtful result must be loud
        if "names are intersecting" not in str(w.message):
            typer.echo(f"warning: {w.message}", err=True)
    write_h5mu(mdata, out / "cohort.h5mu")
    _print_summary(mdata, out, subtype_key if with_subtypes else None, quiet=quiet)


def _check_options(method: str, subtype_method: str, out: Path, affinity: str = "auto") -> None:
    """Refuse unknown --method / --subtypes / --affinity values and an --out that is a file."""
    from .._core._errors import InputError

    check_choice("--method", method, ("native", "mofa"))
    check_choice("--subtypes", subtype_method, ("snf", "consensus", "none"))
    check_choice("--affinity", affinity, ("auto", "dense", "knn"))
    if out.exists() and not out.is_dir():
        msg = f"--out '{out}' is an existing file: give a folder path."
        raise InputError(msg)


def _data_types(spec: str | None) -> dict[str, str] | None:
    """``--data-type 'rna=tpm,mirna=counts'`` as ``{mod: type}``."""
    from .._core._errors import InputError

    if spec is None:
        return None
    out: dict[str, str] = {}
    for item in split_names(spec) or []:
        mod, sep, kind = item.partition("=")
        if not sep or not mod.strip() or not kind.strip():
            msg = f"--data-type: {item!r} is not LAYER=TYPE (e.g. --data-type 'rna=tpm,mirna=counts')."
            raise InputError(msg)
        out[mod.strip()] = kind.strip()
    return out


def _preprocess_step(mdata: Any, preprocess: bool, batch_key: str | None, covariates: str | None, n_top: int,
                     quiet: bool, data_type: str | None = None) -> None:
    """Default per-layer preprocessing (and ComBat on ``batch_key``) of every layer but ``drug``, by data type."""
    from .._core._errors import InputError
    from ..pp import preprocess as run_preprocess

    if preprocess:
        log("preprocessing layers ...", quiet=quiet)
        run_preprocess(mdata, mods=[m for m in mdata.mod if m != "drug"], batch_key=batch_key,
                       covariates=split_names(covariates), n_top=n_top if n_top > 0 else None, data_types=_data_types(data_type))
        for mod, rec in mdata.uns["preprocess"]["data_types"].items():
            how = mdata.mod[mod].uns["pp"]["data_type"]["how"]
            log(f"  {mod}: {rec} ({how}) -> {', '.join(mdata.uns['preprocess']['steps'][mod])}", quiet=quiet)
    elif data_type is not None:
        msg = "--data-type applies to preprocessing; drop --no-preprocess."
        raise InputError(msg)
    elif batch_key is not None:
        msg = "--batch-key needs preprocessing (drop --no-preprocess) or a cohort already batch-corrected."
        raise InputError(msg)


def _factor_step(mdata: Any, layers: list[str], model: Path | None, out: Path, *, n_factors: int, method: str,
                 max_iter: int, seed: int, overwrite: bool, quiet: bool, sparsity: str = "feature") -> None:
    """Fit (or project onto ``model``) the factors; write factors, variance explained and loadings."""
    import pandas as pd

    from .._core._utils import write_csv
    from ..tl import factors, get_factors, project_factors

    if model is not None:
        log(f"projecting {mdata.n_obs} samples onto {model} ...", quiet=quiet)
        project_factors(mdata, model, return_std=True, overwrite=overwrite)
    else:
        log(f"fitting group factor analysis on {', '.join(layers)} ...", quiet=quiet)
        factors(mdata, mods=layers, n_factors=n_factors, method=method, max_iter=max_iter, random_state=seed,
                sparsity=sparsity, save_model=out / "model", overwrite=overwrite)
    write_csv(get_factors(mdata, dropna=False).reset_index(names="sample"), out / "factors.csv")
    u = mdata.uns["factors"]
    write_csv(u["variance_explained"].reset_index(names="layer"), out / "variance_explained.csv")
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


def _subtype_step(mdata: Any, out: Path, subtype_method: str, layers: list[str], k: int | None, seed: int, *, key: str,
                  overwrite: bool, quiet: bool, affinity: str = "auto") -> None:
    """Find the subtypes into ``obs[key]``; write subtypes.csv (columns sample, subtype) and k_selection.csv."""
    import pandas as pd

    from .._core._utils import write_csv
    from ..tl import subtypes

    log(f"finding subtypes ({subtype_method}) ...", quiet=quiet)
    subtypes(mdata, method=subtype_method, mods=layers, n_subtypes=k, random_state=seed, key_added=key, overwrite=overwrite,
             affinity=affinity)
    s = mdata.obs[key]
    write_csv(pd.DataFrame({"sample": mdata.obs_names.astype(str), "subtype": s.astype(object).to_numpy()}),
              out / "subtypes.csv")
    write_csv(mdata.uns[key]["k_selection"], out / "k_selection.csv")


def _survival_keys(mdata: Any, time_key: str | None, event_key: str | None) -> tuple[str, str]:
    """The (time, event) columns from --time-key / --event-key (both or neither; they must be in obs)."""
    from .._core._errors import InputError

    if time_key is None and event_key is None:
        return ("survival_time", "survival_event")
    if time_key is None or event_key is None:
        msg = "--time-key and --event-key go together: give both (the survival time and the event column)."
        raise InputError(msg)
    missing = [f"{opt} {c!r}" for opt, c in (("--time-key", time_key), ("--event-key", event_key)) if c not in mdata.obs.columns]
    if missing:
        msg = (f"{', '.join(missing)} not a sample column of the cohort; available: "
               f"{', '.join(map(str, mdata.obs.columns[:15]))}. Fix the option or add the column to the sample sheet.")
        raise InputError(msg)
    return (time_key, event_key)


def _association_step(mdata: Any, out: Path, *, subtype_key: str, overwrite: bool, survival: tuple[str, str]) -> None:
    """Test factors and subtypes against clinical variables, survival and drugs; write associations.csv."""
    from .._core._utils import write_csv
    from ..tl import integration_associations

    write_csv(integration_associations(mdata, subtype_key=subtype_key, survival=survival, overwrite=overwrite),
              out / "associations.csv")


def _print_summary(mdata: Any, out: Path, subtype_key: str | None, *, quiet: bool) -> None:
    """The variance-explained table (unless ``quiet``) and the one-line result."""
    r2 = mdata.uns["factors"]["variance_explained"]
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
    n_sub = f", {int(mdata.obs[subtype_key].nunique())} subtypes" if subtype_key is not None else ""
    typer.echo(f"integration: {out} ({r2.shape[1]} factors{n_sub}; cohort: {out / 'cohort.h5mu'})")
