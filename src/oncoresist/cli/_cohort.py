"""Verbs about whole cohorts: ``demo``, ``build``, ``report``."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import (
    KEY_FILE_HELP,
    PSEUDONYMISE_HELP,
    SALT_HELP,
    app,
    finish_pseudonyms,
    handle_errors,
    log,
    n_jobs_value,
)


def _print_table(df, *, title: str, quiet: bool) -> None:  # noqa: ANN001
    if quiet:
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in df.columns:
        t.add_column(str(c), overflow="fold")
    for row in df.itertuples(index=False):
        t.add_row(*["" if v is None else str(v) for v in row])
    Console(stderr=True).print(t)


@app.command()
@handle_errors
def demo(
    out: Path = typer.Option(Path("oncoresist_demo"), "--out", "-o", help="Output folder."),  # noqa: B008
    n_samples: int = typer.Option(150, "--n-samples", "-n", min=20, help="Samples in the simulated cohort."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the simulation."),
    n_jobs: int = typer.Option(0, "--n-jobs", min=0, help="Local worker processes: 0 = all CPUs this process may use (the demo's default, so that it runs in about a minute), 1 = this process, N = N workers."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Run the whole pipeline on a built-in simulated cohort and write a report.

    Simulates a cohort with planted resistance mechanisms, writes its raw files (MAF, CNV
    segments, matrices, phosphosites, drug screen, clinical sheet, study TOML) to OUT/raw, builds
    the cohort through the readers, runs the analyses (including pathway / kinase activities,
    act_simpathways and act_kinase, and the microenvironment, tme) and writes OUT/cohort.h5mu and
    OUT/report/index.html, with the patient pages (patients/) and one page per drug combination
    (synergy/) beside it, each linking back to it.

    Example: oncoresist demo --out demo --n-samples 150 --seed 0
    """
    from .._demo import run_demo

    ctx = run_demo(out, n_samples=n_samples, seed=seed, quiet=quiet, n_jobs=n_jobs_value(n_jobs))
    if not quiet:
        for k, v in ctx.timings.items():
            log(f"  {k}: {v:.1f} s", quiet=quiet)
    if ctx.warnings:
        from .._core._utils import atomic_write_text

        kinds = sorted(set(ctx.warnings))
        atomic_write_text(out / "warnings.txt", "\n".join(kinds) + "\n")
        log(f"  {len(kinds)} kinds of library warnings were raised and hidden: see {out / 'warnings.txt'}", quiet=quiet)
    typer.echo(f"cohort: {ctx.outputs['cohort']}")
    typer.echo(f"report: {ctx.outputs['report']}")


@app.command()
@handle_errors
def build(
    study: Path = typer.Argument(..., help="Study file (TOML) listing the layer files."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="Cohort to write (.h5mu)."),  # noqa: B008
    summary: Path = typer.Option(None, "--summary", help="Also write the build summary as CSV."),  # noqa: B008
    fit: bool = typer.Option(True, "--fit/--no-fit", help="Fit dose-response curves of [screen] into the drug layer."),
    biomarkers: bool = typer.Option(True, "--biomarkers/--no-biomarkers", help="Compute TMB / MSI (obs tmb, tmb_high, msi_score, msi_high) when the study has a MAF / VCF layer, and HRD scores (hrd_*) with [allelic_segments]; --no-biomarkers skips it."),
    callable_mb: float = typer.Option(None, "--callable-mb", help="Callable territory in Mb for TMB / MSI (default 30, a whole exome; a panel's size for panels)."),  # noqa: B008
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace --out (and --summary) if they exist (default: refuse before reading anything)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages or summary table."),
) -> None:
    """Build one cohort (.h5mu) from a study file listing the layer files.

    The study file (TOML) has [study], optional [samples] (sample sheet, aliases, survival
    columns), one [layers.NAME] table per layer (kind = maf | vcf | cnv_matrix | cnv_segments |
    matrix | phospho_matrix | maxquant | phosphosites | drug_matrix; file = path; optional
    sample_pattern = regex and reader options), optional [screen] and [combinations]. The
    build summary (per layer: samples, features, missing fraction, sample IDs that matched
    nothing) is printed and stored in the cohort.

    With a mutation layer (maf / vcf) the build also computes the genome-wide biomarkers as
    `oncoresist biomarkers` does: TMB (coding non-synonymous calls per Mb, TMB-high >= 10 / Mb)
    and MSI (repeat indels per Mb, MSI-high >= 0.395 / Mb) into obs tmb, tmb_high, msi_score,
    msi_high and uns['biomarkers']; with an [allelic_segments] table (file = ASCAT / FACETS /
    Sequenza segments) also the scarHRD scores into obs hrd_loh, hrd_tai, hrd_lst, hrd_sum,
    hrd_score, hrd_high and uns['hrd']. A sample-sheet column of one of these names is an error
    (rename it or pass --no-biomarkers); without a mutation layer the step is skipped with a note.

    An existing --out or --summary is never replaced unless --overwrite is given.

    Example: oncoresist build study.toml --out cohort.h5mu --summary build_summary.csv
    """
    from .._core._utils import write_csv
    from ..io import build_summary, write_h5mu
    from ..tl import build_study
    from ._app import refuse_existing

    refuse_existing(out, overwrite=overwrite)
    if summary is not None:
        refuse_existing(summary, overwrite=overwrite, option="--summary")
    mdata = build_study(study, fit_screen=fit, biomarkers=biomarkers, callable_mb=callable_mb, quiet=quiet)
    if biomarkers:
        log(str(mdata.uns["build"]["biomarkers"]["note"]), quiet=quiet)
    table = build_summary(mdata)
    _print_table(table, title=f"build summary: {mdata.n_obs} samples", quiet=quiet)
    write_h5mu(mdata, out)
    if summary is not None:
        write_csv(table, summary)
    typer.echo(f"cohort: {out} ({mdata.n_obs} samples, layers: {', '.join(mdata.mod)})")


