"""A small curated map of pathway / kinase / TF / cell-type states to resistance mechanisms, with citations."""

from __future__ import annotations

import pandas as pd

__all__ = ["STATE_MECHANISMS", "state_evidence"]

#: ``(names, direction, mechanism, drugs affected, citation)``; names are activity sources (PROGENy
#: pathways, kinases, TFs, ``tme`` cell types) compared case-insensitively; direction is the
#: state ("up" / "down" against the cohort) the mechanism needs.
STATE_MECHANISMS: tuple[tuple[tuple[str, ...], str, str, str, str], ...] = (
    (("MAPK", "MAPK1", "MAPK3", "BRAF", "MAP2K1", "ERK"), "up", "MAPK reactivation",
     "BRAF / MEK inhibitors", "Nazarian et al. 2010 Nature, PMID 21107323; Johannessen et al. 2010 Nature, PMID 21107320"),
    (("MET",), "up", "MET bypass signalling", "EGFR tyrosine kinase inhibitors", "Engelman et al. 2007 Science, PMID 17463250"),
    (("ERBB2",), "up", "ERBB2 (HER2) bypass signalling", "EGFR tyrosine kinase inhibitors",
     "Takezawa et al. 2012 Cancer Discov, PMID 22961667"),
    (("AXL",), "up", "AXL bypass signalling", "EGFR tyrosine kinase inhibitors", "Zhang et al. 2012 Nat Genet, PMID 22751098"),
    (("EGFR",), "up", "EGFR feedback activation", "BRAF inhibitors (colorectal cancer)", "Prahallad et al. 2012 Nature, PMID 22281684"),
    (("PI3K", "PIK3CA", "AKT1", "MTOR"), "up", "PI3K / AKT pathway activation", "HER2-targeted therapy (trastuzumab)",
     "Berns et al. 2007 Cancer Cell, PMID 17936563"),
    (("JAK-STAT", "JAK1", "JAK2", "STAT1", "IRF1"), "down", "loss of interferon / JAK-STAT signalling",
     "PD-1 / CTLA-4 immune checkpoint inhibitors", "Zaretsky et al. 2016 N Engl J Med, PMID 27433843; Gao et al. 2016 Cell, PMID 27667683"),
    (("EMT", "SNAI1", "SNAI2", "ZEB1", "TWIST1"), "up", "epithelial-mesenchymal transition",
     "EGFR and PI3K inhibitors", "Byers et al. 2013 Clin Cancer Res, PMID 23091115"),
    (("Hypoxia", "HIF1A", "EPAS1"), "up", "tumour hypoxia", "radiotherapy and chemotherapy", "Harris 2002 Nat Rev Cancer, PMID 11902584"),
    (("TGFb", "SMAD3", "SMAD4"), "up", "TGF-beta signalling (T-cell exclusion)", "PD-L1 blockade",
     "Mariathasan et al. 2018 Nature, PMID 29443960"),
    (("CD8 T cells", "T cells", "Cytotoxic lymphocytes"), "down", "immune-cold tumour (few cytotoxic T cells)",
     "PD-1 immune checkpoint inhibitors", "Tumeh et al. 2014 Nature, PMID 25428505"),
)


def state_evidence(name: str, direction: str) -> list[dict[str, str]]:
    """The curated mechanisms an activity source in a direction ("up" / "down") is evidence for.

    Parameters
    ----------
    name
        Activity source (pathway, kinase, TF or cell type).
    direction
        ``"up"`` or ``"down"`` (the sample against its cohort).

    Returns
    -------
    list of dict
        ``mechanism``, ``drugs``, ``citation`` per matching entry (empty when none).

    Examples
    --------
    >>> state_evidence("MAPK", "up")[0]["mechanism"]
    'MAPK reactivation'
    >>> state_evidence("MAPK", "down")
    []
    """
    key = str(name).casefold()
    return [{"mechanism": mech, "drugs": drugs, "citation": cite}
            for names, want, mech, drugs, cite in STATE_MECHANISMS
            if want == direction and key in {n.casefold() for n in names}]


def state_table() -> pd.DataFrame:
    """The curated map as a table (one row per source name)."""
    return pd.DataFrame([{"source": n, "direction": d, "mechanism": m, "drugs": g, "citation": c}
                         for names, d, m, g, c in STATE_MECHANISMS for n in names])
