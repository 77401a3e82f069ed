"""Verbs about biomarkers and response models: ``associate``, ``train``, ``predict``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .._core._errors import InputError
from ._app import (
    N_JOBS_HELP,
    app,
    check_choice,
    choices,
    handle_errors,
    log,
    n_jobs_value,
    split_names,
)


def _drugs(drug: list[str] | None, all_drugs: bool) -> list[str] | None:
    names = split_names(drug)
    if names and all_drugs:
        msg = "give either --drug NAME (repeatable) or --all, not both."
        raise InputError(msg)
    if not names and not all_drugs:
        msg = "no drug chosen: give --drug NAME (repeatable, or comma-separated) or --all."
        raise InputError(msg)
    return names


def _print_top(df, *, title: str, quiet: bool, n: int = 10) -> None:  # noqa: ANN001
    if quiet or df.empty:
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c))
    for row in df.head(n).itertuples(index=False):
        t.add_row(*[f"{v:.3g}" if isinstance(v, float) else str(v) for v in row])
    Console(stderr=True).print(t)


def _drug_option(verb: str) -> Any:
    """``--drug/-d`` of the verbs that work per drug (one name and help pattern everywhere)."""
    return typer.Option(None, "--drug", "-d", help=f"Drug(s) to {verb} (repeatable or comma-separated).")


def _all_option(verb: str) -> Any:
    """``--all``: every drug of the drug layer."""
    return typer.Option(False, "--all", help=f"{verb} every drug of the drug layer.")


@app.command()
@handle_errors
def associate(
    cohort: Path = typer.Argument(..., help="Cohort (.h5mu) built by 'oncoresist build'."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Association table to write (.csv / .tsv)."),  # noqa: B008
    drug: list[str] = _drug_option("test"),  # noqa: B008
    all_drugs: bool = _all_option("Test"),
    target: str = typer.Option(None, "--target", help="Instead of drugs: an obs column (continuous or two groups)."),
    metric: str = typer.Option(None, "--metric", help="Drug-layer matrix (default .X = normalised AUC; e.g. log10_ic50)."),
    layers: list[str] = typer.Option(None, "--layers", "-l", help="Feature layers (default: all but drug)."),  # noqa: B008
    covariates: list[str] = typer.Option(None, "--covariates", "-c", help="obs columns to adjust for (e.g. tissue,msi)."),  # noqa: B008
    higher_is: str = typer.Option(None, "--higher-is", metavar=choices("resistant", "sensitive"), help="What a higher response means: 'resistant' (IC50, AUC) or "
                                  "'sensitive' (AAC, -log GI50, % inhibition); default: as declared in the cohort."),
    min_group_size: int = typer.Option(3, "--min-group-size", min=1, help="Smallest carrier / non-carrier group."),
    min_samples: int = typer.Option(10, "--min-samples", min=3, help="Smallest number of samples per test."),
    plots: Path = typer.Option(None, "--plots", help="Folder for the volcano plot and the top hits' plots."),  # noqa: B008
    n_jobs: int = typer.Option(1, "--n-jobs", min=0, help=N_JOBS_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or result table."),
) -> None:
    """Test every feature of the chosen layers against drug response (GDSC ANOVA style).

    For each drug and feature fits response ~ covariates + feature; writes effect size
    (Cohen's d / Glass's deltas for binary features, partial r for continuous ones), p-value,
    FDR across all tests and the sample counts per group. Drugs with too few measured samples
    or no variance are skipped with a warning. Labels (resistance / sensitivity) follow
    --higher-is, else the orientation declared for the metric, else a warning and "higher =
    more resistant"; the orientation used is the table's higher_is column.

    Example: oncoresist associate cohort.h5mu --all --layers mut,cnv --covariates tissue --out assoc.csv
    """
    import warnings

    from .._core._utils import write_csv
    from ..io import read_h5mu
    from ..tl import associate as tl_associate
    from ..tl import get_associations

    names = None if target else _drugs(drug, all_drugs)
    mdata = read_h5mu(cohort)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        # overwrite: the cohort file is read, not written back, so nothing of the user's is replaced
        tl_associate(mdata, drugs=names, metric=metric, target=target, layers=split_names(layers),
                     covariates=split_names(covariates) or (), higher_is=higher_is, min_group_size=min_group_size,
                     min_samples=min_samples, n_jobs=n_jobs_value(n_jobs), scheduler=scheduler, quiet=quiet, overwrite=True)
    for w in caught:
        log(f"warning: {w.message}", quiet=quiet)
    res = get_associations(mdata)
    write_csv(res, out)
    uns = mdata.uns["associate"]
    if "cross_layer" in uns and len(uns["cross_layer"]):
        xl = out.with_name(out.name.split(".")[0] + "_cross_layer.csv")
        write_csv(uns["cross_layer"], xl)
        log(f"cross-layer effects: {xl}", quiet=quiet)
    if plots is not None:
        from ..pl import association, volcano
        from ..report import figure_to_data_uri  # noqa: F401  (matplotlib backend set up)

        plots.mkdir(parents=True, exist_ok=True)
        from .._core._utils import atomic_path

        fig = volcano(res)
        with atomic_path(plots / "volcano.png") as tmp:
            fig.savefig(tmp, dpi=120, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        for i, row in res.head(5).iterrows():
            fig = association(mdata, target=str(row["target"]), feature=f"{row['layer']}:{row['feature']}", metric=metric)
            with atomic_path(plots / f"hit{i + 1}_{row['target']}_{row['feature']}.png".replace("/", "_")) as tmp:
                fig.savefig(tmp, dpi=120, bbox_inches="tight")
            plt.close(fig)
        log(f"plots: {plots}", quiet=quiet)
    cols = ["target", "layer", "feature", "n_pos", "n_neg", "effect_size", "pvalue", "fdr", "direction"]
    _print_top(res[cols], title=f"top associations ({len(res)} tests)", quiet=quiet)
    typer.echo(f"associations: {out} ({len(res)} tests, {int((res['fdr'] < 0.05).sum())} at FDR < 0.05)")


@app.command()
@handle_errors
def train(
    cohort: Path = typer.Argument(..., help="Training cohort (.h5mu)."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Model folder to write."),  # noqa: B008
    drug: list[str] = _drug_option("model"),  # noqa: B008
    all_drugs: bool = _all_option("Model"),
    task: str = typer.Option("regress", "--task", metavar=choices("regress", "classify"), help="regress (drug response, the default) | classify (a class label "
                             "per sample from obs[--target]: subtype, responder)."),
    target: str = typer.Option(None, "--target", help="--task classify: obs column of the class label; unlabelled "
                               "samples are left out with a warning."),
    model: str = typer.Option("late", "--model", "-m", help="late (per-layer ridge, stacked) | enet | ridge | rf | gbm | ensemble (late + rf) | factor | pandrug | select (per drug, enet_rna or late by inner CV) | <model>_<layer> (e.g. enet_rna). "  # noqa: E501
                              "--task classify: late (per-layer logistic, probabilities averaged over the layers a sample has) | early (layers concatenated) | spls (DIABLO-like sparse PLS-DA)."),  # noqa: E501
    metric: str = typer.Option(None, "--metric", help="Drug-layer matrix (default .X = normalised AUC)."),
    layers: list[str] = typer.Option(None, "--layers", "-l", help="Feature layers (default: all but drug; with --survival, 'none' = no omics layer, covariates only)."),  # noqa: B008,E501
    obs_features: list[str] = typer.Option(None, "--obs-features", help="Clinical obs columns used as features."),  # noqa: B008
    cv: str = typer.Option("sample", "--cv", metavar=choices("sample", "group", "none"), help="Evaluation: sample (sample-blind) | group (by --group-key) | none."),
    group_key: str = typer.Option("tissue", "--group-key", help="obs column of the groups for --cv group."),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    min_samples: int = typer.Option(20, "--min-samples", min=5, help="Skip drugs with fewer measured samples."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    n_jobs: int = typer.Option(1, "--n-jobs", min=0, help=N_JOBS_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or score table."),
    survival: bool = typer.Option(False, "--survival", help="Train a penalised Cox survival model instead of drug models."),
    time_key: str = typer.Option("survival_time", "--time-key", help="--survival: obs column of follow-up time."),
    event_key: str = typer.Option("survival_event", "--event-key", help="--survival: obs column of the event (0/1)."),
    unpenalized: list[str] = typer.Option(None, "--unpenalized", help="--survival: features kept without penalty ('obs' = all --obs-features, or obs:age)."),  # noqa: B008,E501
    l1_ratio: float = typer.Option(0.9, "--l1-ratio", min=0.01, max=1.0, help="--survival: elastic-net mixing (1 = LASSO)."),
    covariates: list[str] = typer.Option(None, "--covariates", help="--survival: clinical obs columns used as features (COL,...; categorical one-hot, numeric as is; joined with --obs-features)."),  # noqa: B008,E501
    exclude_samples: list[str] = typer.Option(None, "--exclude-samples", help="--survival: samples to leave out (ID,...; unknown IDs are an error)."),  # noqa: B008,E501
    store_in: Path = typer.Option(None, "--store-in", help="--task classify: also write the cohort with the CV results in uns['classify'] to this .h5mu (for 'oncoresist report')."),  # noqa: B008,E501
) -> None:
    """Train drug-response (or survival) models, evaluate them honestly and save them with a model card.

    Each drug's model is first cross-validated without leakage (whole samples or whole groups
    held out, preprocessing fitted inside the folds) next to naive baselines (per-drug mean;
    drug + sample effects); then refitted on all measured samples and saved to OUT (fitted
    pipeline, model_card.json/.md, cv_scores.csv, cv_predictions.csv, features.csv).
    cv_scores.csv gives per drug baseline_pearson (the drug + sample effects baseline) and
    gain_over_baseline (r minus that); the summary shows the median gain and the share of
    drugs with a positive gain (frac_positive_gain).

    With --task classify --target COLUMN: a classifier of obs[COLUMN] scored by stratified CV
    (preprocessing inside the folds) next to baselines (majority class, logistic per layer); OUT
    adds classification_metrics.csv (model, kind, balanced_accuracy, balanced_error, accuracy,
    macro_f1, n, per-class recall/precision/f1), confusion_matrix.csv (observed x predicted
    counts) and predictions.csv (sample, observed, predicted, p_<class>, fold; out-of-fold); --store-in FILE: the cohort with them in uns['classify'].

    With --survival: a penalised Cox model of obs[--time-key] / obs[--event-key] (penalty by
    inner CV), scored by outer CV (Harrell and Uno C-index, log-rank test of out-of-fold risk
    groups, km.png); 'predict' then gives each new sample a risk score and group. Samples
    with no time, a time <= 0 or an event that is not 0/1 (and --exclude-samples) are left
    out and listed (how many, why, first IDs). --layers none trains on --covariates only.
    Options a survival model does not use (--model, --drug, --metric, --cv, ...) are refused.

    Example: oncoresist train cohort.h5mu --all --model late --cv sample --out models/late

    Example: oncoresist train cohort.h5mu --survival --obs-features age --unpenalized obs --out models/os

    Example: oncoresist train cohort.h5mu --task classify --target subtype --model late --layers rna,meth --out models/sub

    Example: oncoresist train cohort.h5mu --survival --layers none --covariates age,stage --out models/clinical
    """
    import warnings

    from ..io import read_h5mu
    from ..tl import train_models

    given = {"--drug": bool(drug), "--all": all_drugs, "--model": model != "late", "--metric": metric is not None,
             "--cv": cv != "sample", "--group-key": group_key != "tissue", "--min-samples": min_samples != 20,
             "--n-jobs": n_jobs != 1, "--scheduler": scheduler is not None, "--unpenalized": bool(unpenalized),
             "--covariates": bool(covariates), "--exclude-samples": bool(exclude_samples),
             "--time-key": time_key != "survival_time", "--event-key": event_key != "survival_event",
             "--l1-ratio": l1_ratio != 0.9}
    path = _train_path(task, target, survival, given, cv)
    if path == "classify":
        _train_classify(cohort, out, task=task, target=target, model=model, survival=survival, drug=drug,
                        all_drugs=all_drugs, cv=cv, layers=layers, obs_features=obs_features, folds=folds, seed=seed,
                        quiet=quiet, store_in=store_in)
        return
    if path == "survival":
        _train_survival(cohort, out, layers=layers, covariates=[*(split_names(obs_features) or []), *(split_names(covariates) or [])],
                        unpenalized=unpenalized, time_key=time_key, event_key=event_key, l1_ratio=l1_ratio, folds=folds,
                        seed=seed, quiet=quiet, exclude_samples=split_names(exclude_samples))
        return
    names = _drugs(drug, all_drugs)
    mdata = read_h5mu(cohort)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        models = train_models(mdata, drugs=names, model=model, metric=metric, layers=split_names(layers),
                              obs_features=split_names(obs_features), evaluate=cv != "none", cv="sample" if cv == "none" else cv,
                              group_key=group_key, n_splits=folds, min_samples=min_samples, random_state=seed,
                              n_jobs=n_jobs_value(n_jobs), scheduler=scheduler, quiet=quiet, source=str(cohort))
    for w in caught:
        log(f"warning: {w.message}", quiet=quiet)
    models.save(out)
    _print_cv_summary(models.card, cv=cv, folds=folds, quiet=quiet)
    typer.echo(f"model: {out} ({len(models.drugs)} drug(s), {len(models.card['skipped'])} skipped)")


def _print_cv_summary(card: dict, *, cv: str, folds: int, quiet: bool) -> None:
    """The CV summary of drug-response models: per-drug scores and the gain over the drug + sample baseline."""
    if not card.get("scores"):
        return
    import pandas as pd

    tab = pd.DataFrame([{"model": k, **v} for k, v in card["scores"].items()])
    cols = ["model", "kind", "n_drugs", "median_pearson", "median_spearman", "median_rmse", "frac_beats_mean",
            "median_gain_over_baseline", "frac_positive_gain"]
    _print_top(tab.reindex(columns=cols), title=f"{cv}-blind {folds}-fold CV (per-drug scores; gain = r minus the "
               f"{card['cv'].get('gain_baseline')} baseline's r)", quiet=quiet)


def _train_classify(cohort: Path, out: Path, *, task: str, target: str | None, model: str, survival: bool,
                    drug: list[str] | None, all_drugs: bool, cv: str, layers: list[str] | None,
                    obs_features: list[str] | None, folds: int, seed: int, quiet: bool, store_in: Path | None = None) -> None:
    """``train --task classify``: checks the options, trains, saves, prints the CV scores vs baselines."""
    import warnings

    from ..io import read_h5mu
    from ..tl import train_classifier

    if task != "classify":
        msg = "--target applies to --task classify; add --task classify (drug models use --drug / --all)."
        raise InputError(msg)
    clash = [o for o, given in (("--survival", survival), ("--drug/--all", bool(drug) or all_drugs),
                                ("--cv " + cv, cv != "sample")) if given]
    if clash or not target:
        msg = (f"--task classify {'does not combine with ' + ', '.join(clash) if clash else 'needs --target COLUMN'}: it "
               "trains one classifier of obs[--target] scored by stratified sample-level CV.")
        raise InputError(msg)
    name = {"spls": "splsda", "late": "late", "early": "early", "splsda": "splsda"}.get(model.strip().lower())
    if name is None:
        msg = f"--model {model!r} is not a classifier; with --task classify choose late, early or spls."
        raise InputError(msg)
    mdata = read_h5mu(cohort)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        clf = train_classifier(mdata, target=target, model=name, layers=split_names(layers), obs_features=split_names(obs_features),
                               n_splits=folds, random_state=seed, source=str(cohort))
    for w in caught:
        log(f"warning: {w.message}", quiet=quiet)
    clf.save(out)
    _store_classification(mdata, clf, store_in, quiet=quiet)
    met = clf.tables["classification_metrics"]
    cols = ["model", "kind", "balanced_accuracy", "balanced_error", "accuracy", "macro_f1", "n"]
    _print_top(met[cols], title=f"stratified {clf.card['cv']['n_splits']}-fold CV", quiet=quiet)
    sc = met.set_index("model")
    typer.echo(f"model: {out} (classifier of obs['{target}'], {len(clf.classes)} classes, {int(sc.loc[name, 'n'])} samples; "
               f"CV balanced accuracy {sc.loc[name, 'balanced_accuracy']:.3f}, majority baseline "
               f"{sc.loc['majority', 'balanced_accuracy']:.3f})")


def _store_classification(mdata: Any, clf: Any, path: Path | None, *, quiet: bool) -> None:
    """``--store-in``: the cohort with ``uns['classify']`` written to ``path``."""
    if path is None:
        return
    from ..io import write_h5mu
    from ..tl import store_classification

    store_classification(mdata, clf)
    write_h5mu(mdata, path)
    log(f"cohort with uns['classify']: {path}", quiet=quiet)


def _km_writer(cv_predictions: Any) -> Any:
    def write(path: Path) -> None:
        import matplotlib.pyplot as plt

        from ..pl import kaplan_meier

        fig = kaplan_meier(cv_predictions)
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)

    return write


_SURVIVAL_ONLY = ("--unpenalized", "--covariates", "--exclude-samples", "--time-key", "--event-key", "--l1-ratio")
_REGRESS_ONLY = ("--metric", "--group-key", "--min-samples", "--n-jobs", "--scheduler")
#: Per training path: the options it would ignore, why, and the fix.
_IGNORED_BY = {
    "classify": (_SURVIVAL_ONLY + _REGRESS_ONLY, "--task classify",
                 "it trains one classifier of obs[--target] (clinical features: --obs-features)", "drop them"),
    "survival": (("--drug", "--all", "--model", "--metric", "--cv", "--group-key", "--min-samples", "--n-jobs", "--scheduler"),
                 "--survival",
                 "it trains one penalised Cox model, scored by event-stratified --folds CV",
                 "drop them, or train drug-response models without --survival"),
    "regress": (_SURVIVAL_ONLY, "drug-response training", "they apply to survival models only",
                "add --survival (use --obs-features for clinical features of drug models)"),
}


def _train_path(task: str, target: str | None, survival: bool, given: dict[str, bool], cv: str) -> str:
    """The training path (classify / survival / regress); options given that it would ignore are refused."""
    check_choice("--task", task, ("regress", "classify"))
    check_choice("--cv", cv, ("sample", "group", "none"))
    path = "classify" if task == "classify" or target is not None else "survival" if survival else "regress"
    names, by, why, fix = _IGNORED_BY[path]
    _refuse_ignored({o: given[o] for o in names}, by=by, why=why, fix=fix)
    return path


def _refuse_ignored(given: dict[str, bool], *, by: str, why: str, fix: str) -> None:
    """Error naming the options that the chosen path would silently ignore."""
    ignored = [opt for opt, was_given in given.items() if was_given]
    if ignored:
        msg = f"{', '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored by {by} ({why}); {fix}."
        raise InputError(msg)


def _survival_layers(layers: list[str] | None) -> list[str] | None:
    """``--layers`` of a survival model: ``None`` = every omics layer, ``none`` = no omics layer (``[]``)."""
    if layers is None or len(layers) == 0:
        return None
    names = split_names(layers)
    if names is None:
        msg = ("--layers is empty (''): give --layers none to train on --covariates only, "
               "or leave --layers out to use every omics layer.")
        raise InputError(msg)
    if any(n.lower() == "none" for n in names):
        if len(names) > 1:
            msg = f"--layers none means no omics layer; it cannot be combined with layers ({', '.join(names)})."
            raise InputError(msg)
        return []
    return names


def _train_survival(cohort: Path, out: Path, *, layers: list[str] | None, covariates: list[str],
                    unpenalized: list[str] | None, time_key: str, event_key: str, l1_ratio: float, folds: int,
                    seed: int, quiet: bool, exclude_samples: list[str] | None) -> None:
    """``train --survival``: fit, report the dropped samples, save with the Kaplan-Meier plot."""
    from ..io import read_h5mu
    from ..tl import train_survival

    chosen = _survival_layers(layers)
    covs = list(dict.fromkeys(covariates)) or None
    if chosen == [] and not covs:
        msg = "--layers none leaves no features: give clinical columns with --covariates COL,... (or drop --layers none)."
        raise InputError(msg)
    mdata = read_h5mu(cohort)
    model = train_survival(mdata, layers=chosen, obs_features=covs, unpenalized=split_names(unpenalized),
                           time_key=time_key, event_key=event_key, l1_ratio=l1_ratio, n_splits=folds, random_state=seed,
                           source=str(cohort), exclude_samples=exclude_samples)
    dropped = model.card["data"]["dropped"]
    if dropped["n_dropped"]:
        typer.echo(f"survival: {dropped['text']}", err=True)
    model.save(out, extra_files={"km.png": _km_writer(model.cv_predictions)} if not model.cv_predictions.empty else None)
    sc = model.card["scores"]["coxnet"]
    log(f"{folds}-fold CV: Harrell C {sc['harrell_mean']} +- {sc['harrell_sd']}, Uno C {sc['uno_mean']} +- {sc['uno_sd']}, "
        f"log-rank p {sc['logrank_p'] if sc['logrank_p'] is None else format(sc['logrank_p'], '.3g')}", quiet=quiet)
    typer.echo(f"model: {out} (survival, {model.card['data']['n_samples']} samples, {sc['events']} events, "
               f"{model.card['model']['n_nonzero']} non-zero coefficients)")


@app.command()
@handle_errors
def predict(
    model_dir: Path = typer.Argument(..., help="Model folder written by 'oncoresist train'."),  # noqa: B008
    cohort: Path = typer.Argument(..., help="New samples (.h5mu); layers or features may be missing."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Predictions to write (.csv / .tsv)."),  # noqa: B008
    drug: list[str] = typer.Option(None, "--drug", "-d", help="Only these drugs (default: all the model has)."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No messages."),
) -> None:
    """Predict drug response (or survival risk) of new samples with a saved model, saying what each prediction used.

    Works when a sample lacks a whole layer or some features (imputed with training medians,
    or dropped by late-integration models); every row lists the layers used / missing and the
    fraction of the model's features measured. Columns: sample, drug, predicted, layers_used,
    layers_missing, n_features_used, n_features_model, frac_features_used, note; a survival
    model (train --survival) gives sample, risk, risk_group (high / low at the training median)
    and the same coverage columns; a classifier (train --task classify) gives sample, predicted,
    p_<class> per class and the coverage columns (layers_used says which layers each sample's
    probabilities were averaged over when it lacks one).

    Example: oncoresist predict models/enet new_patient.h5mu --out predictions.csv
    """
    import warnings

    from .._core._utils import write_csv
    from ..io import read_h5mu
    from ..tl import load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        models = load_model(model_dir)
    for w in caught:
        log(f"warning: {w.message}", quiet=quiet)
    mdata = read_h5mu(cohort)
    pred = models.predict(mdata, drugs=split_names(drug))
    write_csv(pred, out)
    incomplete = pred[pred["note"] != ""]
    if len(incomplete):
        log(f"{incomplete['sample'].nunique()} sample(s) predicted with missing layers/features (see the 'note' column)",
            quiet=quiet)
    if models.task == "classify":
        counts = pred["predicted"].value_counts()
        typer.echo(f"predictions: {out} ({len(pred)} samples: " + ", ".join(f"{c} {n}" for c, n in counts.items()) + ")")
    elif models.task == "survival":
        n_high = int((pred["risk_group"] == "high").sum())
        typer.echo(f"predictions: {out} ({len(pred)} samples: survival risk, {n_high} high-risk)")
    else:
        typer.echo(f"predictions: {out} ({pred['sample'].nunique()} samples x {pred['drug'].nunique()} drugs)")
