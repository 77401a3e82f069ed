"""The simulated drug panel: name, class, targets, P-gp substrate flag, tested dose range.

The panel mixes drugs with a planted biomarker (EGFR inhibitors, capmatinib, P-gp substrates,
temozolomide, olaparib, platinum salts, anti-EGFR antibodies), drugs whose response follows the
latent factors only (``role='factor'``: 5-fluorouracil, gemcitabine) and negative controls with
neither (``role='negative_control'``: vorinostat, bortezomib, navitoclax).

``base_log10_ic50`` is the typical log10 IC50 (in uM) of a sample without any planted
alteration; ``hill`` and ``bottom`` are the typical Hill slope and lower plateau of viability.
``pgp_substrate`` marks the drugs in which the simulation plants ABCB1 (P-glycoprotein)
efflux resistance; they are well-documented P-gp substrates (Gottesman et al. 2002, Nat Rev
Cancer, PMID 11902585; olaparib: Rottenberg et al. 2008, PNAS, PMID 18971340). Drugs marked
``False`` may still be weak substrates in reality; the simulation treats them as non-substrates.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["drug_panel"]

_COLUMNS = [
    "drug", "drug_class", "targets", "pgp_substrate", "dose_min_uM", "dose_max_uM", "n_doses",
    "base_log10_ic50", "hill", "bottom", "role",
]  # fmt: skip

_PANEL: list[tuple] = [
    ("gefitinib", "EGFR TKI (1st generation)", "EGFR", False, 0.001, 10.0, 9, 0.7, 1.2, 0.10, "biomarker"),
    ("erlotinib", "EGFR TKI (1st generation)", "EGFR", False, 0.001, 10.0, 9, 0.8, 1.2, 0.10, "biomarker"),
    ("afatinib", "EGFR TKI (2nd generation, irreversible)", "EGFR;ERBB2;ERBB4", False, 0.0003, 3.0, 9, 0.3, 1.2, 0.08, "biomarker"),
    ("osimertinib", "EGFR TKI (3rd generation, T790M-active)", "EGFR", False, 0.001, 10.0, 9, 0.5, 1.3, 0.08, "biomarker"),
    ("capmatinib", "MET TKI", "MET", False, 0.0001, 1.0, 9, 0.2, 1.1, 0.15, "biomarker"),
    ("paclitaxel", "taxane (microtubule stabiliser)", "TUBB", True, 0.0001, 1.0, 9, -2.3, 1.5, 0.25, "biomarker"),
    ("doxorubicin", "anthracycline (TOP2 poison)", "TOP2A", True, 0.001, 10.0, 9, -1.0, 1.1, 0.05, "biomarker"),
    ("temozolomide", "alkylating agent (O6-methylguanine)", "DNA", False, 1.0, 1000.0, 9, 2.5, 1.0, 0.25, "biomarker"),
    ("olaparib", "PARP inhibitor", "PARP1;PARP2", True, 0.01, 100.0, 9, 1.0, 1.0, 0.10, "biomarker"),
    ("cisplatin", "platinum (DNA crosslinker)", "DNA", False, 0.01, 100.0, 9, 0.8, 1.2, 0.05, "biomarker"),
    ("carboplatin", "platinum (DNA crosslinker)", "DNA", False, 0.1, 1000.0, 9, 1.8, 1.2, 0.05, "biomarker"),
    ("cetuximab", "anti-EGFR monoclonal antibody", "EGFR", False, 0.0001, 1.0, 8, 1.5, 1.0, 0.85, "biomarker"),
    ("panitumumab", "anti-EGFR monoclonal antibody", "EGFR", False, 0.0001, 1.0, 8, 1.5, 1.0, 0.85, "biomarker"),
    ("fluorouracil", "antimetabolite (thymidylate synthase)", "TYMS", False, 0.01, 100.0, 9, 0.7, 1.0, 0.10, "factor"),
    ("gemcitabine", "antimetabolite (nucleoside analogue)", "RRM1", False, 0.0001, 1.0, 9, -2.0, 1.3, 0.10, "factor"),
    ("vorinostat", "HDAC inhibitor", "HDAC1;HDAC2;HDAC3;HDAC6", False, 0.01, 100.0, 9, 0.3, 1.5, 0.05, "negative_control"),
    ("bortezomib", "proteasome inhibitor", "PSMB5", False, 0.0001, 1.0, 9, -1.8, 2.0, 0.03, "negative_control"),
    ("navitoclax", "BH3 mimetic (BCL2/BCL-xL)", "BCL2;BCL2L1", False, 0.001, 10.0, 9, 0.4, 1.0, 0.20, "negative_control"),
]  # fmt: skip


def drug_panel() -> pd.DataFrame:
    """The simulated drug panel (one row per drug).

    Returns
    -------
    pandas.DataFrame
        Indexed by drug name with columns ``drug_class``, ``targets`` (``;``-separated gene
        symbols), ``pgp_substrate`` (bool), ``dose_min_uM``, ``dose_max_uM``, ``n_doses``
        (8 or 9 log-spaced doses), ``base_log10_ic50``, ``hill``, ``bottom`` and ``role``
        (``biomarker`` | ``factor`` | ``negative_control``).

    Examples
    --------
    >>> from oncoresist.ds import drug_panel
    >>> panel = drug_panel()
    >>> bool(panel.loc["paclitaxel", "pgp_substrate"])
    True
    >>> float(panel.loc["gefitinib", "dose_min_uM"]), float(panel.loc["gefitinib", "dose_max_uM"])
    (0.001, 10.0)
    """
    df = pd.DataFrame(_PANEL, columns=_COLUMNS).set_index("drug")
    df.index.name = None
    return df
