"""Verbs about the knowledge base and one patient: ``annotate`` and ``kb build|import|query|info``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from . import _app
from ._app import app, finish_pseudonyms, handle_errors, log

kb_app = typer.Typer(
    name="kb",
    help=(
        "The knowledge base of drug-response evidence (DuckDB): build it from the shipped curated core, "
        "import CIViC or the Molecular Oncology Almanac, query it, show its version and sources.\n\n"
        "Default location: $ONCORESIST_KB, else $XDG_DATA_HOME/oncoresist/kb.duckdb, else "
        "~/.local/share/oncoresist/kb.duckdb (built on first use)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(kb_app, name="kb")

_KB_OPTION_HELP = "Knowledge base file (default: $ONCORESIST_KB or the user data folder)."


def _print_df(df, *, title: str, quiet: bool, columns: list[str] | None = None, limit: int = 30) -> None:  # noqa: ANN001
    if quiet or df is None or df.empty:
        return
    from rich.console import Console
    from rich.table import Table

    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    t = Table(title=title, show_lines=False)
    for c in cols:
        t.add_column(str(c), overflow="fold")
    for row in df[cols].head(limit).itertuples(index=False):
        t.add_row(*["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row])
    Console().print(t)
    if len(df) > limit:
        typer.echo(f"... {len(df) - limit} more row(s) (use --out to write them all)")


@kb_app.command("build")
@handle_errors
def kb_build(
    out: Path = typer.Option(None, "--out", "-o", help="KB file to create (default: the default KB location)."),  # noqa: B008
    force: bool = typer.Option(False, "--force", help="Replace an existing KB (its imports are lost)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the path."),
) -> None:
    """Create the knowledge base from the curated core shipped with oncoresist.

    Example: oncoresist kb build --out kb.duckdb --force
    """
    from ..kb import build_kb, open_kb

    p = build_kb(out, overwrite=force)
    with open_kb(p) as kb:
        info = kb.info()
    log(f"built {p}: {info['n_evidence']} evidence items, {info['n_biomarkers']} biomarkers, {info['n_drugs']} drugs", quiet=quiet)
    typer.echo(f"kb: {p} (version {info['version']})")


@kb_app.command("import")
@handle_errors
def kb_import(
    file: Path = typer.Argument(..., help="CIViC evidence dump (nightly ClinicalEvidenceSummaries.tsv of any year, or the pharmOncoX CSV) or a Molecular Oncology Almanac release (JSON); .gz accepted. The format is detected from the content."),  # noqa: B008
    kb_path: Path = typer.Option(None, "--kb", help=_KB_OPTION_HELP + " Created from the curated core when it does not exist."),  # noqa: B008
    name: str = typer.Option(None, "--name", help="Source name (default: civic or moalmanac, by format); re-importing a name replaces its items."),
    source_format: str = typer.Option("auto", "--format", help="auto (detected from the content), civic or moalmanac."),
    source_version: str = typer.Option(None, "--source-version", help="MOAlmanac: version to record (e.g. the moalmanac-db commit); default: the latest assertion date."),
    force: bool = typer.Option(False, "--force", help="Accept a file giving more than 20% fewer items than the source holds now."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the import report (kept / dropped and why) as JSON."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No report on screen."),
) -> None:
    """Import a CIViC evidence file or a MOAlmanac release into the knowledge base.

    Only predictive evidence with a therapy and a sensitivity / resistance claim is kept; the
    report counts every dropped item by reason. A file giving no items, or a sharp drop versus
    the stored version (without --force), is refused and the KB is left unchanged; items another
    source name already holds (same evidence ID) are not duplicated.

    Example: oncoresist kb import ClinicalEvidenceSummaries.tsv --out civic_import.json
             oncoresist kb import molecular-oncology-almanac.json.gz --source-version 7815662
    """
    from .._core._errors import InputError
    from .._core._utils import atomic_write_text, check_file
    from ..kb import open_kb
    from ..kb._moalmanac import is_moalmanac

    check_file(file, what="evidence file")
    fmt = source_format.strip().lower()
    if fmt not in ("auto", "civic", "moalmanac"):
        msg = f"--format must be auto, civic or moalmanac, got {source_format!r}."
        raise InputError(msg)
    if fmt == "auto":
        fmt = "moalmanac" if is_moalmanac(file) else "civic"
    with open_kb(kb_path, read_only=False) as kb:
        if fmt == "moalmanac":
            rep = kb.import_moalmanac(file, name=name or "moalmanac", version=source_version, force=force)
        else:
            rep = kb.import_civic(file, name=name or "civic", force=force)
        version = kb.version
    if not quiet:
        typer.echo(rep.summary())
    if out is not None:
        atomic_write_text(out, json.dumps(rep.to_dict(), indent=2))
    typer.echo(f"imported {rep.n_kept} evidence items as '{rep.source}' {rep.version}; KB version {version}")


def _open_existing(kb_path: Path | None):  # noqa: ANN202
    """Open the KB for reading: a path given with --kb must exist (only import / build create one)."""
    from .._core._errors import InputError
    from ..kb import open_kb

    if kb_path is not None and not Path(kb_path).expanduser().exists():
        msg = (
            f"knowledge base '{kb_path}' does not exist: check the --kb path, or create it with "
            f"'oncoresist kb build --out {kb_path}' (or 'oncoresist kb import FILE --kb {kb_path}')."
        )
        raise InputError(msg)
    return open_kb(kb_path)


@kb_app.command("query")
@handle_errors
def kb_query(
    gene: str = typer.Option(None, "--gene", "-g", help="Gene symbol or alias (HER2 = ERBB2)."),
    alteration: str = typer.Option(None, "--alteration", "-a", help="Alteration in any notation: T790M, p.Thr790Met, 'exon 19 deletion', amplification, 'EGFR T790M'."),
    drug: str = typer.Option(None, "--drug", "-d", help="Drug name / synonym, or a drug class."),
    disease: str = typer.Option(None, "--disease", help="Tumour type: only evidence applying to it (same, broader, subtype or pan-cancer)."),
    direction: str = typer.Option(None, "--direction", help="sensitivity or resistance."),
    level: str = typer.Option(None, "--level", help="Weakest evidence level to keep: A, B, C, D or E (B keeps A and B)."),
    source: str = typer.Option(None, "--source", help="Only this source (core, civic, ...)."),
    kb_path: Path = typer.Option(None, "--kb", help=_KB_OPTION_HELP),  # noqa: B008
    out: Path = typer.Option(None, "--out", "-o", help="Write all matching evidence as CSV / TSV."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No table on screen."),
) -> None:
    """Find evidence by gene, alteration, drug and tumour type.

    Evidence written for broader biomarkers that cover the alteration is included (KRAS G12 for
    G12D); the 'match' column says how. Results say which KB version and sources answered.

    Example: oncoresist kb query --alteration "EGFR T790M" --drug gefitinib --out t790m.csv
    """
    from .._core._utils import write_csv

    with _open_existing(kb_path) as kb:
        res = kb.query(gene=gene, alteration=alteration, drug=drug, disease=disease, direction=direction, level=level, source=source)
    _print_df(res, title=f"{len(res)} evidence item(s)", quiet=quiet,
              columns=["evidence_id", "profile", "match", "therapy", "direction", "level", "disease", "citation"])  # fmt: skip
    if out is not None:
        write_csv(res, out)
    prov = res.attrs.get("kb", {})
    counts = res["direction"].value_counts().to_dict() if len(res) else {}
    typer.echo(
        f"{len(res)} item(s) {counts} from KB {prov.get('version', '')} ({', '.join(f'{k} {v}' for k, v in prov.get('sources', {}).items())})"
    )


@kb_app.command("info")
@handle_errors
def kb_info(
    kb_path: Path = typer.Option(None, "--kb", help=_KB_OPTION_HELP),  # noqa: B008
    out: Path = typer.Option(None, "--out", "-o", help="Write the information as JSON."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the version line."),
) -> None:
    """Show the knowledge base's version, sources and sizes (builds it on first use).

    Example: oncoresist kb info --out kb_info.json
    """
    from .._core._utils import atomic_write_text

    with _open_existing(kb_path) as kb:
        info = kb.info()
        sources = kb.sources()
    if not quiet:
        _print_df(sources, title="sources", quiet=quiet)
        for k in ("n_evidence", "n_biomarkers", "n_drugs", "n_diseases", "by_source", "by_direction"):
            typer.echo(f"{k}: {info[k]}")
    if out is not None:
        atomic_write_text(out, json.dumps(info, indent=2, default=str))
    typer.echo(f"kb: {info['path']} version {info['version']}")


def _read_alterations(path: Path, patient: str | None):  # noqa: ANN202
    """A variant / alteration table from a MAF, VCF or CSV / TSV file."""
    from .._core._errors import InputError
    from .._core._utils import read_table

    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".maf"):
        from ..io import read_maf

        df = read_maf(path)
    elif name.endswith(".vcf"):
        from ..io import read_vcf

        df = read_vcf(path)
    else:
        df = read_table(path, what="alteration table", dtype=str, keep_default_na=False)
        lower = {c.lower(): c for c in df.columns}
        ren = {}
        for want, cands in {"gene": ("gene", "hugo_symbol", "symbol"), "alteration": ("alteration", "variant", "biomarker"), "sample": ("sample", "tumor_sample_barcode", "patient")}.items():
            for c in cands:
                if c in lower and want not in df.columns:
                    ren[lower[c]] = want
                    break
        df = df.rename(columns=ren)
    if "sample" in df.columns:
        samples = sorted(set(df["sample"].astype(str)))
        if patient is None and len(samples) > 1:
            msg = f"'{path}' holds {len(samples)} samples ({', '.join(samples[:5])}{', ...' if len(samples) > 5 else ''}): choose one with --patient."
            raise InputError(msg)
        if patient is not None and patient not in samples:
            msg = f"sample {patient!r} is not in '{path}': found {', '.join(samples[:5])}{', ...' if len(samples) > 5 else ''}."
            raise InputError(msg)
        if patient is not None:
            df = df[df["sample"].astype(str) == patient]
    return df


def _pseudonymised(out: Path, salt: str | None, key_file: Path | None, ids: list[str], *, mdata: Any = None, table: Any = None) -> tuple[Any, Path, Any, Any]:
    """Pseudonyms for ``annotate --pseudonymise``: the pseudonymiser, its key path, the renamed cohort / table."""
    from ..report import pseudonymise_cohort, start_pseudonyms

    pseudo, key = start_pseudonyms(ids, salt=salt, key_file=key_file, report_dir=out)
    if mdata is not None:
        mdata = pseudonymise_cohort(mdata, pseudo.mapping)
    if table is not None and "sample" in table.columns:
        table = table.assign(sample=table["sample"].astype(str).map(pseudo.mapping))
    return pseudo, key, mdata, table


@app.command()
@handle_errors
def annotate(
    input: Path = typer.Argument(..., help="A cohort (.h5mu, with --patient), a variant file (MAF / VCF) or a table of alterations (CSV / TSV with 'alteration', or 'gene' + 'protein_change')."),  # noqa: A002, B008
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: alterations, evidence, alerts, options, targets, screen, not_understood (CSV) and summary.json."),  # noqa: B008
    patient: str = typer.Option(None, "--patient", "-p", help="Sample to interpret (required for a cohort or a multi-sample file)."),
    tumour_type: str = typer.Option(None, "--tumour-type", "-t", help="Tumour type (default for a cohort: the sample's tumour type / tissue column)."),
    therapy: str = typer.Option(None, "--therapy", help="Current or planned therapy, e.g. 'gefitinib' or 'gefitinib + capmatinib'."),
    kb_path: Path = typer.Option(None, "--kb", help=_KB_OPTION_HELP),  # noqa: B008
    html: bool = typer.Option(False, "--html", help="Also write the patient report (report.html) into the folder."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help=_app.PSEUDONYMISE_HELP),
    salt: str = typer.Option(None, "--salt", help=_app.SALT_HELP),
    key_file: Path = typer.Option(None, "--key-file", help=_app.KEY_FILE_HELP + " Default: OUT/../pseudonym_key.csv."),  # noqa: B008
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on screen."),
) -> None:
    """Interpret one patient's alterations: evidence, tiers, resistance alerts, options, targets.

    Example: oncoresist annotate cohort.h5mu --patient SIM-0001 --out SIM-0001_annotation --html
             oncoresist annotate tumour.maf --tumour-type NSCLC --therapy erlotinib --out ann
             oncoresist annotate cohort.h5mu -p SIM-0001 --out board/ann --html --pseudonymise  (key: board/pseudonym_key.csv)
    """
    from .._core._errors import InputError
    from .._core._utils import atomic_write_text
    from ..interpret import interpret_alterations, interpret_patient
    from ..report import render_patient_report

    mdata = None
    with _open_existing(kb_path) as kb:
        from .._core._utils import is_hdf5

        if input.name.lower().endswith(".h5mu") or is_hdf5(input):
            from ..io import read_h5mu

            if patient is None:
                msg = f"'{input}' is a cohort: choose the sample to interpret with --patient."
                raise InputError(msg)
            mdata = read_h5mu(input)
            log(f"interpreting {patient} of {input} ...", quiet=quiet)
            if pseudonymise:
                pseudo, key, mdata, _ = _pseudonymised(out, salt, key_file, [*map(str, mdata.obs_names), patient], mdata=mdata)
                patient = pseudo.mapping[patient]
            res = interpret_patient(mdata, patient, kb=kb, tumour_type=tumour_type, therapy=therapy)
        else:
            from .._core._utils import check_file

            check_file(input, what="alteration file")
            table = _read_alterations(input, patient)
            label = patient or input.stem
            if pseudonymise:
                ids = list(dict.fromkeys(map(str, table["sample"]))) if "sample" in table.columns else []
                label = patient or (ids[0] if len(ids) == 1 else label)  # the file's one sample names the page
                ids = [label, *ids]
                pseudo, key, _, table = _pseudonymised(out, salt, key_file, ids, table=table)
                label = pseudo.mapping[label]
            res = interpret_alterations(table, tumour_type=tumour_type, kb=kb, therapy=therapy, patient=label)
    res.write(out)
    if html:
        atomic_write_text(Path(out) / "report.html", render_patient_report(res, mdata=mdata, evidence_file="evidence.csv"))
    if pseudonymise:
        finish_pseudonyms(pseudo, key, [Path(out)], quiet=quiet)
    if not quiet:
        _print_df(res.alerts, title="resistance alerts", quiet=quiet, columns=["drug", "alteration", "mechanism", "tier", "alternatives", "combinations"], limit=10)
        _print_df(res.options, title="therapy options", quiet=quiet, columns=["therapy", "tier", "alterations", "conflicts"], limit=10)
        _print_df(res.not_understood, title="not understood", quiet=quiet, limit=10)
    typer.echo(
        f"{res.patient}: {len(res.alterations)} alteration(s), {len(res.evidence)} evidence item(s), "
        f"{len(res.alerts)} alert(s), {len(res.options)} option(s), {len(res.not_understood)} not understood -> {out}"
    )
