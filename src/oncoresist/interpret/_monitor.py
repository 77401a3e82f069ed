"""Serial ctDNA against the knowledge base: emerging-resistance alerts with the day they appeared."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_write_text, write_csv
from ..kb import KnowledgeBase
from ..tl.monitor import ctdna_timeline, ctdna_trajectories
from ._interpret import interpret_alterations, resolve_kb

__all__ = ["EMERGING_COLUMNS", "Monitoring", "monitor_ctdna"]

#: Columns of :attr:`Monitoring.alerts`.
EMERGING_COLUMNS = ["patient", "alteration", "gene", "status", "first_detected_day", "peak_vaf", "drug", "current",
                    "mechanism", "tier", "level", "citations", "evidence_ids"]


@dataclass
class Monitoring:
    """Serial ctDNA of one or more patients read against the KB.

    Attributes
    ----------
    timeline
        Per patient and time point: detected alterations, maximum / mean VAF, response vs baseline.
    trajectories
        Per patient and alteration: baseline, first detection, peak, last value, status.
    alerts
        Emerging resistance: an alteration that emerged or rose after baseline and that the KB links
        to resistance to a drug (``current`` = the therapy given), with the day it appeared.
    therapy
        The therapy the alerts were checked against.
    notes
        Caveats (e.g. alterations the KB could not parse).
    """

    timeline: pd.DataFrame
    trajectories: pd.DataFrame
    alerts: pd.DataFrame
    therapy: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def write(self, out: PathLike) -> Path:
        """Write ``timeline.csv``, ``trajectories.csv``, ``alerts.csv`` and ``summary.txt`` into ``out``."""
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        write_csv(self.timeline, d / "timeline.csv")
        write_csv(self.trajectories, d / "trajectories.csv")
        write_csv(self.alerts, d / "alerts.csv")
        atomic_write_text(d / "summary.txt", "\n".join(self.summary_lines()) + "\n")
        return d

    def summary_lines(self) -> list[str]:
        """One line per patient: last response and emerging-resistance alerts."""
        lines = []
        for patient, g in self.timeline.groupby("patient", sort=True):
            last = g.iloc[-1]
            a = self.alerts[self.alerts["patient"] == patient]
            cur = a[a["current"].astype(bool)] if len(a) else a
            alert = "; ".join(f"{r.alteration} (day {r.first_detected_day:g}) -> resistance to {r.drug}"
                              for r in cur.drop_duplicates(["alteration", "drug"]).itertuples(index=False))
            lines.append(f"{patient}: day {last['day']:g} {last['response']} (max VAF {last['max_vaf']:.2%})"
                         + (f"; emerging resistance: {alert}" if alert else ""))
        return lines


def _patient_alerts(kb: KnowledgeBase, patient: str, traj: pd.DataFrame, therapy: list[str],
                    tumour_type: str | None, notes: list[str]) -> pd.DataFrame:
    """Resistance alerts of the alterations that emerged or rose in one patient."""
    new = traj[traj["status"].isin(("emerged", "rising"))]
    if new.empty:
        return pd.DataFrame(columns=EMERGING_COLUMNS)
    detected = traj.loc[traj["n_detected"] > 0, "alteration"].tolist()  # the full picture: context matters
    res = interpret_alterations(detected, tumour_type=tumour_type, kb=kb, therapy=therapy or None, patient=patient)
    if len(res.not_understood):
        notes.append(f"{patient}: not interpreted: " + "; ".join(res.not_understood["item"].astype(str).head(5)))
    alerts = res.alerts
    if alerts.empty:
        return pd.DataFrame(columns=EMERGING_COLUMNS)
    rows = []
    for r in new.itertuples(index=False):
        hit = alerts[alerts["alteration"].astype(str).str.contains(r.alteration, regex=False)]
        for h in hit.itertuples(index=False):
            rows.append({"patient": patient, "alteration": r.alteration, "gene": r.gene, "status": r.status,
                         "first_detected_day": r.first_detected_day if r.status == "emerged" else r.peak_day,
                         "peak_vaf": r.peak_vaf, "drug": h.drug, "current": bool(h.current), "mechanism": h.mechanism,
                         "tier": h.tier, "level": h.level, "citations": h.citations, "evidence_ids": h.evidence_ids})
    return pd.DataFrame(rows, columns=EMERGING_COLUMNS)


def monitor_ctdna(table: pd.DataFrame, *, patients: list[str] | None = None, therapy: str | list[str] | None = None,
                  tumour_type: str | None = None, kb: KnowledgeBase | PathLike | None = None,
                  baseline_day: float | None = None, min_vaf: float = 0.0, response_fall: float = 0.5,
                  rise_fold: float = 2.0) -> Monitoring:
    """Follow serial ctDNA and flag resistance as it emerges (e.g. EGFR C797S under osimertinib).

    Parameters
    ----------
    table
        From :func:`oncoresist.io.read_ctdna`.
    patients
        Patients to follow (default all).
    therapy
        The therapy given (drug names or classes, e.g. ``"osimertinib"``); alerts to it are ``current``.
    tumour_type
        Tumour type (disease context of the evidence).
    kb
        Knowledge base, path or None (default KB).
    baseline_day, min_vaf, response_fall, rise_fold
        See :func:`oncoresist.tl.monitor.ctdna_timeline` / :func:`~oncoresist.tl.monitor.ctdna_trajectories`.

    Returns
    -------
    Monitoring

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> t = pd.DataFrame({"patient": "P1", "day": [0, 0, 300, 300], "gene": "EGFR",
    ...                   "alteration": ["EGFR T790M", "EGFR C797S"] * 2, "kind": "mutation",
    ...                   "vaf": [0.03, 0.0, 0.05, 0.02], "copy_number": float("nan")})
    >>> m = monitor_ctdna(t, therapy="osimertinib", tumour_type="NSCLC", kb=pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb")
    >>> m.alerts[["alteration", "first_detected_day", "drug", "current"]].values.tolist()
    [['EGFR C797S', 300.0, 'osimertinib', True]]
    """
    if patients:
        unknown = sorted(set(patients) - set(table["patient"].astype(str)))
        if unknown:
            msg = (f"monitor: patient(s) {', '.join(unknown)} not in the ctDNA table "
                   f"(patients: {', '.join(sorted(set(table['patient'].astype(str)))[:10])}).")
            raise InputError(msg)
        table = table[table["patient"].astype(str).isin(patients)]
    timeline = ctdna_timeline(table, baseline_day=baseline_day, min_vaf=min_vaf, response_fall=response_fall, rise_fold=rise_fold)
    traj = ctdna_trajectories(table, baseline_day=baseline_day, min_vaf=min_vaf, rise_fold=rise_fold)
    drugs = [therapy] if isinstance(therapy, str) else list(therapy or [])
    notes: list[str] = []
    kbo, own = resolve_kb(kb)
    try:
        parts = [_patient_alerts(kbo, str(p), g, drugs, tumour_type, notes) for p, g in traj.groupby("patient", sort=True)]
    finally:
        if own:
            kbo.close()
    parts = [p for p in parts if len(p)]
    alerts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=EMERGING_COLUMNS)
    if len(alerts):
        alerts = alerts.sort_values(["patient", "current", "first_detected_day"], ascending=[True, False, True], kind="stable")
    return Monitoring(timeline=timeline, trajectories=traj, alerts=alerts.reset_index(drop=True), therapy=drugs, notes=notes)
