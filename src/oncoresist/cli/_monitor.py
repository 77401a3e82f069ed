"""Verb ``monitor``: serial plasma ctDNA per patient, molecular response and emerging resistance."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, handle_errors, log, refuse_existing


@app.command()
@handle_errors
def monitor(
    input: Path = typer.Argument(..., help="Serial ctDNA table (CSV/TSV: patient, day, gene, VAF / ctDNA %, copy number, mutation)."),  # noqa: B008,A002
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (refused when it exists, unless --overwrite)."),  # noqa: B008
    patient: list[str] = typer.Option(None, "--patient", "-p", help="Patient(s) to follow (repeat; default all)."),  # noqa: B008
    therapy: str = typer.Option(None, "--therapy", "-t", help="Therapy given (drugs or classes, comma-separated), e.g. osimertinib."),  # noqa: B008
    tumour_type: str = typer.Option(None, "--tumour-type", help="Tumour type (evidence context), e.g. NSCLC."),  # noqa: B008
    kb: Path = typer.Option(None, "--kb", help="Knowledge base (.duckdb; default: the built-in one)."),  # noqa: B008
    unit: str = typer.Option("auto", "--unit", help="Allele fractions in the file: percent, fraction or auto."),
    baseline_day: float = typer.Option(None, "--baseline-day", help="Day of the baseline sample (default: each patient's first)."),  # noqa: B008
    min_vaf: float = typer.Option(0.0, "--min-vaf", min=0.0, help="VAF (fraction) at or below which a mutation is not detected."),
    response_fall: float = typer.Option(0.5, "--response-fall", min=0.01, max=0.99, help="Fall of the maximum VAF that is a molecular response."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Follow serial plasma ctDNA: response against baseline and resistance as it emerges.

    Per patient and time point: detected alterations, maximum and mean VAF and the molecular
    response against baseline (>= 50% fall of the maximum VAF, clearance, increase). Per alteration:
    its course (emerged, rising, persistent, falling, cleared). Alterations that emerge or rise are
    read against the knowledge base: those linked to resistance to --therapy become alerts with the
    day they appeared (e.g. EGFR C797S under osimertinib).

    Writes OUT/timeline.csv (patient, day, n_detected, max_vaf, mean_vaf, baseline_day,
    ratio_to_baseline, response), OUT/trajectories.csv (patient, alteration, gene, kind,
    baseline_vaf, first_detected_day, peak_vaf, peak_day, last_vaf, last_day, n_detected,
    n_timepoints, status), OUT/alerts.csv (patient, alteration, gene, status, first_detected_day,
    peak_vaf, drug, current, mechanism, tier, level, citations, evidence_ids), OUT/summary.txt and
    OUT/plots/<patient>_ctdna.png. VAFs are fractions (0-1).

    Example: oncoresist monitor plasma.csv --therapy osimertinib --tumour-type NSCLC --out monitoring
    """
    import matplotlib.pyplot as plt

    from ..interpret import monitor_ctdna
    from ..io import read_ctdna
    from ..pl import ctdna_timeline

    refuse_existing(out, overwrite=overwrite)
    table = read_ctdna(input, unit=unit)
    log(f"{input}: {table['patient'].nunique()} patients, {len(table)} rows (VAF unit: {table.attrs['unit']})", quiet=quiet)
    drugs = [d.strip() for d in therapy.split(",") if d.strip()] if therapy else None
    res = monitor_ctdna(table, patients=patient or None, therapy=drugs, tumour_type=tumour_type, kb=kb,
                        baseline_day=baseline_day, min_vaf=min_vaf, response_fall=response_fall)
    res.write(out)
    (out / "plots").mkdir(exist_ok=True)
    from .._core._utils import atomic_path

    for p in res.timeline["patient"].unique():
        fig = ctdna_timeline(table, str(p), alerts=res.alerts)
        with atomic_path(out / "plots" / f"{_safe(str(p))}_ctdna.png") as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)
    for note in res.notes:
        log(f"note: {note}", quiet=quiet)
    for line in res.summary_lines():
        typer.echo(line)
    n_cur = int(res.alerts["current"].astype(bool).sum()) if len(res.alerts) else 0
    typer.echo(f"monitor: {res.timeline['patient'].nunique()} patients, {n_cur} emerging-resistance alert(s) -> {out}")


def _safe(name: str) -> str:
    """A file-name-safe patient ID."""
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "patient"