@app.command()
@handle_errors
def report(
    cohort: Path = typer.Argument(..., help="Cohort (.h5mu)."),  # noqa: B008
    out: Path = typer.Option(..., "--out", "-o", help="HTML file to write."),  # noqa: B008
    patient: str = typer.Option(None, "--patient", "-p", help="Write the tumour-board report of this sample instead of the cohort report."),  # noqa: B008
    patients: str = typer.Option(None, "--patients", help="With the cohort report, also write these samples' tumour-board pages "
                                 "(comma-separated IDs, or 'all') into patients/ beside --out (rewritten with it): listed in the report, "
                                 "each linking back to it."),
    kb: Path = typer.Option(None, "--kb", help="Knowledge base (.duckdb) for --patient / --patients (default: the built-in KB)."),  # noqa: B008
    tumour_type: str = typer.Option(None, "--tumour-type", help="Tumour type of --patient (default: the cohort's obs, if any)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace --out if it exists (default: refuse)."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help=PSEUDONYMISE_HELP),
    salt: str = typer.Option(None, "--salt", help=SALT_HELP),
    key_file: Path = typer.Option(None, "--key-file", help=KEY_FILE_HELP + " Default: pseudonym_key.csv in the parent of --out's folder."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Write a self-contained HTML report: the cohort report, or one patient's report.

    For example, the cohort report:

        oncoresist report cohort.h5mu --out report.html

    A cohort with drug-combination scores (uns['synergy'], from 'oncoresist synergy COHORT
    --store-in COHORT_OUT') also gets one page per combination in synergy/ beside the report
    (rewritten with it), linked from its "Drug combinations" section.

    With its patients' pages (patients/ beside it, linked both ways):

        oncoresist report cohort.h5mu --out board/report.html --patients SIM-0001,SIM-0002 --kb kb.duckdb

    And one patient's tumour-board report:

        oncoresist report cohort.h5mu --patient SIM-0001 --kb kb.duckdb --out SIM-0001.html

    With --pseudonymise, sample IDs are replaced everywhere in the page (title, tables, figures,
    file name) by salted pseudonyms; the key (pseudonym -> sample ID, salt) is written apart:

        oncoresist report cohort.h5mu --out board/report.html --pseudonymise --key-file secure/key.csv
    """
    from ..io import read_h5mu
    from ..report import write_cohort_report
    from ._app import refuse_existing

    refuse_existing(out, overwrite=overwrite)
    if kb is not None and not Path(kb).exists():
        from .._core._errors import InputError

        msg = f"--kb '{kb}' does not exist; build or import a knowledge base first ('oncoresist kb --help') or leave --kb out for the built-in one."
        raise InputError(msg)
    mdata = read_h5mu(cohort)
    board: list[str] = _patient_list(patients, list(map(str, mdata.obs_names)), cohort) if patient is None else []
    if patient is not None and patient not in set(mdata.obs_names):
        from .._core._errors import InputError

        shown = ", ".join(list(mdata.obs_names[:5]))
        msg = f"patient {patient!r} is not a sample of '{cohort}' ({mdata.n_obs} samples, e.g. {shown})."
        raise InputError(msg)
    pseudo = None
    pages: list[Path] = []
    if pseudonymise:
        from ..report import pseudonymise_cohort, scrub_text, start_pseudonyms

        pseudo, key = start_pseudonyms(list(mdata.obs_names), salt=salt, key_file=key_file, report_dir=Path(out).parent)
        mdata = pseudonymise_cohort(mdata, pseudo.mapping)
        out = Path(out).with_name(scrub_text(Path(out).name, pseudo.mapping)[0])  # no real ID in the file name either
        refuse_existing(out, overwrite=overwrite)
        patient = pseudo.mapping[patient] if patient is not None else None
        board = [pseudo.mapping[p] for p in board]
    if patient is None:
        from ..report import analysis_sections, synergy_sections

        log("writing cohort report ...", quiet=quiet)
        sections, missing = analysis_sections(mdata)
        for line in missing:
            typer.echo(f"note: section {line}", err=True)
        synergy, pages = synergy_sections(mdata, out)  # one page per drug combination, in synergy/ beside --out
        if board:
            log(f"writing {len(board)} patient page(s) ...", quiet=quiet)
            listed, written = _patient_pages(mdata, board, out, kb)
            sections, pages = [*sections, listed], [*pages, *written]
        path = write_cohort_report(mdata, out, extra_sections=[*synergy, *sections])
    else:
        from ..report import write_patient_report  # type: ignore[attr-defined]

        path = write_patient_report(mdata, patient, out, kb=kb, tumour_type=tumour_type)
    if pseudo is not None:
        from ..report._sections import table_files

        tables = [t for p in [path, *pages] for t in table_files(p)]  # the CSVs written beside the pages
        path, *pages = finish_pseudonyms(pseudo, key, [path, *pages, *tables], quiet=quiet)[: 1 + len(pages)]
    n_syn = len(pages) - len(board)  # the synergy pages come first, then the patients'
    more = [f"{n_syn} drug-combination page(s) in {Path(pages[0]).parent}"] if n_syn else []
    more += [f"{len(board)} patient page(s) in {Path(pages[-1]).parent}"] if board else []
    typer.echo(f"report: {path}" + (f" (+ {'; '.join(more)})" if more else ""))


def _patient_list(spec: str | None, ids: list[str], cohort: Path) -> list[str]:
    """The samples of ``--patients`` (comma-separated, or ``all``), checked against the cohort."""
    from ._app import split_names

    names = split_names(spec) or []
    if names == ["all"]:
        return ids
    unknown = [n for n in names if n not in set(ids)]
    if unknown:
        from .._core._errors import InputError

        msg = f"--patients: {', '.join(unknown[:5])} not a sample of '{cohort}' ({len(ids)} samples, e.g. {', '.join(ids[:5])}); give sample IDs or 'all'."
        raise InputError(msg)
    return list(dict.fromkeys(names))


def _patient_pages(mdata, board: list[str], out: Path, kb: Path | None) -> tuple:  # noqa: ANN001
    """Patient pages in patients/ beside the cohort report (each linking back), and the section listing them."""
    from ..report import interpret_patients, patient_reports_section, write_patient_reports

    interps = interpret_patients(mdata, board, kb=kb)
    reports = write_patient_reports(mdata, board, Path(out).parent / "patients", kb=kb, interpretations=interps, cohort_report=out)
    return patient_reports_section(reports, base=Path(out).parent, interpretations=interps), list(reports.values())


@app.command()
@handle_errors
def simulate(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the raw files, study.toml and truth.json to."),  # noqa: B008
    n_samples: int = typer.Option(150, "--n-samples", "-n", min=10, help="Samples in the simulated cohort."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the cohort."),
    genome: bool = typer.Option(False, "--genome", help="Also plant MSI / POLE / HRD / APOBEC tumours: exome-scale calls with reference context, allelic_segments.tsv, truth under 'genome' (ds.add_genome_phenotypes)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace files of an earlier simulation in OUT."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Simulate a cohort with planted resistance mechanisms and write its raw files.

    Writes the files the readers take (MAF, CNV segments + gene BED, RNA counts, methylation,
    proteomics, drug screen, combinations, clinical sheet), a study.toml for 'oncoresist build'
    and truth.json (the answer key: planted mechanisms, true factors, subtypes, curve parameters).

    Example: oncoresist simulate --out sim --n-samples 300 --seed 1 && oncoresist build sim/study.toml --out sim.h5mu
    """
    from ..ds import add_genome_phenotypes, simulate_cohort

    log(f"simulating {n_samples} samples (seed {seed}) ...", quiet=quiet)
    sim = simulate_cohort(n_samples, seed=seed)
    if genome:
        add_genome_phenotypes(sim, random_state=seed)
    study = sim.write(out, overwrite=overwrite)
    typer.echo(f"study: {study}")
