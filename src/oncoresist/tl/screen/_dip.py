"""Drug-induced proliferation (DIP) rates and DIP dose-response curves (Harris et al. 2016, Nat Methods 13:497).

The DIP rate of a sample x drug x dose is the slope of ``log2(cell count)`` against time (hours)
once the population has settled into its drug-induced exponential rate: doublings per hour,
negative when cells die. It does not depend on the assay's end time, unlike a viability ratio.

Fitting window: every time ``>= delay`` hours (default 0: the whole course). Harris et al.
choose the start of the linear phase per well; a fixed, declared delay is the simple honest
choice here: set it to the time the drug needs to act (often 24-48 h). All wells of a sample x
drug x dose are pooled in one ordinary least-squares fit; counts of 0 (no log) are left out
with a warning.

:func:`dip_curves` divides each DIP rate by the vehicle DIP rate of the same sample (vehicle
rows of the same drug if it has any, else every vehicle row of the sample) and fits the relative
rate with :func:`oncoresist.tl.fit_curves` (its lower plateau may go below 0: net cell death).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import require_columns
from ._curves import fit_curves

__all__ = ["DIP_COLUMNS", "dip_curves", "dip_rates"]

#: Output columns of :func:`dip_rates`.
DIP_COLUMNS: dict[str, str] = {
    "sample": "sample ID",
    "drug": "drug name ('' for vehicle wells naming none)",
    "dose": "dose (uM); 0 = vehicle",
    "dip_rate": "slope of log2(cell count) vs time (doublings per hour) over times >= delay",
    "dip_rate_se": "standard error of the slope (NaN with fewer than 3 points)",
    "n_times": "distinct times in the fit",
    "n_points": "counts in the fit (wells x times)",
    "r2": "coefficient of determination of the linear fit",
}


def _ols(df: pd.DataFrame) -> pd.DataFrame:
    """Per-group OLS slope, its standard error and R^2 of ``y`` on ``t`` from running sums."""
    g = df.assign(tt=df["t"] ** 2, ty=df["t"] * df["y"], yy=df["y"] ** 2).groupby(["sample", "drug", "dose"], sort=True)
    s = g[["t", "y", "tt", "ty", "yy"]].sum()
    n = g.size().to_numpy(dtype=float)
    sxx = s["tt"].to_numpy() - s["t"].to_numpy() ** 2 / n
    sxy = s["ty"].to_numpy() - s["t"].to_numpy() * s["y"].to_numpy() / n
    syy = s["yy"].to_numpy() - s["y"].to_numpy() ** 2 / n
    ok = sxx > 1e-12 * np.maximum(s["tt"].to_numpy(), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(ok, sxy / sxx, np.nan)
        sse = np.maximum(syy - slope * sxy, 0.0)
        se = np.where(ok & (n > 2), np.sqrt(sse / (n - 2) / sxx), np.nan)
        r2 = np.where(syy > 1e-12, 1.0 - sse / syy, 1.0)
    out = s.index.to_frame(index=False)
    out["dip_rate"] = slope
    out["dip_rate_se"] = se
    out["n_times"] = g["t"].nunique().to_numpy()
    out["n_points"] = n.astype(int)
    out["r2"] = np.where(ok, r2, np.nan)
    return out


def _log_counts(table: pd.DataFrame, delay: float) -> pd.DataFrame:
    """Rows at times >= delay with a positive count, as (sample, drug, dose, t, y = log2 count)."""
    t = pd.to_numeric(table["time"], errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(table["cell_count"], errors="coerce").to_numpy(dtype=float)
    late = np.isfinite(t) & (t >= delay)
    zero = late & np.isfinite(x) & (x <= 0)
    if zero.any():
        warnings.warn(f"dip_rates: {int(zero.sum())} count(s) of 0 left out (log2 undefined).", UserWarning, stacklevel=3)
    keep = late & np.isfinite(x) & (x > 0)
    if not keep.any():
        msg = f"dip_rates: no positive cell counts at times >= delay ({delay:g} h): lower delay= or check the counts."
        raise InputError(msg)
    sub = table.loc[keep, ["sample", "drug", "dose"]].reset_index(drop=True)
    sub["drug"] = sub["drug"].fillna("").astype(str)
    return sub.assign(t=t[keep], y=np.log2(x[keep]))


def dip_rates(table: pd.DataFrame, *, delay: float = 0.0) -> pd.DataFrame:
    """DIP rate (Harris 2016) of every sample x drug x dose of a time course of cell counts.

    Parameters
    ----------
    table
        Time course as from :func:`oncoresist.io.read_timecourse` (``sample, drug, dose,
        time, cell_count``; time in hours).
    delay
        Only times ``>= delay`` hours enter the fit (default 0: all). Use it to skip the lag
        before the drug-induced rate sets in.

    Returns
    -------
    DataFrame
        One row per sample x drug x dose; columns :data:`DIP_COLUMNS`. ``dip_rate`` is NaN
        with fewer than 2 distinct times. ``attrs['params']`` records ``delay``.

    Raises
    ------
    InputError
        Missing columns, a negative delay, or no positive counts at times >= delay.

    Examples
    --------
    >>> import pandas as pd
    >>> tc = pd.DataFrame({"sample": "S", "drug": "D", "dose": 1.0, "time": [0.0, 24.0, 48.0],
    ...                    "cell_count": [100.0, 200.0, 400.0]})
    >>> float(dip_rates(tc)["dip_rate"].iloc[0]) * 24  # one doubling a day
    1.0
    """
    require_columns(table, ["sample", "drug", "dose", "time", "cell_count"], what="time-course table")
    if not (np.isfinite(delay) and delay >= 0):
        msg = f"delay must be a number of hours >= 0, got {delay!r}."
        raise InputError(msg)
    out = _ols(_log_counts(table, float(delay)))
    few = out["n_times"] < 2
    if few.any():
        warnings.warn(f"dip_rates: {int(few.sum())} sample x drug x dose group(s) have fewer than 2 times >= delay: "
                      "DIP rate NaN.", UserWarning, stacklevel=2)  # fmt: skip
    out.attrs["params"] = {"delay_h": float(delay), "fit": "OLS of log2(count) on time, wells pooled"}
    return out


def _relative_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """Treated rows with ``dip_ctrl`` (vehicle rate of the same sample and drug, else of the sample) and ``response``."""
    ctrl = rates.loc[(rates["dose"] == 0) & rates["dip_rate"].notna()]
    by_drug = ctrl.groupby(["sample", "drug"])["dip_rate"].mean()
    by_sample = ctrl.groupby("sample")["dip_rate"].mean()
    treated = rates.loc[rates["dose"] > 0].reset_index(drop=True)
    key = pd.MultiIndex.from_frame(treated[["sample", "drug"]])
    dc = by_drug.reindex(key).to_numpy(dtype=float)
    dc = np.where(np.isfinite(dc), dc, treated["sample"].map(by_sample).to_numpy(dtype=float))
    no_growth = ~(dc > 0)
    if no_growth.any():
        names = sorted(set(treated.loc[no_growth, "sample"]))
        warnings.warn(f"dip_curves: no growing vehicle wells (vehicle DIP rate missing or <= 0) for sample(s) "
                      f"{', '.join(names[:5])}: their curves are not fitted.", UserWarning, stacklevel=3)  # fmt: skip
    treated["dip_ctrl"] = dc
    treated["response"] = np.where(no_growth, np.nan, treated["dip_rate"].to_numpy() / np.where(no_growth, 1.0, dc))
    return treated


def dip_curves(rates: pd.DataFrame, *, model: str = "4p") -> pd.DataFrame:
    """DIP dose-response: relative DIP rate ``DIP(dose) / DIP(vehicle)`` fitted per sample x drug.

    Parameters
    ----------
    rates
        Output of :func:`dip_rates` (vehicle rows, dose 0, give the reference rate).
    model
        Hill model of :func:`oncoresist.tl.fit_curves` (``"4p"``, ``"3p"``, ``"2p"``).

    Returns
    -------
    DataFrame
        One row per sample x drug: ``sample, drug, status, n_doses, dip_ctrl`` (vehicle DIP
        rate, doublings per hour), ``dip_ec50_uM``, ``dip_ec50_status``, ``dip_emax``
        (fitted relative DIP rate at the highest dose; < 0 = net cell death), ``dip_einf``
        (lower plateau), ``dip_hill``, ``dip_auc`` (mean fitted relative rate over the tested
        log-dose range), ``r2``, ``flags``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> dose = np.logspace(-3, 1, 8)
    >>> rel = -0.2 + 1.2 / (1 + (dose / 0.1) ** 1.5)
    >>> rates = pd.DataFrame({"sample": "S", "drug": "D", "dose": np.r_[0.0, dose], "dip_rate": 0.03 * np.r_[1.0, rel]})
    >>> res = dip_curves(rates)
    >>> round(float(res["dip_ec50_uM"].iloc[0]), 3), round(float(res["dip_einf"].iloc[0]), 2)
    (0.1, -0.2)
    """
    require_columns(rates, ["sample", "drug", "dose", "dip_rate"], what="DIP-rate table")
    rel = _relative_rates(rates)
    if rel.empty:
        msg = "dip_curves: no treated (dose > 0) DIP rates to fit."
        raise InputError(msg)
    fit = fit_curves(rel[["sample", "drug", "dose", "response"]], model=model, response_scale="fraction",
                     bounds={"bottom": (-2.0, 1.5)})  # fmt: skip
    ctrl = rel.groupby(["sample", "drug"])["dip_ctrl"].first()
    out = fit[["sample", "drug", "status", "n_doses"]].copy()
    out["dip_ctrl"] = ctrl.reindex(pd.MultiIndex.from_frame(fit[["sample", "drug"]])).to_numpy(dtype=float)
    for new, old in (("dip_ec50_uM", "ec50_uM"), ("dip_ec50_status", "ec50_status"), ("dip_emax", "emax"),
                     ("dip_einf", "bottom"), ("dip_hill", "hill"), ("dip_auc", "auc"), ("r2", "r2"), ("flags", "flags")):  # fmt: skip
        out[new] = fit[old].to_numpy()
    out.attrs["params"] = {**fit.attrs.get("params", {}), "response": "DIP(dose) / DIP(vehicle)"}
    return out
