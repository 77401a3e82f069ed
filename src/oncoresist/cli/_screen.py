"""Verbs about drug screens: ``curves`` (dose-response metrics) and ``synergy`` (dose matrices)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from ._app import N_JOBS_HELP, app, choices, handle_errors, log, n_jobs_value

T = TypeVar("T")


def _run_logged(table: Any, what: str, run: Callable[[], T], *, quiet: bool) -> T:
    """Log what was read, run the computation and print its warnings as one-line messages."""
    log(f"read {len(table)} {what}; response: {table.attrs.get('response_conversion', 'as read')}", quiet=quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run()
    for w in caught:  # the library's warnings: bad curves, dropped rows
        if issubclass(w.category, UserWarning):
            log(f"warning: {w.message}", quiet=quiet)
    return res


def _wells_path(out: Path) -> Path:
    name = out.name
    for ext in (".csv.gz", ".tsv.gz", ".txt.gz", ".csv", ".tsv", ".txt"):
        if name.lower().endswith(ext):
            return out.with_name(name[: -len(ext)] + "_wells" + name[-len(ext) :])
    return out.with_name(name + "_wells.csv")


def _timecourse_curves(screen: Path, out: Path, *, unit: str | None, model: str, loss: str, n_jobs: int | None, delay: float,
                       quiet: bool) -> Any:  # fmt: skip
    """Time course: per-time viability + GR curves (returned), and dip_rates.csv / dip_curves.csv written next to ``out``."""
    from .._core._utils import write_csv
    from ..io import read_timecourse
    from ..tl import dip_curves, dip_rates, fit_curves, gr_values

    tc = read_timecourse(screen, unit=unit)
    what = (f"time-course rows: {tc['sample'].nunique()} samples, {tc.attrs['n_times']} times "
            f"({tc.attrs['time_unit']}); dose unit {tc.attrs.get('unit')} -> uM")  # fmt: skip
    tc.attrs["response_conversion"] = "cell counts / vehicle counts of the same sample, plate and time"

    def run() -> tuple[Any, Any, Any]:
        grt = gr_values(tc, require_time_zero=False)
        treated = grt.loc[grt["drug"] != ""]
        res = fit_curves(treated, model=model, loss=loss, response_scale="fraction", n_jobs=n_jobs, quiet=quiet)
        rates = dip_rates(tc, delay=delay)
        return res, rates, dip_curves(rates, model=model)

    res, rates, dcurves = _run_logged(tc, what, run, quiet=quiet)
    rates_path, dcurves_path = out.with_name("dip_rates.csv"), out.with_name("dip_curves.csv")
    write_csv(rates, rates_path)
    write_csv(dcurves, dcurves_path)
    n_ok = int((dcurves["status"] == "ok").sum())
    typer.echo(f"DIP rates: {rates_path} ({len(rates)} sample x drug x dose); DIP curves: {dcurves_path} ({n_ok} of {len(dcurves)} fitted)")
    return res


@app.command()
@handle_errors
def curves(
    screen: Path = typer.Argument(..., help="Long dose-response table (CSV/TSV, optionally .gz)."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Per-curve metrics table to write (.csv / .tsv, .gz ok; "  # noqa: B008
                             ".parquet when pyarrow is installed)."),
    model: str = typer.Option("4p", "--model", metavar=choices("4p", "3p", "2p"), help="4p (top, bottom, EC50, Hill), 3p (top = 1) or 2p (top = 1, bottom = 0)."),
    loss: str = typer.Option("linear", "--loss", metavar=choices("linear", "soft_l1", "huber", "cauchy"), help="linear (least squares) or robust: soft_l1, huber, cauchy."),
    unit: str = typer.Option(None, "--unit", help="Dose unit when the file gives none (M, mM, uM, nM, pM)."),  # noqa: B008
    response_scale: str = typer.Option("auto", "--response-scale", metavar=choices("auto", "fraction", "percent"), help="auto, fraction or percent (endpoint screens; counts need none)."),
    response_kind: str = typer.Option("auto", "--response-kind", metavar=choices("auto", "viability", "inhibition"), help="auto, viability or inhibition (endpoint screens)."),
    layer: Path = typer.Option(None, "--layer", help="Also write the samples x drugs drug layer (.h5ad)."),  # noqa: B008
    n_jobs: int = typer.Option(1, "--n-jobs", min=0, help=N_JOBS_HELP),
    timecourse: bool = typer.Option(None, "--timecourse/--no-timecourse", help="Read SCREEN as a time course of cell counts "  # noqa: B008
                                    "(default: detected: a time column and a cell-count column)."),  # fmt: skip
    delay: float = typer.Option(0.0, "--delay", help="Time course: DIP rates use only times >= DELAY hours (0 = all)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Fit dose-response curves to every sample x drug of a screen and write one row per curve.

    Input: a long CSV/TSV (optionally .gz), one row per sample x drug x dose (x replicate), with
    columns for the sample (sample, cell_line, patient_id, ...), the drug (drug, drug_name,
    compound, ...), the dose (dose, conc, concentration; unit from a 'unit' column, the column
    name such as conc_uM / conc_nM, or --unit) and the response (viability as a fraction or
    percent, or inhibition; detected from the column name and the values, or set with
    --response-scale / --response-kind). Optional: replicate, plate, well, time (time = 0 rows are
    time-zero measurements for GR metrics). Dose 0 rows are vehicle controls.

    Output (--out): sample, drug, status (ok | no_data | too_few_doses | scale_mismatch), n_points,
    n_doses, dose range, top, bottom, ec50_uM, ec50_status, hill, ic50_uM (extrapolated beyond the
    tested range, never snapped), ic50_status (in_range | above_range | below_range | not_reached |
    always_below), emax, amax, auc (mean fitted viability over the tested log-dose range, lower =
    more sensitive), aac, auc_common, dss1-3, r2, rmse, flags (flat, non_monotone, poor_fit, ...)
    and GR metrics when time-zero rows exist.

    Time course (--timecourse, or detected: a time column plus a cell_count / cell.count / count
    column; thunor-style cell.line, drug1, drug1.conc, drug1.units, time, cell.count, upid,
    well): counts become viability (x / vehicle count of the same sample, plate and time) and GR
    values (time-zero and vehicle counts matched by plate and time), fitted per endpoint time
    into --out (a time column); next to --out it also writes dip_rates.csv (sample, drug, dose,
    dip_rate, dip_rate_se, n_times, n_points, r2: slope of log2 count vs time over times >=
    --delay, Harris 2016) and dip_curves.csv (DIP(dose)/DIP(vehicle) fitted: dip_ec50_uM,
    dip_emax, dip_einf, dip_hill, dip_auc, r2, flags).

    Example: oncoresist curves screen.csv --out metrics.csv --model 4p
    """
    from .._core._errors import InputError
    from .._core._utils import atomic_path, check_table_output, write_table
    from ..io import read_dose_response
    from ..tl import fit_curves

    for name, value, allowed in (("--model", model, ("2p", "3p", "4p")), ("--loss", loss, ("linear", "soft_l1", "huber", "cauchy"))):
        if value not in allowed:
            msg = f"{name} must be one of {', '.join(allowed)}, got {value!r}."
            raise InputError(msg)
    check_table_output(out)  # a .parquet output without pyarrow: refused before any work

    from ..io import looks_like_timecourse

    if timecourse or (timecourse is None and looks_like_timecourse(screen)):
        res = _timecourse_curves(screen, out, unit=unit, model=model, loss=loss, n_jobs=n_jobs_value(n_jobs), delay=delay, quiet=quiet)
    else:
        table = read_dose_response(screen, unit=unit, response_scale=response_scale, response_kind=response_kind)
        what = (f"rows: {table['sample'].nunique()} samples x {table['drug'].nunique()} drugs; "
                f"dose unit {table.attrs.get('unit')} -> uM")
        res = _run_logged(table, what, lambda: fit_curves(table, model=model, loss=loss, n_jobs=n_jobs_value(n_jobs), quiet=quiet),
                          quiet=quiet)
    write_table(res, out)
    n_ok = int((res["status"] == "ok").sum())
    if not quiet:
        bad = res.loc[res["status"] != "ok", "status"].value_counts()
        extra = (" (" + ", ".join(f"{v} {k}" for k, v in bad.items()) + ")") if len(bad) else ""
        log(f"fitted {n_ok} of {len(res)} curves{extra}; {int((res['flags'] != '').sum())} flagged", quiet=quiet)
    if layer is not None:
        from ..tl import drug_layer  # anndata (and dask through it) only when a layer is asked for

        adata = drug_layer(res)
        with atomic_path(layer) as tmp:
            adata.write_h5ad(tmp)
        typer.echo(f"drug layer: {layer} ({adata.n_obs} samples x {adata.n_vars} drugs)")
    typer.echo(f"curves: {out} ({n_ok} of {len(res)} fitted)")


