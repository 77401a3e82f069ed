"""Verb ``biomarkers``: tumour mutational burden, MSI status and SBS-96 catalogues from somatic calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ._app import app, handle_errors, log


@app.command()
@handle_errors
def biomarkers(
    input: Path = typer.Argument(..., help="Somatic calls: a MAF (.maf / .maf.gz / .txt), a VCF, or a cohort .h5mu with the variant table in uns['variants'] of --mod."),  # noqa: B008,A002
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (refused when it holds files, unless --overwrite)."),  # noqa: B008
    callable_mb: float = typer.Option(None, "--callable-mb", help="Callable territory in Mb (default 30, a whole exome; a panel's size for panels)."),  # noqa: B008
    target_bed: Path = typer.Option(None, "--target-bed", help="BED of the captured regions; its merged length is the territory."),  # noqa: B008
    mod: str = typer.Option("mut", "--mod", help="Mutation modality of a cohort INPUT."),
    signatures: Path = typer.Option(None, "--signatures", help="Reference signature matrix (e.g. COSMIC_v3.4_SBS_GRCh38.txt) to fit the SBS-96 catalogues to."),  # noqa: B008
    fasta: Path = typer.Option(None, "--fasta", help="Uncompressed reference FASTA of the calls (a .fai beside it is used): the SNVs' trinucleotide contexts for SBS-96 when the calls carry none."),  # noqa: B008
    segments: Path = typer.Option(None, "--segments", help="Allele-specific copy-number segments (ASCAT / FACETS / Sequenza: sample, chrom, start, end, total and minor copy number) for the HRD scores; writes OUT/hrd.csv."),  # noqa: B008
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace files in --out and cohort columns of the same names that oncoresist did not write."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Compute TMB, MSI status and (when the calls carry reference context) SBS-96 catalogues.

    TMB: coding non-synonymous calls (VAF >= 0.05, population AF <= 0.01 when those columns
    exist) per Mb; TMB-high at >= 10 / Mb (FDA, KEYNOTE-158). MSI: indels per Mb (repeat
    indels when a CONTEXT / flanking_bps column holds sequence), MSI-high at >= 0.395 / Mb (MSIseq).

    Writes OUT/biomarkers.csv (sample, n_coding, tmb, tmb_high, n_indel, msi_score,
    msi_probability, msi_high), OUT/sbs6.csv (samples x the six substitution classes, no context
    needed), OUT/sbs96.csv (samples x 96 channels) when the calls carry
    context or --fasta gives it, OUT/signatures.csv (sample, signature, exposure, fraction, lower, upper) with
    --signatures, OUT/hrd.csv (sample, loh, tai, lst, hrd_sum, ploidy, hrd_sum_adjusted,
    brca_altered, hrd_high) with --segments, and for a cohort INPUT OUT/cohort.h5mu with obs
    columns tmb, tmb_high, msi_score, msi_high (+ hrd_loh, hrd_tai, hrd_lst, hrd_sum, hrd_score,
    hrd_high with --segments).

    HRD (scarHRD): LOH > 15 Mb not spanning a whole chromosome + telomeric allelic imbalances +
    large-scale transitions (GRCh38 centromeres); HRD-positive at a sum >= 42 (Telli 2016) or a
    BRCA1 / BRCA2 non-synonymous call.

    Example: oncoresist biomarkers somatic.maf.gz --out bio --callable-mb 35
    """
    from .._core._errors import InputError
    from .._core._utils import write_csv
    from ..io import write_h5mu
    from ..tl import (
        add_biomarkers,
        add_sequence_context,
        biomarker_table,
        fit_signatures,
        has_sequence_context,
        hrd_table,
        sbs6_spectrum,
        sbs96_catalogue,
    )

    if out.exists() and any(out.iterdir()) and not overwrite:
        raise InputError(f"--out {out} already holds files; choose another folder or pass --overwrite.")
    variants, mdata = _read_input(input, mod)
    opts: dict[str, Any] = {"callable_mb": callable_mb, "target_bed": target_bed}
    if mdata is not None:
        add_biomarkers(mdata, mod=mod, overwrite=overwrite, segments=segments, **opts)
        table = mdata.uns["biomarkers"]["table"]
    else:
        table = biomarker_table(variants, **opts)
    write_csv(table, out / "biomarkers.csv")
    if segments is not None:
        hrd = mdata.uns["hrd"]["table"] if mdata is not None else hrd_table(segments, variants=variants)
        write_csv(hrd, out / "hrd.csv")
        log(f"hrd: {len(hrd)} samples, {int(hrd['hrd_high'].sum())} HRD-positive", quiet=quiet)
    log(f"biomarkers: {len(table)} samples, {int(table['tmb_high'].sum())} TMB-high, {int(table['msi_high'].sum())} MSI-high", quiet=quiet)
    write_csv(sbs6_spectrum(variants, samples=table["sample"].tolist()), out / "sbs6.csv", index=True)
    if fasta is not None and not has_sequence_context(variants):
        variants = add_sequence_context(variants, fasta)
        log(f"contexts from {fasta.name}: {int((variants['ref_context'] != '').sum())} SNVs, "
            f"{variants.attrs['ref_mismatch']} whose reference base differs from the FASTA's", quiet=quiet)
    if has_sequence_context(variants):
        cat = sbs96_catalogue(variants, samples=table["sample"].tolist())
        write_csv(cat, out / "sbs96.csv", index=True)
        if signatures is not None:
            write_csv(fit_signatures(cat, signatures), out / "signatures.csv")
    elif signatures is not None:
        raise InputError(f"--signatures needs SBS-96 catalogues, but {input} has no reference-context column (CONTEXT / flanking_bps); pass --fasta REFERENCE.fa.")
    else:
        log("no reference-context column (CONTEXT / flanking_bps): no sbs96.csv (sbs6.csv needs none)", quiet=quiet)
    if mdata is not None:
        write_h5mu(mdata, out / "cohort.h5mu")
    typer.echo(f"biomarkers: {out / 'biomarkers.csv'}")


def _read_input(path: Path, mod: str) -> tuple[Any, Any]:
    """The variant table and, for a cohort, the cohort (``None`` for a MAF / VCF)."""
    from .._core._errors import InputError
    from ..io import read_h5mu, read_maf, read_vcf

    name = path.name.lower()
    if name.endswith(".h5mu"):
        mdata = read_h5mu(path)
        if mod not in mdata.mod or "variants" not in mdata[mod].uns:
            raise InputError(f"cohort {path} has no variant table in uns['variants'] of modality {mod!r}; pass --mod or a MAF.")
        return mdata[mod].uns["variants"], mdata
    if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz")):
        return read_vcf(path), None
    return read_maf(path), None
