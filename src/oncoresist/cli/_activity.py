"""Verb ``activity``: pathway / TF / kinase activities from prior-knowledge resources."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, choices, handle_errors, log


@app.command()
@handle_errors
def activity(
    input: Path = typer.Argument(None, help="Cohort .h5mu, or a genes x samples matrix file (CSV/TSV, .gz ok)."),  # noqa: B008,A002
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (refused when it exists, unless --overwrite)."),  # noqa: B008
    mod: str = typer.Option("rna", "--mod", help="Modality to read (a matrix file becomes this modality)."),
    resource: str = typer.Option("progeny", "--resource", help="Comma-separated resource names (progeny, collectri, dorothea, signor, hallmark, reactome, wikipathways) or files (network CSV/TSV, GMT)."),
    method: str = typer.Option("ulm", "--method", metavar=choices("ulm", "mlm", "wmean", "wsum", "viper", "gsea", "ksea"), help="ulm, mlm, wmean, wsum, viper, gsea or ksea."),
    resources_dir: Path = typer.Option(None, "--resources-dir", help="Folder holding the registered resource files."),  # noqa: B008
    install_resources: Path = typer.Option(None, "--install-resources", help="Install the resource files of FROM_DIR into ~/.cache/oncoresist/resources (sha256 checked) and exit."),  # noqa: B008
    tmin: int = typer.Option(5, "--tmin", help="Minimum targets of a source among the features."),
    times: int = typer.Option(1000, "--times", help="Permutations (wmean, wsum, gsea)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the permutations."),
    tme: bool = typer.Option(False, "--tme", help="Also add the microenvironment modality 'tme' (cell-type scores / fractions of --mod) when the cohort has none, and write DIR/fractions.csv."),
    tme_signature: Path = typer.Option(None, "--tme-signature", help="With --tme: a genes x cell types reference profile (CSV/TSV, linear scale) for NNLS fractions with an 'other cells' share; default MCP-counter-style marker scores."),  # noqa: B008
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder / modality."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Infer activities per sample and write one modality act_<resource> per resource.

    Output (--out DIR): DIR/cohort.h5mu (the cohort with the new modalities, p-values in their
    layer 'pvalues'), DIR/activities_<resource>.csv and DIR/pvalues_<resource>.csv (samples x sources);
    with --tme also DIR/fractions.csv (samples x cell types of the 'tme' modality; an existing 'tme'
    modality of the cohort is kept and written as it is). Site resources print the phosphosite match rate.

    Example: oncoresist activity cohort.h5mu --mod rna --resource progeny,collectri --method ulm --out act
    """
    from .._core._errors import InputError
    from .._core._utils import write_csv
    from ..io import read_h5mu, read_matrix, write_h5mu
    from ..kb import install_resources as install
    from ..tl import activity as run  # the function (its package is tl.functional)
    from ..tl.functional import match_line

    if install_resources is not None:
        rep = install(install_resources)
        for r in rep.itertuples():
            log(f"{r.name}: {r.status} ({r.version}, {r.licence})", quiet=quiet)
        typer.echo(f"resources: {int((rep['status'] == 'installed').sum())} of {len(rep)} installed")
        return
    if input is None or out is None:
        raise InputError("activity needs INPUT and --out DIR (or --install-resources FROM_DIR).")
    if out.exists() and not overwrite:
        raise InputError(f"--out {out} already exists; choose another folder or pass --overwrite.")
    mdata = _read_input(input, mod, read_h5mu, read_matrix)
    for res in [r.strip() for r in resource.split(",") if r.strip()]:
        before = set(mdata.mod)
        run(mdata, mod=mod, resource=res, method=method, resource_path=resources_dir, tmin=tmin, times=times,
            random_state=seed, overwrite=overwrite)
        key = (set(mdata.mod) - before or {k for k in mdata.mod if k.startswith("act_")}).pop()
        a = mdata[key]
        out.mkdir(parents=True, exist_ok=True)
        stem = Path(res).name.split(".")[0]
        write_csv(a.to_df(), out / f"activities_{stem}.csv", index=True)
        write_csv(a.to_df(layer="pvalues"), out / f"pvalues_{stem}.csv", index=True)
        log(f"{res}: {key} ({a.n_obs} samples x {a.n_vars} sources, {method})", quiet=quiet)
        params = a.uns["activity"]["params"]
        if "n_matched" in params:  # a site resource: say how many phosphosites it could use
            typer.echo(f"{res}: {match_line(params)}")
    out.mkdir(parents=True, exist_ok=True)
    if tme:
        _add_tme(mdata, mod, tme_signature, out, quiet)
    write_h5mu(mdata, out / "cohort.h5mu")
    typer.echo(f"activity: {out / 'cohort.h5mu'}")


