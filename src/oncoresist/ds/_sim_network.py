"""Hand-curated functional structure of the simulator: pathway footprints, kinase sites, cell-type markers.

Every set was written by hand from the cited literature (one citation per set); none is copied
from a downloaded resource. The pathway footprints follow the PROGENy idea (Schubert et al. 2018
Nat Commun 9:20, doi:10.1038/s41467-017-02391-6: a pathway is read from the genes it changes, not
from its members); the signs say whether pathway activity raises (+1) or lowers (-1) the gene.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FUNCTIONAL_GENES_BY_CHROM", "KINASE_SITES", "PATHWAYS", "TME_MARKERS", "kinase_network", "pathway_network", "tme_markers"]

#: Pathway -> (citation, {target gene: sign}).
PATHWAYS: dict[str, tuple[str, dict[str, float]]] = {
    "MAPK": ("Pratilas et al. 2009 PNAS 106:4519, PMID 19251651 (MEK-dependent transcriptional output); Dry et al. 2010 Cancer Res, PMID 20215508",
             dict.fromkeys(("DUSP6", "DUSP4", "SPRY2", "SPRY4", "ETV4", "ETV5", "FOSL1", "EGR1", "PHLDA1", "CCND1", "IER3"), 1.0)),
    "EGFR": ("Schubert et al. 2018 Nat Commun 9:20, PMID 29295995 (EGFR footprint: ligands and immediate-early genes)",
             dict.fromkeys(("EREG", "AREG", "HBEGF", "TGFA", "DUSP6", "EGR1", "FOSL1", "PHLDA1", "IER3"), 1.0)),
    "PI3K": ("Webb & Brunet 2014 Trends Biochem Sci 39:159, PMID 24656806 (AKT inhibits FOXO: FOXO targets fall)",
             {**dict.fromkeys(("TXNIP", "PIK3IP1", "SESN1", "CDKN1B", "BCL6", "KLF15"), -1.0), "SLC2A1": 1.0, "CCND1": 1.0}),
    "JAK-STAT": ("Murray 2007 J Immunol 178:2623, PMID 17312103 (JAK-STAT signalling and its STAT target genes)",
                 dict.fromkeys(("SOCS3", "SOCS1", "BCL3", "JUNB", "IRF1", "CISH", "OSMR", "PIM1"), 1.0)),
    "TGFb": ("Massague 2012 Nat Rev Mol Cell Biol 13:616, PMID 22992590 (TGF-beta / SMAD target genes)",
             dict.fromkeys(("SERPINE1", "SMAD7", "SKIL", "JUNB", "TGFBI", "PMEPA1", "LTBP2", "FN1"), 1.0)),
    "NFkB": ("Pahl 1999 Oncogene 18:6853, PMID 10602461 (activators and target genes of NF-kB)",
             dict.fromkeys(("NFKBIA", "TNFAIP3", "CXCL8", "CXCL1", "NFKB2", "RELB", "ICAM1", "BIRC3"), 1.0)),
    "TNFa": ("Hayden & Ghosh 2014 Semin Immunol 26:253, PMID 24958609 (TNF signalling to NF-kB and its early genes)",
             dict.fromkeys(("TNFAIP3", "NFKBIA", "CXCL2", "CCL20", "TNFAIP2", "IER3", "ICAM1", "BIRC3"), 1.0)),
    "Hypoxia": ("Semenza 2003 Nat Rev Cancer 3:721, PMID 13130303 (HIF-1 target genes)",
                dict.fromkeys(("VEGFA", "CA9", "SLC2A1", "PGK1", "BNIP3", "ADM", "NDRG1", "LDHA", "ANKRD37", "EGLN3"), 1.0)),
    "p53": ("Fischer 2017 Oncogene 36:3943, PMID 28288132 (census of p53 target genes)",
            dict.fromkeys(("CDKN1A", "MDM2", "GDF15", "RRM2B", "SESN1", "TP53I3", "BBC3", "BAX", "FAS", "ZMAT3"), 1.0)),
    "EMT": ("Zeisberg & Neilson 2009 J Clin Invest 119:1429, PMID 19487818 (biomarkers of EMT)",
            {**dict.fromkeys(("VIM", "CDH2", "FN1", "SNAI2", "ZEB1", "TWIST1", "MMP2"), 1.0), "CDH1": -1.0, "EPCAM": -1.0}),
    "Interferon": ("Schneider et al. 2014 Annu Rev Immunol 32:513, PMID 24555472 (interferon-stimulated genes)",
                   dict.fromkeys(("ISG15", "IFIT1", "IFIT3", "MX1", "OAS1", "IFI6", "IFI44L", "STAT1", "IRF7", "RSAD2"), 1.0)),
}  # fmt: skip

#: Kinase -> (citation, phosphosites ``GENE_<residue><position>`` it phosphorylates).
KINASE_SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "MAPK1": ("Marais et al. 1993 Cell, PMID 8393135 (ELK1); Dalby et al. 1998 J Biol Chem, PMID 9430688 (RSK1); "
              "Sears et al. 2000 Genes Dev, PMID 11018017 (MYC S62); Dougherty et al. 2005 Mol Cell, PMID 15664191 (RAF1)",
              ("ELK1_S383", "ELK1_S389", "RPS6KA1_T359", "RPS6KA1_S363", "RPS6KA1_T573", "MYC_S62", "RAF1_S289", "RAF1_S296")),
    "MAPK3": ("Marais et al. 1993 Cell, PMID 8393135 (ELK1); Dalby et al. 1998 J Biol Chem, PMID 9430688 (RSK1)",
              ("ELK1_S383", "ELK1_S389", "RPS6KA1_T359", "RPS6KA1_S363", "RPS6KA1_T573", "MYC_S62")),
    "AKT1": ("Cross et al. 1995 Nature, PMID 8524413 (GSK3B S9); Kovacina et al. 2003 J Biol Chem, PMID 12524439 (PRAS40 T246); "
             "Brunet et al. 1999 Cell, PMID 10102273 (FOXO3); Inoki et al. 2002 Nat Cell Biol, PMID 12172553 (TSC2)",
             ("GSK3B_S9", "AKT1S1_T246", "FOXO3_T32", "FOXO3_S253", "FOXO3_S315", "TSC2_S939", "TSC2_T1462")),
    "MTOR": ("Burnett et al. 1998 PNAS, PMID 9465032 (S6K1 T389); Gingras et al. 1999 Genes Dev, PMID 10364159 (4E-BP1); "
             "Sarbassov et al. 2005 Science, PMID 15718470 (AKT1 S473)",
             ("RPS6KB1_T389", "EIF4EBP1_T37", "EIF4EBP1_T46", "EIF4EBP1_S65", "EIF4EBP1_T70", "AKT1_S473")),
    "CDK2": ("Zarkowska & Mittnacht 1997 J Biol Chem, PMID 9038185; Lundberg & Weinberg 1998 Mol Cell Biol, PMID 9418865 (RB1 sites)",
             ("RB1_S780", "RB1_S795", "RB1_S807", "RB1_S811", "RB1_T821", "RB1_T826")),
    "CDK1": ("Lundberg & Weinberg 1998 Mol Cell Biol, PMID 9418865; Zarkowska & Mittnacht 1997 J Biol Chem, PMID 9038185 (RB1 sites)",
             ("RB1_S795", "RB1_S807", "RB1_S811", "RB1_T821", "RB1_T826")),
}  # fmt: skip

#: Cell type -> (citation, marker genes); names follow :data:`oncoresist.tl.MCP_MARKERS`.
TME_MARKERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "T cells": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066 (MCP-counter); CD3E: the T-cell receptor complex",
                ("CD3E", "CD3D", "CD3G", "CD28", "CD5", "CD6")),
    "CD8 T cells": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066 (CD8B); CD8A: the CD8 co-receptor", ("CD8A", "CD8B")),
    "B lineage": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066", ("MS4A1", "CD19", "CD79A", "CD22", "BANK1", "PAX5")),
    "NK cells": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066; NCAM1 = CD56", ("NCAM1", "NCR1", "KIR2DL1", "SH2D1B", "CD160")),
    "Monocytic lineage": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066; CD14 / CD68: monocyte / macrophage antigens",
                          ("CD14", "CD68", "CSF1R", "FPR3", "TFEC")),
    "Fibroblasts": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066", ("COL1A1", "COL1A2", "COL3A1", "DCN", "LUM", "FAP")),
    "Endothelial cells": ("Becht et al. 2016 Genome Biol 17:218, PMID 27765066", ("PECAM1", "VWF", "CDH5", "KDR", "TIE1", "EMCN")),
}  # fmt: skip

#: The genes the functional structure adds to the universe (real HGNC symbols, real chromosomes).
FUNCTIONAL_GENES_BY_CHROM: dict[str, str] = {
    "1": "TXNIP SLC2A1 ISG15 IFI6 IFI44L RPS6KA1 SH2D1B CD160 TIE1",
    "2": "TGFA CCL20 TP53I3 STAT1 RSAD2 CD28 CD8B FAP",
    "3": "ETV5 KLF15 CISH SKIL ZMAT3 GSK3B",
    "4": "EREG AREG CXCL8 CXCL1 CXCL2 ANKRD37 BANK1 EMCN",
    "5": "SPRY4 EGR1 HBEGF IRF1 OSMR TGFBI CD14",
    "6": "IER3 SESN1 CDKN1A",
    "7": "SERPINE1 TFEC COL1A2",
    "8": "DUSP4 NDRG1 RRM2B EIF4EBP1",
    "9": "CA9",
    "10": "NFKB2 BNIP3 FAS IFIT1 IFIT3",
    "11": "FOSL1 ADM LDHA IRF7 BAD CD3D CD3G CD5 CD6 MS4A1 NCAM1",
    "12": "DUSP6 PHLDA1 CDKN1B OAS1 CDK2 DCN LUM VWF",
    "13": "SPRY2",
    "14": "LTBP2 NFKBIA TNFAIP2 EGLN3",
    "16": "MMP2 MAPK3 CD19 CDH5",
    "17": "ETV4 SOCS3 RPS6KB1 PECAM1",
    "18": "SMAD7",
    "19": "BCL3 JUNB RELB ICAM1 GDF15 BBC3 BAX AKT1S1 CD22 NCR1 KIR2DL1 FPR3",
    "20": "PMEPA1",
    "21": "MX1",
    "22": "PIK3IP1 MAPK1",
    "X": "PGK1 ELK1",
}


def pathway_network() -> pd.DataFrame:
    """The simulator's pathway -> target-gene network (decoupler-style, PROGENy-like).

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` (pathway), ``target`` (gene symbol), ``weight`` (+1 / -1) and
        ``citation``; ``attrs['resource'] = 'simpathways'``.

    Examples
    --------
    >>> from oncoresist.ds import pathway_network
    >>> net = pathway_network()
    >>> net.loc[(net["source"] == "MAPK") & (net["target"] == "DUSP6"), "weight"].tolist()
    [1.0]
    """
    rows = [(p, g, w, cite) for p, (cite, targets) in PATHWAYS.items() for g, w in targets.items()]
    net = pd.DataFrame(rows, columns=["source", "target", "weight", "citation"])
    net.attrs["resource"] = "simpathways"
    return net


def kinase_network() -> pd.DataFrame:
    """The simulator's kinase -> substrate-site network (targets ``GENE_S123``, weight 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` (kinase), ``target`` (site ID), ``weight``, ``citation``;
        ``attrs['resource'] = 'simkinases'``.

    Examples
    --------
    >>> from oncoresist.ds import kinase_network
    >>> net = kinase_network()
    >>> sorted(net.loc[net["target"] == "GSK3B_S9", "source"])
    ['AKT1']
    """
    rows = [(k, site, 1.0, cite) for k, (cite, sites) in KINASE_SITES.items() for site in sites]
    net = pd.DataFrame(rows, columns=["source", "target", "weight", "citation"])
    net.attrs["resource"] = "simkinases"
    return net


def tme_markers() -> dict[str, tuple[str, ...]]:
    """Cell type -> marker genes planted by the simulator (names as in :data:`oncoresist.tl.MCP_MARKERS`).

    Returns
    -------
    dict
        Seven cell types (T cells, CD8 T cells, B lineage, NK cells, Monocytic lineage,
        Fibroblasts, Endothelial cells) and their marker symbols; citations in :data:`TME_MARKERS`.

    Examples
    --------
    >>> from oncoresist.ds import tme_markers
    >>> "CD8A" in tme_markers()["CD8 T cells"]
    True
    """
    return {cell: markers for cell, (_, markers) in TME_MARKERS.items()}


def functional_genes() -> list[str]:
    """Every gene of the functional structure (targets, kinase substrates, markers), in chromosome order."""
    return [g for genes in FUNCTIONAL_GENES_BY_CHROM.values() for g in genes.split()]


def network_genes() -> set[str]:
    """Every gene symbol the functional structure names (targets, kinases, substrates, markers, bypass receptors)."""
    genes = {g for _, targets in PATHWAYS.values() for g in targets}
    genes |= set(KINASE_SITES) | {site.split("_")[0] for _, sites in KINASE_SITES.values() for site in sites}
    genes |= {g for _, markers in TME_MARKERS.values() for g in markers}
    return genes | {"AXL", "MET"}
