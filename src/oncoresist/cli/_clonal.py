"""Verb ``clones``: cancer cell fractions, mutation clusters (clones) and their figure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from ._app import app, handle_errors, log, refuse_existing

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


@app.command()
@handle_errors
def clones(
    input: Path = typer.Argument(..., help="PyClone-VI TSV, a ClonEvol / CALDER table with read counts, or a cohort .h5mu with uns['clonal_input']."),  # noqa: B008,A002
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (refused when it exists, unless --overwrite)."),  # noqa: B008
    max_clusters: int = typer.Option(10, "--max-clusters", help="Largest number of clusters tried (chosen by BIC)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the clustering starts (results are deterministic per seed)."),
    density: str = typer.Option("beta-binomial", "--density", help="beta-binomial (over-dispersed counts, precision 200) or binomial."),
    max_trees: int = typer.Option(10, "--max-trees", help="Best clone trees written to trees.csv (at most 8 clusters)."),
    times: str = typer.Option(None, "--times", help="Samples in time order, comma-separated (a time series: longitudinal trees, fish plot)."),  # noqa: B008
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder's files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Cancer cell fractions and clones of the mutations of one patient's samples (or of a cohort's patients).

    Input: a PyClone-VI TSV (mutation_id, sample_id, ref_counts, alt_counts, major_cn,
    minor_cn, normal_cn, tumour_content; common spellings accepted) or a ClonEvol / CALDER table
    with read counts (copy number 1+1 and purity 1 assumed, with a warning). The layout is
    detected from the header. A cohort (.h5mu, detected from its content) built from a study
    file with a [clonal] table is analysed per patient: the results go to uns['clonal'] of
    OUT/cohort.h5mu (the patient report's "Clonal structure" section) and the files below to
    OUT/<patient>/.

    Output (--out DIR): ccf.csv (mutation, sample, ccf, ccf_low, ccf_high, multiplicity,
    cluster; 95% interval, multiplicity inferred from copy number; input_cluster when the file
    gives its own clusters, as ClonEvol tables do), clusters.csv (cluster,
    sample, ccf, ccf_low, ccf_high, n_mutations; cluster 0 has the highest mean CCF),
    model_selection.csv (n_clusters, n_nonempty, log_likelihood, bic, elbo, chosen),
    trees.csv (tree, cluster, parent, violation, max_violation, consistent, n_consistent; with
    --times also crossings, the clone-crossing count of the time series) and ccf_scatter.png.
    With >= 2 ordered samples (--times, or times in the study file) also fish_plot.png (clone
    sizes over time) and clone_tree.png (the best tree).

    Example: oncoresist clones pyclone_input.tsv --out clones --max-clusters 10 --seed 0
    """
    refuse_existing(out, overwrite=overwrite)
    opts = {"max_clusters": max_clusters, "random_state": seed, "density": density, "max_trees": max_trees}
    order = [s.strip() for s in times.split(",") if s.strip()] if times else None
    if _is_hdf5(input):
        _cohort_clones(input, out, opts, order, overwrite=overwrite, quiet=quiet)
    else:
        _file_clones(input, out, opts, order, quiet=quiet)


@contextmanager
def _relay_warnings(quiet: bool, prefix: str = "") -> Iterator[None]:
    """Collect the user warnings of the block and log each distinct one once."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)):
        log(f"warning: {prefix}{w}", quiet=quiet)


def _is_hdf5(path: Path) -> bool:
    """Whether the file is HDF5 (a cohort .h5mu), by its signature (at 0, or after a 512 / 1024 / ... byte user block)."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    return any(head[o: o + 8] == _HDF5_MAGIC for o in (0, 512, 1024, 2048, 4096))


def _file_clones(input: Path, out: Path, opts: dict[str, Any], order: list[str] | None, *, quiet: bool) -> None:  # noqa: A002
    """One patient's clonal table -> the files of OUT."""
    import anndata as ad
    import numpy as np

    from ..io import read_clonal
    from ..tl import clones as tl_clones

    with _relay_warnings(quiet):
        table = read_clonal(input)
        log(f"read {table['mutation_id'].nunique()} mutations x {table['sample_id'].nunique()} samples "
            f"({table.attrs.get('format', 'pyclone')})", quiet=quiet)
        entry = tl_clones(ad.AnnData(np.zeros((1, 1))), table, patient="patient", times=order, **opts)
    ccf = table[["mutation_id", "cluster"]].drop_duplicates("mutation_id") if "cluster" in table.columns else None
    written = _write_entry(out, entry, input_clusters=ccf, quiet=quiet)
    log(f"{entry['params']['n_clusters']} clusters; wrote {written} to {out}", quiet=quiet)