def _read_input(path: Path, mod: str, read_h5mu, read_matrix):  # noqa: ANN001,ANN202
    """A cohort from an .h5mu, or a one-modality cohort from a matrix file."""
    import warnings

    import mudata as md

    from .._core._utils import is_hdf5

    if path.name.lower().endswith(".h5mu") or is_hdf5(path):
        return read_h5mu(path)
    adata = read_matrix(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return md.MuData({mod: adata})


def _add_tme(mdata, mod: str, signature: Path | None, out: Path, quiet: bool) -> None:  # noqa: ANN001
    """Add modality ``tme`` unless the cohort has one, and write DIR/fractions.csv."""
    from .._core._utils import read_table, write_csv
    from ..tl import tme as run_tme

    if "tme" in mdata.mod:
        log("tme: the cohort already has a 'tme' modality; kept as it is", quiet=quiet)
    elif signature is not None:
        run_tme(mdata, mod=mod, method="nnls", signature=_signature(read_table(signature, what="signature"), signature))
    else:
        run_tme(mdata, mod=mod, method="mcp")
    t = mdata["tme"]
    write_csv(t.to_df(), out / "fractions.csv", index=True)
    log(f"tme: {t.n_obs} samples x {t.n_vars} cell types -> {out / 'fractions.csv'}", quiet=quiet)



@app.command()
@handle_errors
def tme(
    input: Path = typer.Argument(..., help="Cohort .h5mu, or a genes x samples expression matrix file (CSV/TSV, .gz ok)."),  # noqa: B008,A002
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (refused when it exists, unless --overwrite)."),  # noqa: B008
    mod: str = typer.Option("rna", "--mod", help="Expression modality to read (a matrix file becomes this modality)."),
    signature: str = typer.Option("mcp", "--signature", help="'mcp' (MCP-counter markers, Becht 2016, shipped), a GMT file of your own markers (cell type = set name; marker scores), or a genes x cell types reference profile CSV/TSV (linear scale; NNLS fractions with an 'other cells' share)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder / 'tme' modality."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    r"""Microenvironment: cell-type scores or fractions per sample, as modality 'tme'.

    Output (--out DIR): DIR/fractions.csv (samples x cell types: marker scores for 'mcp' / a GMT,
    fractions summing to 1 with 'other cells' for a reference profile) and DIR/cohort.h5mu (the
    cohort with modality 'tme', usable by associate, train, integrate and the reports). The method,
    the signature and the markers found are recorded in mdata['tme'].uns['tme'].

    \b
    Examples:
      oncoresist tme cohort.h5mu --out tme
      oncoresist tme expression.tsv --signature my_reference.csv --out tme
    """
    from .._core._errors import InputError
    from .._core._utils import read_table, write_csv
    from ..io import read_h5mu, read_matrix, write_h5mu
    from ..tl import tme as run_tme

    if out.exists() and not overwrite:
        raise InputError(f"--out {out} already exists; choose another folder or pass --overwrite.")
    mdata = _read_input(input, mod, read_h5mu, read_matrix)
    if mod not in mdata.mod:
        raise InputError(f"{input}: modality {mod!r} is not in the cohort ({', '.join(mdata.mod)}); pass --mod <one of them>.")
    path = Path(signature)
    if signature.lower() == "mcp":
        run_tme(mdata, mod=mod, method="mcp", overwrite=overwrite)
    elif not path.is_file():
        raise InputError(f"--signature {signature!r}: not 'mcp' and no such file; give 'mcp', a GMT of markers or a "
                         "genes x cell types reference profile (CSV/TSV).")
    elif path.name.lower().endswith((".gmt", ".gmt.gz")):
        run_tme(mdata, mod=mod, method="mcp", markers=_gmt_markers(path), overwrite=overwrite)
    else:
        run_tme(mdata, mod=mod, method="nnls", signature=_signature(read_table(path, what="signature"), path),
                overwrite=overwrite)
    t = mdata["tme"]
    out.mkdir(parents=True, exist_ok=True)
    write_csv(t.to_df(), out / "fractions.csv", index=True)
    write_h5mu(mdata, out / "cohort.h5mu")
    log(f"tme: {t.n_obs} samples x {t.n_vars} cell types -> {out / 'fractions.csv'}", quiet=quiet)
    typer.echo(f"tme: {out / 'cohort.h5mu'}")


def _gmt_markers(path: Path) -> dict[str, list[str]]:
    """``{cell type: marker genes}`` from a GMT file (set name = cell type)."""
    from ..kb import read_gmt

    sets = read_gmt(path)
    return {str(k): list(g["target"].astype(str)) for k, g in sets.groupby("source", sort=False)}


def _signature(df, path: Path):  # noqa: ANN001,ANN202
    """Genes x cell types numbers from a read signature table (first column = gene IDs)."""
    import pandas as pd

    from .._core._errors import InputError

    sig = df.set_index(df.columns[0])
    sig.index = sig.index.astype(str)
    values = sig.apply(pd.to_numeric, errors="coerce")
    bad = [str(c) for c in sig.columns if values[c].isna().any()]
    if bad or not len(sig.columns):
        raise InputError(f"signature {path}: columns {', '.join(bad) or '(none)'} are not all numbers; give genes "
                         "in the first column and one numeric column per cell type (linear scale).")
    return values