@app.command()
@handle_errors
def synergy(
    matrix: Path = typer.Argument(..., help="Long combination table (CSV/TSV, optionally .gz), or a cohort (.h5mu) with uns['combinations']."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Per-matrix scores table to write."),  # noqa: B008
    wells: Path = typer.Option(None, "--wells", help="Per-well table to write (default: OUT with '_wells')."),  # noqa: B008
    methods: str = typer.Option("zip,bliss,hsa,loewe", "--methods", help="Comma-separated: zip, bliss, hsa, loewe."),
    unit: str = typer.Option(None, "--unit", help="Concentration unit when the file gives none."),  # noqa: B008
    response_scale: str = typer.Option("auto", "--response-scale", metavar=choices("auto", "fraction", "percent"), help="auto, fraction or percent."),
    response_kind: str = typer.Option("auto", "--response-kind", metavar=choices("auto", "viability", "inhibition"), help="auto, viability or inhibition."),
    store_in: Path = typer.Option(None, "--store-in", help="MATRIX a cohort: also write it with the scores in uns['synergy'] to this .h5mu (for 'oncoresist report')."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Score drug-combination dose matrices (ZIP, Bliss, HSA, Loewe) and write one row per matrix.

    Input: a long CSV/TSV, one row per well, with columns block (block_id, PairIndex, ...), drug1,
    drug2 (drug_row, drug_col), conc1, conc2 (conc_r, conc_c; unit from ConcUnit / unit columns,
    the column names or --unit) and response (SynergyFinder's % inhibition, or viability; detected
    from the name and the untreated wells, or set with --response-kind / --response-scale);
    optional sample and replicate. Each block needs its single-agent wells (conc1 = 0 and
    conc2 = 0).

    Output: --out has one row per block (status, flags, single-agent EC50 / Hill, mean score and
    most-synergistic-area score and concentrations per method); --wells (default: OUT with
    '_wells' before the extension) has one row per well (response, inhibition, reference and
    score per method). Scores are percentage points of inhibition above the reference model
    (positive = synergy), as in SynergyFinder. MATRIX may be a cohort built with a
    [combinations] table; --store-in then writes the cohort with the scores in uns['synergy'],
    from which 'oncoresist report' writes one page per drug combination.

    Example: oncoresist synergy matrix.csv --out scores.csv --methods zip,bliss,loewe

    Example: oncoresist synergy cohort.h5mu --out scores.csv --store-in cohort_synergy.h5mu
    """
    from .._core._errors import InputError
    from .._core._utils import write_csv
    from ..tl import SYNERGY_METHODS
    from ..tl import synergy as score

    chosen = [m.strip().lower() for m in methods.split(",") if m.strip()]
    bad = [m for m in chosen if m not in SYNERGY_METHODS]
    if bad or not chosen:
        msg = f"--methods must be a comma-separated list of {', '.join(SYNERGY_METHODS)}, got {methods!r}."
        raise InputError(msg)

    mdata, table = _combination_input(matrix, store_in, unit=unit, response_scale=response_scale, response_kind=response_kind)
    what = f"wells in {table['block'].nunique()} blocks; concentration unit {table.attrs.get('unit')} -> uM"
    summary, per_well = _run_logged(table, what, lambda: score(table, methods=chosen), quiet=quiet)
    wells_out = wells if wells is not None else _wells_path(out)
    write_csv(summary, out)
    write_csv(per_well, wells_out)
    n_ok = int((summary["status"] == "ok").sum())
    if store_in is not None:
        from ..io import write_h5mu

        mdata.uns["synergy"] = {"summary": summary, "wells": per_well}
        write_h5mu(mdata, store_in)
        log(f"cohort with uns['synergy']: {store_in}", quiet=quiet)
    typer.echo(f"synergy: {out} ({n_ok} of {len(summary)} matrices scored); wells: {wells_out}")


def _combination_input(matrix: Path, store_in: Path | None, **read: Any) -> tuple[Any, Any]:
    """The cohort (None for a table file) and its combination table; --store-in needs a cohort."""
    from .._core._errors import InputError
    from ..io import read_combinations

    if not str(matrix).lower().endswith(".h5mu"):
        if store_in is not None:
            msg = f"--store-in writes a cohort: give a cohort (.h5mu) built with a [combinations] table as MATRIX, not '{matrix}'."
            raise InputError(msg)
        return None, read_combinations(matrix, **read)
    from ..io import read_h5mu

    mdata = read_h5mu(matrix)
    table = mdata.uns.get("combinations")
    if table is None:
        msg = f"cohort '{matrix}' has no uns['combinations']: add a [combinations] table to the study file and rebuild ('oncoresist build')."
        raise InputError(msg)
    return mdata, table
