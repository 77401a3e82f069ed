"""``oncoresist demo``: the whole path on the built-in simulated cohort.

simulate -> write raw files (MAF, segments, matrices, screen, clinical, study TOML) -> build the
cohort through the readers -> analyses -> ``cohort.h5mu`` + ``report/index.html``.
Each analysis step is a small function taking the :class:`DemoContext`; steps append report
sections and record their wall time.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mudata as md

from .report import Section

__all__ = ["DemoContext", "run_demo"]


@dataclass
class DemoContext:
    """State shared by the demo steps."""

    out: Path
    n_samples: int
    seed: int
    quiet: bool = False
    n_jobs: int | None = None
    study: Path | None = None
    sim: Any = None
    mdata: md.MuData | None = None
    models: Any = None
    sections: list[Section] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)


def _log(ctx: DemoContext, msg: str) -> None:
    if not ctx.quiet:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(msg)


def _step_simulate(ctx: DemoContext) -> None:
    from .ds import add_evolution, add_genome_phenotypes, simulate_cohort

    ctx.sim = simulate_cohort(ctx.n_samples, seed=ctx.seed, functional=True)
    # a few MSI tumours and the HRD scars of the BRCA-loss ones, for the genome-wide biomarkers
    add_genome_phenotypes(ctx.sim, fractions=_DEMO_GENOME, background=False, random_state=ctx.seed)
    add_evolution(ctx.sim, 2, random_state=ctx.seed)
    ctx.study = ctx.sim.write(ctx.out / "raw", overwrite=True)
    ctx.outputs["raw files"] = ctx.study.parent


def _step_build(ctx: DemoContext) -> None:
    from .tl import build_study

    assert ctx.study is not None
    ctx.mdata = build_study(ctx.study, quiet=ctx.quiet)


#: Blocks drawn on each combination page of the demo (the most synergistic; the tables list every block).
_DEMO_SYNERGY_BLOCKS = 2


def _step_screen(ctx: DemoContext) -> None:
    from .report import screen_section, synergy_sections
    from .tl import synergy

    m = ctx.mdata
    assert m is not None
    summary, wells = None, None
    if "combinations" in m.uns:
        summary, wells = synergy(m.uns["combinations"])
        m.uns["synergy"] = {"summary": summary, "wells": wells}
    ctx.sections.append(
        screen_section(m.uns["curves"]["table"], screen=m.uns["dose_response"], synergy_summary=summary, synergy_wells=wells)
    )
    # one page per combination in report/synergy/, as `oncoresist report` writes them, linked from the cohort page
    pages_section, pages = synergy_sections(m, ctx.out / "report" / "index.html", max_blocks=_DEMO_SYNERGY_BLOCKS, n_jobs=ctx.n_jobs)
    ctx.sections.extend(pages_section)
    if pages:
        ctx.outputs["drug-combination pages"] = Path(pages[0]).parent


def _step_integrate(ctx: DemoContext) -> None:
    from . import pp, tl
    from .report import integration_section

    m = ctx.mdata
    assert m is not None
    pp.preprocess(m, batch_key="batch")
    # molecular layers only: factors that include the drug layer would make the factor-drug
    # associations partly circular
    omics = [k for k in m.mod if k != "drug"]
    tl.factors(m, mods=omics, n_factors=8, tol=1e-5, random_state=ctx.seed)
    # the sample sheet holds the planted subtypes in obs['subtype']: the found ones go beside them
    tl.subtypes(m, mods=omics, random_state=ctx.seed, key_added="mo_subtype")
    ctx.sections.append(integration_section(m, color="tissue", subtype_key="mo_subtype"))


def _step_functional(ctx: DemoContext) -> None:
    """Pathway activities (ulm, RNA), kinase activities (KSEA, phosphosites) and the microenvironment (MCP markers)."""
    from . import tl
    from .ds import kinase_network, pathway_network

    m = ctx.mdata
    assert m is not None
    tl.activity(m, mod="rna", resource=pathway_network(), method="ulm", key_added="act_simpathways")
    if "phospho" in m.mod:
        tl.activity(m, mod="phospho", resource=kinase_network(), method="ksea", key_added="act_kinase")
    tl.tme(m, mod="rna", method="mcp")


def _step_models(ctx: DemoContext) -> None:
    from . import tl
    from .report import models_section

    m = ctx.mdata
    assert m is not None
    tl.associate(m, covariates=("tissue",), n_jobs=ctx.n_jobs)
    # honest evaluation (sample-blind CV with baselines); the out-of-fold predictions are what the
    # patient reports show, since every demo patient was part of the training cohort
    cv = tl.cross_validate_drugs(m, models=("enet",), cv="sample", n_jobs=ctx.n_jobs, random_state=ctx.seed)
    oof = cv.predictions[cv.predictions["model"] == "enet"]
    m.uns["predictions"] = oof.pivot_table(index="sample", columns="drug", values="predicted")
    m.uns["prediction_scores"] = cv.scores.loc[cv.scores["model"] == "enet", ["drug", "pearson", "rmse"]].reset_index(drop=True)
    models = tl.train_models(m, model="enet", evaluate=False, n_jobs=ctx.n_jobs, random_state=ctx.seed)
    models.cv_scores = cv.scores
    models.save(ctx.out / "models")
    ctx.outputs["response models"] = ctx.out / "models"
    # survival on the proteome on top of age (a known risk factor, kept unpenalized); one layer
    # keeps the demo fast (all layers: see `tl.survival`)
    tl.survival(m, layers=("prot",), obs_features=("age",), unpenalized=("obs",), random_state=ctx.seed)
    ctx.models = models
    ctx.sections.append(models_section(m, cv_result=cv))


#: Planted mechanism flags of the simulator, in the order patients are picked for reports.
_MECHANISM_FLAGS = (
    "egfr_activating", "egfr_t790m", "met_amp", "abcb1_high",
    "mgmt_methylated", "brca_loss", "ercc1_high", "kras_mut", "true_msi",
)
#: Genome-wide phenotypes planted in the demo cohort (ds.add_genome_phenotypes): few, to keep it fast.
_DEMO_GENOME = {"MSI": 0.014, "POLE": 0.0, "HRD": 0.0, "APOBEC": 0.0}


def demo_patients(ctx: DemoContext, *, per_flag: int = 1) -> list[str]:
    """One carrier (or ``per_flag``) of each planted mechanism that has a cohort sample."""
    obs = ctx.sim.mdata.obs
    have = set(ctx.mdata.obs_names) if ctx.mdata is not None else set(obs.index)
    chosen: list[str] = []
    for flag in _MECHANISM_FLAGS:
        if flag not in obs.columns:
            continue
        carriers = [s for s in obs.index[obs[flag].astype(bool)] if s in have and s not in chosen]
        chosen.extend(carriers[:per_flag])
    return chosen + [p for p in ctx.sim.evolution if p in have and p not in chosen]


def _serial_clones(mdata: md.MuData) -> None:
    """``tl.clones`` of every patient of ``uns['clonal_input']`` (time order from the study file)."""
    from .tl import clones

    inp = mdata.uns.get("clonal_input")
    for patient, tab in ([] if inp is None else inp.groupby("patient", sort=True)):
        times = list(dict.fromkeys(tab.sort_values("time")["sample_id"].astype(str)))
        clones(mdata, tab.drop(columns=["patient", "time"]).reset_index(drop=True), patient=str(patient), times=times, overwrite=True)


def _step_patients(ctx: DemoContext) -> None:
    from .kb import build_kb
    from .parallel import default_n_jobs, fork_map
    from .report import interpret_patients, patient_reports_section, write_patient_reports

    assert ctx.mdata is not None
    kb_path = build_kb(ctx.out / "kb.duckdb", overwrite=True)
    ctx.outputs["knowledge base"] = kb_path
    patients = demo_patients(ctx)
    _serial_clones(ctx.mdata)
    report_dir = ctx.out / "report"
    # interpretations and pages in forked workers (each opens the KB read-only by its path)
    k = max(1, min(len(patients), default_n_jobs() if not ctx.n_jobs or ctx.n_jobs < 0 else ctx.n_jobs))
    interps: dict[str, Any] = {}
    for part in fork_map(lambda chunk: interpret_patients(ctx.mdata, chunk, kb=kb_path), [patients[i::k] for i in range(k)], n_jobs=k):
        interps.update(part)
    interps = {p: interps[p] for p in patients}
    reports = write_patient_reports(ctx.mdata, patients, report_dir / "patients", kb=kb_path, interpretations=interps,
                                    n_jobs=ctx.n_jobs, cohort_report=report_dir / "index.html")
    ctx.sections.append(patient_reports_section(reports, base=report_dir, interpretations=interps))
    ctx.outputs["patient reports"] = report_dir / "patients"


#: The demo's steps, in order. Later features add theirs here.
STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("simulate cohort and write raw files", _step_simulate),
    ("build cohort from the raw files", _step_build),
    ("dose-response metrics and synergy", _step_screen),
    ("preprocess, integrate layers, subtypes", _step_integrate),
    ("pathway / kinase activities, microenvironment", _step_functional),
    ("biomarkers, response models, survival", _step_models),
    ("interpret patients and write their reports", _step_patients),
]


def run_demo(out: str | Path, *, n_samples: int = 150, seed: int = 0, quiet: bool = False, n_jobs: int | None = None) -> DemoContext:
    """Run the demo and write ``out/cohort.h5mu`` and ``out/report/index.html``.

    Parameters
    ----------
    out
        Output folder (created).
    n_samples
        Samples in the simulated cohort.
    seed
        Random seed of the simulation.
    quiet
        No progress messages.
    n_jobs
        Local workers for parallel steps (default: all CPUs).

    Returns
    -------
    DemoContext
        The cohort, the report sections, the outputs written and the time of each step.
    """
    from .io import write_h5mu
    from .report import write_cohort_report

    ctx = DemoContext(out=Path(out), n_samples=n_samples, seed=seed, quiet=quiet, n_jobs=n_jobs)
    ctx.out.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    for name, step in STEPS:
        _log(ctx, f"[bold]>[/bold] {name} ...")
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            step(ctx)
        ctx.timings[name] = time.perf_counter() - t0
        if caught:
            kinds = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:90]}" for w in caught})
            ctx.warnings.extend(kinds)
        _log(ctx, f"  [dim]{ctx.timings[name]:.1f} s[/dim]")
    assert ctx.mdata is not None
    t0 = time.perf_counter()
    ctx.outputs["cohort"] = write_h5mu(ctx.mdata, ctx.out / "cohort.h5mu")
    ctx.timings["write cohort"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _log(ctx, "[bold]>[/bold] write report ...")
    ctx.outputs["report"] = write_cohort_report(
        ctx.mdata, ctx.out / "report" / "index.html", extra_sections=ctx.sections,
        title=f"oncoresist demo: simulated cohort ({n_samples} samples, seed {seed})",
    )
    ctx.timings["write report"] = time.perf_counter() - t0
    ctx.timings["total"] = time.perf_counter() - t_all
    return ctx
