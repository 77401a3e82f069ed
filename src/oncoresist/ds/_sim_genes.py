"""Gene universe of the simulated cohort: real HGNC symbols, chromosomes and a coordinate layout.

The planted biomarker genes carry their GRCh38 coordinates (Ensembl release 100-era, rounded to
the gene's span); every other listed gene sits on its real chromosome at a synthetic, evenly
spaced position (the simulator needs gene order and segment overlap, not exact loci). Symbols
beyond the listed ones are padded as ``GENE0001``, ``GENE0002``, ... on chromosomes drawn in
proportion to chromosome length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._sim_network import FUNCTIONAL_GENES_BY_CHROM, functional_genes, network_genes

#: GRCh38 chromosome lengths (bp), chr1..22 and X.
CHROM_LENGTHS: dict[str, int] = {
    "1": 248_956_422, "2": 242_193_529, "3": 198_295_559, "4": 190_214_555, "5": 181_538_259,
    "6": 170_805_979, "7": 159_345_973, "8": 145_138_636, "9": 138_394_717, "10": 133_797_422,
    "11": 135_086_622, "12": 133_275_309, "13": 114_364_328, "14": 107_043_718, "15": 101_991_189,
    "16": 90_338_345, "17": 83_257_441, "18": 80_373_285, "19": 58_617_616, "20": 64_444_167,
    "21": 46_709_983, "22": 50_818_468, "X": 156_040_895,
}  # fmt: skip

#: Real GRCh38 spans (chrom, start, end, strand) of the genes the simulation plants biology in.
PLANTED_COORDS: dict[str, tuple[str, int, int, str]] = {
    "EGFR": ("7", 55_019_021, 55_211_628, "+"),
    "MET": ("7", 116_672_390, 116_798_386, "+"),
    "ABCB1": ("7", 87_503_633, 87_713_323, "-"),
    "KRAS": ("12", 25_204_789, 25_250_936, "-"),
    "MGMT": ("10", 129_467_184, 129_768_007, "+"),
    "BRCA1": ("17", 43_044_295, 43_170_245, "-"),
    "BRCA2": ("13", 32_315_474, 32_400_266, "+"),
    "ERCC1": ("19", 45_407_333, 45_478_828, "-"),
    "TP53": ("17", 7_661_779, 7_687_550, "-"),
    "CDKN2A": ("9", 21_967_753, 21_995_301, "-"),
    "ERBB2": ("17", 39_687_914, 39_728_662, "+"),
    "PIK3CA": ("3", 179_148_114, 179_240_093, "+"),
}

# Cancer-relevant genes (cancer gene census-like drivers, drug targets / transporters, tissue
# markers, proliferation / EMT / immune / housekeeping genes) by chromosome.
_GENES_BY_CHROM: dict[str, str] = {
    "1": "MTOR ARID1A NRAS JUN MCL1 NOTCH2 DDR2 ABL2 MDM4 SDHB SDHC CSF3R MPL RIT1 PTPN22 LCK "
    "JAK1 AKT3 SPEN CDC73 PARP1 FH NTRK1 TPR BCL9 PTPRC",
    "2": "MYCN ALK MSH2 MSH6 EPCAM DNMT3A IDH1 ERBB4 SF3B1 CASP8 NFE2L2 BARD1 XPO1 REL BCL11A "
    "SOS1 SFTPB VIL1 PAX8 FN1 COL3A1 CD8A UGT1A1",
    "3": "VHL MLH1 CTNNB1 PIK3CA SOX2 BAP1 PBRM1 SETD2 FOXP1 MITF RHOA GATA2 EPHA3 ATR RAF1 "
    "TBL1XR1 BCL6 CBLB FANCD2 MECOM TGFBR2 MCM2",
    "4": "FGFR3 PDGFRA KIT KDR TET2 FBXW7 LEF1 PHOX2B FIP1L1 NSD2 SLC34A2 AFF1 ABCG2",
    "5": "APC TERT NPM1 PIK3R1 FGFR4 CSF1R PDGFRB RICTOR IL7R MAP3K1 NSD1 RAD50 EBF1 CCNB1 SPARC",
    "6": "CCND3 PIM1 ROS1 ESR1 ARID1B PRDM1 TNFAIP3 MYB FOXO3 DAXX HLA-A HLA-B EPHA7 PTPRK "
    "VEGFA RUNX2 E2F3 TFEB TUBB",
    "7": "EGFR MET BRAF ABCB1 CDK6 EZH2 CUX1 SMO KMT2C POT1 HOXA9 IKZF1 CARD11 PMS2 RAC1 ETV1 "
    "TRRAP PTPRZ1 ACTB TWIST1 CYP3A4",
    "8": "MYC FGFR1 NBN WRN RAD21 PCM1 NRG1 UBR5 RECQL4 EXT1 PLAG1 NCOA2 KAT6A CHD7 YWHAZ "
    "PREX2 SFTPC CDH17 SNAI2",
    "9": "CDKN2A CDKN2B JAK2 PTCH1 NOTCH1 TSC1 ABL1 SMARCA2 FANCC GNAQ PAX5 XPA SET NUP214 CD274 "
    "PDCD1LG2",
    "10": "PTEN MGMT RET FGFR2 GATA3 NCOA4 KIF5B SUFU CCDC6 BMPR1A TCF7L2 MLLT10 MKI67 CDK1 VIM "
    "ZEB1",
    "11": "ATM WT1 CCND1 HRAS MEN1 KMT2A CBL SDHD FLI1 LMO2 NUP98 BIRC3 FANCF MAML2 PGR CD3E "
    "GSTP1 RRM1",
    "12": "KRAS CDK4 MDM2 KMT2D ERBB3 ARID2 PTPN11 ETV6 CCND2 HMGA2 SH2B3 CHD4 BTG1 HNF1A POLE "
    "KRT5 KRT7 GAPDH RPLP0 CD68",
    "13": "BRCA2 RB1 FLT3 CDX2 FLT1 ERCC5 CDK8 FOXO1 KLF5",
    "14": "AKT1 NKX2-1 MAX FOXA1 TSHR HIF1A GPHN TRIP11 TCL1A DICER1 BCL11B DCK",
    "15": "IDH2 B2M MAP2K1 NTRK3 BLM CRTC3 FANCI RAD51 PML TCF12 MGA",
    "16": "CDH1 TSC2 CREBBP PALB2 CBFB CYLD AXIN1 FANCA MAF CTCF ZFHX3 CIITA ERCC4 PLCG2 "
    "SOCS1 MSLN ABCC1 NQO1",
    "17": "TP53 BRCA1 NF1 ERBB2 STAT3 CDK12 RNF43 SRSF2 MAP2K4 PPM1D TOP2A AXIN2 BRIP1 RAD51C "
    "RARA CLTC COL1A1 SUZ12 GRB7 IKZF3 SPOP NCOR1 FLCN KRT20 GFAP SLFN11",
    "18": "SMAD4 SMAD2 BCL2 DCC SETBP1 SS18 MALT1 ZNF521 CDH2 TYMS",
    "19": "STK11 KEAP1 SMARCA4 JAK3 CIC ERCC1 ERCC2 AKT2 CCNE1 NOTCH3 BRD4 MAP2K2 GNA11 AXL "
    "CD79A PPP2R1A U2AF2 PIK3R2 MEF2B NAPSA LGALS4 MUC16",
    "20": "AURKA GNAS ASXL1 SRC ZNF217 TOP1 MAFB NCOA3 BCL2L1 PTPRT PCNA",
    "21": "RUNX1 ERG U2AF1 OLIG2 TMPRSS2 TFF1",
    "22": "NF2 SMARCB1 EP300 CHEK2 MN1 EWSR1 BCR CRKL PDGFB SOX10",
    "X": "AR ATRX KDM6A STAG2 BCOR MED12 AMER1 KDM5C PHF6 BTK GATA1 ZRSR2 RBM10 DDX3X",
}

#: Genes with planted biology (mechanisms), always part of the universe.
PLANTED_GENES = ("EGFR", "KRAS", "MET", "ABCB1", "MGMT", "BRCA1", "BRCA2", "ERCC1")

#: Tissue marker genes: strongly higher expression in their tissue (log2 fold change).
TISSUE_MARKERS: dict[str, dict[str, float]] = {
    "lung": {"NKX2-1": 4.0, "SFTPC": 5.0, "SFTPB": 4.0, "NAPSA": 4.0, "SLC34A2": 3.0, "KRT7": 2.0},
    "colorectal": {"CDX2": 5.0, "CDH17": 4.5, "VIL1": 4.0, "LGALS4": 3.5, "KRT20": 4.0, "TFF1": 2.0},
    "breast": {"ESR1": 4.0, "GATA3": 4.0, "PGR": 3.0, "FOXA1": 3.0, "KRT5": 2.5, "KRT7": 2.0},
    "glioma": {"GFAP": 5.0, "OLIG2": 5.0, "SOX2": 4.0, "PTPRZ1": 4.0, "SOX10": 3.0, "VIM": 1.5},
    "ovarian": {"PAX8": 5.0, "WT1": 4.0, "MUC16": 4.5, "MSLN": 3.5, "KRT7": 2.0},
}


def listed_genes(*, functional: bool = False) -> list[str]:
    """All real symbols of the universe, planted genes first, then by chromosome.

    With ``functional``, the genes of the functional structure (:func:`functional_prefix`) come
    right after the planted genes.
    """
    out = functional_prefix() if functional else list(PLANTED_GENES)
    seen = set(out)
    for chrom in CHROM_LENGTHS:
        for g in _GENES_BY_CHROM.get(chrom, "").split():
            if g not in seen:
                seen.add(g)
                out.append(g)
    return out


def functional_prefix() -> list[str]:
    """Planted genes, the added functional genes, then the listed genes the functional structure names."""
    out = list(PLANTED_GENES) + functional_genes()
    used = network_genes()
    listed = [g for c in CHROM_LENGTHS for g in _GENES_BY_CHROM.get(c, "").split()]
    return out + [g for g in dict.fromkeys(listed) if g in used and g not in out]


def gene_table(n_genes: int, *, functional: bool = False) -> pd.DataFrame:
    """Gene universe of ``n_genes`` genes with coordinates (a BED-like table).

    The table does not depend on any seed: the same ``n_genes`` always gives the same genes and
    coordinates, so cohorts simulated with different seeds share one genome.

    Parameters
    ----------
    n_genes
        Number of genes; the real symbols come first (planted genes always included), then
        ``GENE0001``... padding.
    functional
        Also include the genes of the functional structure (:mod:`._sim_network`: pathway
        targets, kinase substrates, cell-type markers) right after the planted genes.

    Returns
    -------
    pandas.DataFrame
        Indexed by symbol with columns ``chrom, start, end, strand, synthetic`` (sorted by
        chromosome and start).
    """
    chrom_of = {g: c for table in (_GENES_BY_CHROM, FUNCTIONAL_GENES_BY_CHROM) for c, genes in table.items() for g in genes.split()}
    real = listed_genes(functional=functional)[:n_genes]
    rng = np.random.default_rng(20240917)  # fixed: the genome is not part of the cohort's randomness
    chroms = list(CHROM_LENGTHS)
    lengths = np.array([CHROM_LENGTHS[c] for c in chroms], dtype=float)
    n_pad = max(0, n_genes - len(real))
    pad_names = [f"GENE{i + 1:04d}" for i in range(n_pad)]
    pad_chroms: Any = rng.choice(chroms, size=n_pad, p=lengths / lengths.sum()) if n_pad else []
    members: dict[str, list[str]] = {c: [] for c in chroms}
    for g in real:
        if g not in PLANTED_COORDS:
            members[chrom_of[g]].append(g)
    for g, c in zip(pad_names, pad_chroms):
        members[str(c)].append(g)
    rows = []
    for g in real:
        if g in PLANTED_COORDS:
            c, s, e, strand = PLANTED_COORDS[g]
            rows.append((g, c, s, e, strand, False))
    for c in chroms:
        genes = members[c]
        if not genes:
            continue
        # evenly spaced slots, skipping any slot that would overlap a planted gene
        slots = np.linspace(2e6, CHROM_LENGTHS[c] - 2e6, num=len(genes) + 1)[:-1]
        taken = [(s, e) for (pc, s, e, _) in (PLANTED_COORDS[p] for p in real if p in PLANTED_COORDS) if pc == c]
        widths = rng.integers(10_000, 150_000, size=len(genes))
        strands = rng.choice(["+", "-"], size=len(genes))
        for g, s0, w, strand in zip(genes, slots, widths, strands):
            s = int(s0)
            for ts, te in taken:
                if s <= te + 600_000 and s + w >= ts - 600_000:
                    s = int(te + 700_000)
            rows.append((g, c, s, s + int(w), str(strand), g.startswith("GENE")))
    tab = pd.DataFrame(rows, columns=["gene", "chrom", "start", "end", "strand", "synthetic"])
    order = {c: i for i, c in enumerate(chroms)}
    tab["_o"] = tab["chrom"].map(order)
    tab = tab.sort_values(["_o", "start"]).drop(columns="_o").set_index("gene")
    tab.index.name = None
    return tab
