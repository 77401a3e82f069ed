"""Verb ``clones``: cancer cell fractions, mutation clusters (clones) and their figure."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, handle_errors, log, refuse_existing


@app.command()
@handle_errors
def clones(
    input: Path = typer.Argument(..., help="PyClone-VI TSV, or a ClonEvol / CALDER table with read counts."),  # noqa: B008,A002
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (refused when it exists, unless --overwrite)."),  # noqa: B008
    max_clusters: int = typer.Option(10, "--max-clusters", help="Largest number of clusters tried (chosen by BIC)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the clustering starts (results are deterministic per seed)."),
    density: str = typer.Option("beta-binomial", "--density", help="beta-binomial (over-dispersed counts, precision 200) or binomial."),
    max_trees: int = typer.Option(10, "--max-trees", help="Best clone trees written to trees.csv (at most 8 clusters)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder's files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Cancer cell fractions and clones of the mutations of one patient's samples.

    Input: a PyClone-VI TSV (mutation_id, sample_id, ref_counts, alt_counts, major_cn,
    minor_cn, normal_cn, tumour_content; common spellings accepted) or a ClonEvol / CALDER table
    with read counts (copy number 1+1 and purity 1 assumed, with a warning). The layout is
    detected from the header.

    Output (--out DIR): ccf.csv (mutation, sample, ccf, ccf_low, ccf_high, multiplicity,
    cluster; 95% interval, multiplicity inferred from copy number; input_cluster when the file
    gives its own clusters, as ClonEvol tables do), clusters.csv (cluster,
    sample, ccf, ccf_low, ccf_high, n_mutations; cluster 0 has the highest mean CCF),
    model_selection.csv (n_clusters, n_nonempty, log_likelihood, bic, elbo, chosen) and
    ccf_scatter.png.

    Example: oncoresist clones pyclone_input.tsv --out clones --max-clusters 10 --seed 0
    """
    import warnings

    from .._core._utils import atomic_path, write_csv
    from ..io import read_clonal
    from ..pl import ccf_scatter
    from ..tl import cancer_cell_fractions, clone_trees, cluster_mutations
    from ..tl.clonal._trees import MAX_TREE_CLUSTERS

    refuse_existing(out, overwrite=overwrite)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = read_clonal(input)
        log(f"read {table['mutation_id'].nunique()} mutations x {table['sample_id'].nunique()} samples "
            f"({table.attrs.get('format', 'pyclone')})", quiet=quiet)
        ccf = cancer_cell_fractions(table)
        res = cluster_mutations(table, max_clusters=max_clusters, random_state=seed, density=density)
    for w in {str(w.message) for w in caught if issubclass(w.category, UserWarning)}:
        log(f"warning: {w}", quiet=quiet)
    ccf = ccf.rename(columns={"cluster": "input_cluster"}).merge(res.mutations[["mutation_id", "cluster"]], on="mutation_id", how="left")
    cols = {"mutation_id": "mutation", "sample_id": "sample"}
    out.mkdir(parents=True, exist_ok=True)
    keep = ["mutation_id", "sample_id", "ccf", "ccf_low", "ccf_high", "multiplicity", "cluster"]
    keep += ["input_cluster"] if "input_cluster" in ccf.columns else []
    write_csv(ccf[keep].rename(columns=cols), out / "ccf.csv")
    write_csv(res.clusters.rename(columns=cols), out / "clusters.csv")
    write_csv(res.selection, out / "model_selection.csv")
    written = "ccf.csv, clusters.csv, model_selection.csv"
    if res.n_clusters <= MAX_TREE_CLUSTERS:
        write_csv(clone_trees(res.clusters, max_trees=max_trees), out / "trees.csv")
        written += ", trees.csv"
    else:
        log(f"{res.n_clusters} clusters: trees are enumerated for at most {MAX_TREE_CLUSTERS}; no trees.csv "
            "(use --max-clusters 8)", quiet=quiet)
    fig = ccf_scatter(ccf, res.clusters)
    with atomic_path(out / "ccf_scatter.png") as tmp:
        fig.savefig(tmp, dpi=120)
    log(f"{res.n_clusters} clusters; wrote {written}, ccf_scatter.png to {out}", quiet=quiet)
