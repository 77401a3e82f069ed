"""Serial ctDNA of one patient: each alteration's VAF over time, alerts marked where they appeared."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._errors import InputError  # noqa: E402

__all__ = ["ctdna_timeline"]


def ctdna_timeline(table: pd.DataFrame, patient: str, *, alerts: pd.DataFrame | None = None, top: int = 8,
                   therapy_days: dict[str, float] | None = None, ax: Any = None) -> Figure:
    """VAF (%) of a patient's alterations over time; emerging-resistance alerts as red markers.

    Parameters
    ----------
    table
        From :func:`oncoresist.io.read_ctdna`.
    patient
        The patient.
    alerts
        :attr:`oncoresist.interpret.Monitoring.alerts` (optional): alterations with an alert are
        drawn in red and labelled with the drug at the day they appeared.
    top
        Alterations drawn (highest peak VAF first; alert alterations always).
    therapy_days
        ``{label: day}`` vertical lines (e.g. the start of a therapy).
    ax
        Axes to draw into (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("P1", d, "EGFR", a, "mutation", v, None) for d, a, v in
    ...         [(0, "EGFR L858R", 0.05), (0, "EGFR T790M", 0.0), (90, "EGFR L858R", 0.002), (90, "EGFR T790M", 0.03)]]
    >>> t = pd.DataFrame(rows, columns=["patient", "day", "gene", "alteration", "kind", "vaf", "copy_number"])
    >>> fig = ctdna_timeline(t, "P1", therapy_days={"osimertinib": 30})
    >>> len(fig.axes[0].lines)
    3
    """
    t = table[table["patient"].astype(str) == str(patient)]
    if t.empty:
        msg = f"ctdna_timeline: patient {patient!r} is not in the table."
        raise InputError(msg)
    t = t[t["kind"].eq("mutation")]
    flagged = set() if alerts is None or alerts.empty else set(alerts.loc[alerts["patient"].astype(str) == str(patient), "alteration"])
    peak = t.groupby("alteration")["vaf"].max().sort_values(ascending=False)
    keep = list(dict.fromkeys([*[a for a in peak.index if a in flagged], *peak.index[:top]]))
    fig, ax = (plt.subplots(figsize=(6.4, 3.6)) if ax is None else (ax.figure, ax))
    days = np.sort(t["day"].unique())
    palette = [plt.get_cmap("tab10")(i) for i in range(10) if i != 3]  # red is kept for alerts
    for i, alt in enumerate(keep):
        s = t[t["alteration"] == alt].groupby("day")["vaf"].max().reindex(days).fillna(0.0) * 100
        red = alt in flagged
        ax.plot(days, s.to_numpy(), marker="o", lw=2.2 if red else 1.2, color="crimson" if red else palette[i % len(palette)],
                alpha=1.0 if red else 0.75, label=alt)
    for label, day in (therapy_days or {}).items():
        ax.axvline(day, color="grey", ls="--", lw=1)
        ax.text(day, ax.get_ylim()[1], f" {label}", va="top", fontsize=7, color="grey")
    if alerts is not None and not alerts.empty:
        mine = alerts[(alerts["patient"].astype(str) == str(patient)) & alerts["current"].astype(bool)]
        for r in mine.drop_duplicates("alteration").itertuples(index=False):
            ax.annotate(f"{r.alteration}: resistance to {r.drug}", (r.first_detected_day, r.peak_vaf * 100),
                        xytext=(-5, 8), textcoords="offset points", fontsize=7, color="crimson", ha="right")
    ax.set_xlabel("day")
    ax.set_ylabel("VAF (%)")
    ax.set_title(f"{patient}: serial ctDNA")
    ax.legend(fontsize=6, loc="upper left", frameon=False)
    fig.tight_layout()
    return fig