def _cohort_clones(input: Path, out: Path, opts: dict[str, Any], order: list[str] | None, *, overwrite: bool, quiet: bool) -> None:  # noqa: A002
    """Every patient of the cohort's ``uns['clonal_input']`` -> ``uns['clonal']`` of OUT/cohort.h5mu and OUT/<patient>/."""
    import numpy as np
    import pandas as pd

    from .._core._errors import InputError
    from ..io import read_h5mu, write_h5mu
    from ..tl import clones as tl_clones

    mdata = read_h5mu(input)
    inp = mdata.uns.get("clonal_input")
    if not isinstance(inp, pd.DataFrame) or not {"patient", "mutation_id", "sample_id"} <= set(inp.columns):
        msg = (f"cohort '{input}' has no uns['clonal_input'] table (patient, mutation_id, sample_id, counts): add a [clonal] "
               "table to the study file (file + patient) and rebuild it with `oncoresist build`.")
        raise InputError(msg)
    for patient, tab in inp.groupby("patient", sort=True):
        declared = tab.dropna(subset=["time"]).sort_values("time") if "time" in tab.columns else tab.iloc[:0]
        patient_order = order or (list(dict.fromkeys(declared["sample_id"].astype(str))) or None)
        table = tab.drop(columns=["patient", "time"], errors="ignore").reset_index(drop=True)
        for col in ("normal_cn", "major_cn", "minor_cn", "ref_counts", "alt_counts"):
            if col in table.columns and not np.issubdtype(table[col].dtype, np.number):
                table[col] = pd.to_numeric(table[col])
        with _relay_warnings(quiet, prefix=f"{patient}: "):
            entry = tl_clones(mdata, table, patient=str(patient), times=patient_order, overwrite=overwrite, **opts)
        written = _write_entry(out / _safe(str(patient)), entry, input_clusters=None, quiet=quiet)
        log(f"{patient}: {entry['params']['n_clusters']} clusters; wrote {written}", quiet=quiet)
    write_h5mu(mdata, out / "cohort.h5mu")
    log(f"{inp['patient'].nunique()} patient(s); uns['clonal'] written to {out / 'cohort.h5mu'}", quiet=quiet)


def _write_entry(out: Path, entry: dict[str, Any], *, input_clusters: Any, quiet: bool) -> str:
    """The CSV files and figures of one patient's ``tl.clones`` entry; returns what was written."""
    import matplotlib.pyplot as plt

    from .._core._utils import atomic_path, write_csv
    from ..pl import ccf_scatter

    out.mkdir(parents=True, exist_ok=True)
    ccf = entry["ccf"]
    if input_clusters is not None:
        ccf = ccf.merge(input_clusters.rename(columns={"cluster": "input_cluster"}), on="mutation_id", how="left")
    keep = ["mutation_id", "sample_id", "ccf", "ccf_low", "ccf_high", "multiplicity", "cluster"]
    keep += ["input_cluster"] if "input_cluster" in ccf.columns else []
    cols = {"mutation_id": "mutation", "sample_id": "sample"}
    write_csv(ccf[keep].rename(columns=cols), out / "ccf.csv")
    write_csv(entry["clusters"].rename(columns=cols), out / "clusters.csv")
    write_csv(entry["selection"], out / "model_selection.csv")
    written = ["ccf.csv", "clusters.csv", "model_selection.csv"]
    if len(entry["trees"]):
        write_csv(entry["trees"], out / "trees.csv")
        written.append("trees.csv")
    else:
        log(f"{entry['params']['n_clusters']} clusters: trees are enumerated for at most 8; no trees.csv "
            "(use --max-clusters 8)", quiet=quiet)
    figs = {"ccf_scatter.png": ccf_scatter(ccf, entry["clusters"])}
    figs.update(_time_figures(entry))
    for name, fig in figs.items():
        with atomic_path(out / name) as tmp:
            fig.savefig(tmp, dpi=120, format="png")
        plt.close(fig)
        written.append(name)
    return ", ".join(written)


def _time_figures(entry: dict[str, Any]) -> dict[str, Any]:
    """Fish plot and clone tree when the entry has >= 2 ordered samples and a tree."""
    times = [str(t) for t in entry["params"].get("times", [])] if isinstance(entry["params"].get("times"), list) else []
    if len(times) < 2 or not len(entry["trees"]):
        return {}
    from ..pl import clone_tree, fish_plot

    best = entry["trees"][entry["trees"]["tree"] == 1]
    return {"fish_plot.png": fish_plot(entry["clusters"], best, times), "clone_tree.png": clone_tree(best, entry["clusters"])}


def _safe(name: str) -> str:
    """A file-name-safe patient ID."""
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "patient"
