"""Planted biology of the simulator: tissues, alteration frequencies, drivers and mechanisms.

Everything here is a constant table; the random draws live in :mod:`._simulate`.
Citations (PubMed IDs) of the published mechanisms are in :data:`MECHANISMS`.
"""

from __future__ import annotations

import pandas as pd

#: Default tissue mix of a cohort (fractions sum to 1).
DEFAULT_TISSUES: dict[str, float] = {
    "lung": 0.35,
    "colorectal": 0.20,
    "breast": 0.15,
    "glioma": 0.15,
    "ovarian": 0.15,
}

#: Mechanism flags (bool columns of ``mdata.obs``), in a fixed order.
FLAGS = (
    "egfr_activating",
    "egfr_t790m",
    "met_amp",
    "abcb1_high",
    "mgmt_methylated",
    "brca_loss",
    "ercc1_high",
    "kras_mut",
)

#: Prior probability of each primary mechanism flag per tissue. T790M and MET amplification are
#: conditional on an EGFR-activating mutation (see ``T790M_GIVEN_EGFR``, ``MET_AMP_GIVEN_EGFR``);
#: KRAS mutations are drawn only in EGFR-wild-type samples (mutual exclusivity in lung).
#: Frequencies are enriched relative to unselected clinical series (an EGFR-mutant-rich lung
#: cohort as in East-Asian series) so that a 150-sample cohort carries every mechanism.
FLAG_FREQ: dict[str, dict[str, float]] = {
    "lung": {"egfr_activating": 0.40, "kras_mut": 0.30, "abcb1_high": 0.08, "mgmt_methylated": 0.05, "brca_loss": 0.03, "ercc1_high": 0.25},
    "colorectal": {"egfr_activating": 0.01, "kras_mut": 0.42, "abcb1_high": 0.20, "mgmt_methylated": 0.10, "brca_loss": 0.02, "ercc1_high": 0.20},
    "breast": {"egfr_activating": 0.01, "kras_mut": 0.03, "abcb1_high": 0.10, "mgmt_methylated": 0.03, "brca_loss": 0.15, "ercc1_high": 0.15},
    "glioma": {"egfr_activating": 0.0, "kras_mut": 0.01, "abcb1_high": 0.05, "mgmt_methylated": 0.45, "brca_loss": 0.01, "ercc1_high": 0.15},
    "ovarian": {"egfr_activating": 0.01, "kras_mut": 0.08, "abcb1_high": 0.10, "mgmt_methylated": 0.03, "brca_loss": 0.25, "ercc1_high": 0.20},
}  # fmt: skip
#: Generic frequencies for a tissue name not in :data:`FLAG_FREQ`.
OTHER_TISSUE_FREQ = {"egfr_activating": 0.02, "kras_mut": 0.10, "abcb1_high": 0.10, "mgmt_methylated": 0.05, "brca_loss": 0.03, "ercc1_high": 0.2}  # fmt: skip
T790M_GIVEN_EGFR = 0.30
MET_AMP_GIVEN_EGFR = 0.22
MET_AMP_DE_NOVO = 0.015

#: Hotspot alleles: (protein_change, HGVSp long, HGVSc, GRCh38 start, end, ref, alt, class, type).
EGFR_ACTIVATING = {
    "p.L858R": ("p.Leu858Arg", "c.2573T>G", 55_191_822, 55_191_822, "T", "G", "Missense_Mutation", "SNP"),
    "p.E746_A750del": ("p.Glu746_Ala750del", "c.2235_2249del", 55_174_772, 55_174_786, "GGAATTAAGAGAAGC", "-", "In_Frame_Del", "DEL"),
}  # fmt: skip
EGFR_ACTIVATING_P = {"p.L858R": 0.45, "p.E746_A750del": 0.55}
EGFR_T790M = ("p.T790M", "p.Thr790Met", "c.2369C>T", 55_181_378, 55_181_378, "C", "T", "Missense_Mutation", "SNP")  # fmt: skip
# KRAS is on the minus strand: genomic ref/alt are the reverse complement of the coding change.
KRAS_ALLELES = {
    "p.G12D": ("p.Gly12Asp", "c.35G>A", 25_245_350, 25_245_350, "C", "T", "Missense_Mutation", "SNP"),
    "p.G12V": ("p.Gly12Val", "c.35G>T", 25_245_350, 25_245_350, "C", "A", "Missense_Mutation", "SNP"),
    "p.G12C": ("p.Gly12Cys", "c.34G>T", 25_245_351, 25_245_351, "C", "A", "Missense_Mutation", "SNP"),
    "p.G13D": ("p.Gly13Asp", "c.38G>A", 25_245_347, 25_245_347, "C", "T", "Missense_Mutation", "SNP"),
}  # fmt: skip
KRAS_ALLELE_P = {
    "lung": {"p.G12C": 0.45, "p.G12V": 0.22, "p.G12D": 0.18, "p.G13D": 0.15},
    "default": {"p.G12D": 0.38, "p.G12V": 0.27, "p.G13D": 0.20, "p.G12C": 0.15},
}
#: BRCA1/2 truncating alleles (founder / recurrent): gene -> {short: (long, hgvsc, class, type)}.
BRCA_TRUNCATING = {
    "BRCA1": {
        "p.Q1756fs": ("p.Gln1756ProfsTer74", "c.5266dupC", "Frame_Shift_Ins", "INS"),
        "p.E23fs": ("p.Glu23ValfsTer17", "c.68_69delAG", "Frame_Shift_Del", "DEL"),
        "p.R1443*": ("p.Arg1443Ter", "c.4327C>T", "Nonsense_Mutation", "SNP"),
    },
    "BRCA2": {
        "p.S1982fs": ("p.Ser1982ArgfsTer22", "c.5946delT", "Frame_Shift_Del", "DEL"),
        "p.R3128*": ("p.Arg3128Ter", "c.9382C>T", "Nonsense_Mutation", "SNP"),
        "p.N1784fs": ("p.Asn1784ThrfsTer7", "c.5350_5351delAA", "Frame_Shift_Del", "DEL"),
    },
}
#: Fraction of BRCA loss caused by a homozygous (deep) deletion rather than a truncating mutation.
BRCA_DEEP_DELETION = 0.25

#: Non-mechanism drivers: gene -> (per-tissue frequency, hotspot short changes or "truncating").
#: They make the mutation layer realistic but carry no planted drug effect.
DRIVERS: dict[str, tuple[dict[str, float], tuple[str, ...]]] = {
    "TP53": ({"lung": 0.50, "colorectal": 0.55, "breast": 0.35, "glioma": 0.30, "ovarian": 0.90, "_": 0.4},
             ("p.R175H", "p.R248Q", "p.R273H", "p.R282W", "p.Y220C", "p.G245S", "truncating")),
    "PIK3CA": ({"breast": 0.35, "colorectal": 0.15, "lung": 0.04, "ovarian": 0.05, "glioma": 0.05, "_": 0.05},
               ("p.H1047R", "p.E545K", "p.E542K")),
    "APC": ({"colorectal": 0.75, "_": 0.02}, ("truncating",)),
    "PTEN": ({"glioma": 0.30, "breast": 0.05, "ovarian": 0.03, "_": 0.02}, ("p.R130Q", "p.R130G", "truncating")),
    "IDH1": ({"glioma": 0.25, "_": 0.0}, ("p.R132H", "p.R132C")),
    "STK11": ({"lung": 0.15, "_": 0.01}, ("truncating",)),
    "KEAP1": ({"lung": 0.15, "_": 0.01}, ("p.G333C", "p.R470C", "truncating")),
    "SMAD4": ({"colorectal": 0.12, "_": 0.01}, ("p.R361H", "truncating")),
    "NF1": ({"glioma": 0.12, "lung": 0.06, "_": 0.02}, ("truncating",)),
    "ARID1A": ({"ovarian": 0.08, "colorectal": 0.08, "_": 0.03}, ("truncating",)),
    "GATA3": ({"breast": 0.12, "_": 0.0}, ("truncating",)),
    "ATRX": ({"glioma": 0.20, "_": 0.01}, ("truncating",)),
}  # fmt: skip

#: Focal copy-number drivers: gene -> (per-tissue frequency, log2 ratio range).
FOCAL_CNV: dict[str, tuple[dict[str, float], tuple[float, float]]] = {
    "CDKN2A": ({"glioma": 0.50, "lung": 0.20, "_": 0.05}, (-2.5, -1.4)),
    "ERBB2": ({"breast": 0.15, "colorectal": 0.03, "_": 0.01}, (1.5, 3.0)),
    "MYC": ({"breast": 0.12, "ovarian": 0.15, "colorectal": 0.08, "lung": 0.08, "_": 0.03}, (1.0, 2.2)),
    "CCNE1": ({"ovarian": 0.18, "_": 0.02}, (1.0, 2.5)),
}

#: Mechanism strength (log2 expression / M-value shifts) used by the omics layers.
MECH_OMICS = {
    "abcb1_rna_log2fc": 3.0,  # on top of the promoter-demethylation coupling
    "abcb1_promoter_m_high": 1.8,  # ABCB1 promoter M-value in most tumours (methylated)
    "abcb1_promoter_m_low": -2.8,  # ... and in ABCB1-high tumours (hypomethylated)
    "mgmt_promoter_m_low": -3.2,  # MGMT promoter unmethylated (beta ~ 0.1)
    "mgmt_promoter_m_high": 1.6,  # MGMT promoter methylated (beta ~ 0.75)
    "mgmt_rna_log2fc": -1.5,  # on top of the methylation coupling
    "ercc1_rna_log2fc": 2.0,
    "met_rna_log2fc": 1.0,  # on top of the copy-number dosage effect
    "met_amp_log2": (1.6, 3.0),
    "brca_deep_del_log2": (-2.5, -1.4),
}

# Mechanism table: the answer key. delta_log10_ic50 and delta_bottom are applied (times
# effect_size) to carriers of `flag` restricted to `context` ("any", a tissue, or
# "EGFR-activating" = samples with an EGFR-activating mutation: T790M and MET amplification act
# as resistance of EGFR-dependent tumours). Effects add up: an EGFR-mutant, MET-amplified sample
# gets -2.0 + 1.5 on gefitinib.
_MECH_COLUMNS = [
    "mechanism", "flag", "gene", "alteration", "layer", "drug", "direction",
    "delta_log10_ic50", "delta_bottom", "context", "expected_effect", "pmid",
]  # fmt: skip
_MECH_ROWS: list[tuple] = [
    ("EGFR activating mutation", "egfr_activating", "EGFR", "L858R / exon 19 deletion", "mut", "gefitinib", "sensitivity", -2.0, 0.0, "any", "", "15118073;15118125"),
    ("EGFR activating mutation", "egfr_activating", "EGFR", "L858R / exon 19 deletion", "mut", "erlotinib", "sensitivity", -2.0, 0.0, "any", "", "15118073;15118125"),
    ("EGFR activating mutation", "egfr_activating", "EGFR", "L858R / exon 19 deletion", "mut", "afatinib", "sensitivity", -1.8, 0.0, "any", "", "18408761"),
    ("EGFR activating mutation", "egfr_activating", "EGFR", "L858R / exon 19 deletion", "mut", "osimertinib", "sensitivity", -1.8, 0.0, "any", "", "24893891"),
    ("EGFR T790M gatekeeper", "egfr_t790m", "EGFR", "T790M", "mut", "gefitinib", "resistance", 2.5, 0.0, "EGFR-activating", "", "15728811;15737014"),
    ("EGFR T790M gatekeeper", "egfr_t790m", "EGFR", "T790M", "mut", "erlotinib", "resistance", 2.5, 0.0, "EGFR-activating", "", "15728811;15737014"),
    ("EGFR T790M gatekeeper", "egfr_t790m", "EGFR", "T790M", "mut", "afatinib", "resistance", 1.2, 0.0, "EGFR-activating", "", "18408761"),
    ("MET amplification", "met_amp", "MET", "amplification", "cnv", "gefitinib", "resistance", 1.5, 0.0, "EGFR-activating", "", "17463250"),
    ("MET amplification", "met_amp", "MET", "amplification", "cnv", "erlotinib", "resistance", 1.5, 0.0, "EGFR-activating", "", "17463250"),
    ("MET amplification", "met_amp", "MET", "amplification", "cnv", "afatinib", "resistance", 1.5, 0.0, "EGFR-activating", "", "17463250"),
    ("MET amplification", "met_amp", "MET", "amplification", "cnv", "osimertinib", "resistance", 1.5, 0.0, "EGFR-activating", "", "17463250"),
    ("MET amplification", "met_amp", "MET", "amplification", "cnv", "capmatinib", "sensitivity", -0.8, 0.0, "any", "", "32877583"),
    ("ABCB1 (P-gp) over-expression", "abcb1_high", "ABCB1", "over-expression / promoter hypomethylation", "rna", "paclitaxel", "resistance", 1.5, 0.0, "any", "", "11902585"),
    ("ABCB1 (P-gp) over-expression", "abcb1_high", "ABCB1", "over-expression / promoter hypomethylation", "rna", "doxorubicin", "resistance", 1.2, 0.0, "any", "", "11902585"),
    ("ABCB1 (P-gp) over-expression", "abcb1_high", "ABCB1", "over-expression / promoter hypomethylation", "rna", "olaparib", "resistance", 0.5, 0.0, "any", "", "18971340"),
    ("MGMT promoter methylation", "mgmt_methylated", "MGMT", "promoter methylation", "meth", "temozolomide", "sensitivity", -1.2, -0.1, "any", "", "15758010;11070098"),
    ("BRCA1/2 loss", "brca_loss", "BRCA1;BRCA2", "truncating mutation / deep deletion", "mut", "olaparib", "sensitivity", -1.5, 0.0, "any", "", "15829966;15829967"),
    ("BRCA1/2 loss", "brca_loss", "BRCA1;BRCA2", "truncating mutation / deep deletion", "mut", "cisplatin", "sensitivity", -0.5, 0.0, "any", "", "15829967"),
    ("BRCA1/2 loss", "brca_loss", "BRCA1;BRCA2", "truncating mutation / deep deletion", "mut", "carboplatin", "sensitivity", -0.5, 0.0, "any", "", "15829967"),
    ("ERCC1 over-expression", "ercc1_high", "ERCC1", "over-expression", "rna", "cisplatin", "resistance", 1.0, 0.0, "any", "", "16957145"),
    ("ERCC1 over-expression", "ercc1_high", "ERCC1", "over-expression", "rna", "carboplatin", "resistance", 1.0, 0.0, "any", "", "16957145"),
    ("KRAS mutation", "kras_mut", "KRAS", "G12/G13 mutation", "mut", "cetuximab", "resistance", 2.3, 0.40, "colorectal", "", "16618717;18946061"),
    ("KRAS mutation", "kras_mut", "KRAS", "G12/G13 mutation", "mut", "panitumumab", "resistance", 2.3, 0.40, "colorectal", "", "18316791"),
]  # fmt: skip

#: Citations of the PubMed IDs used above.
CITATIONS: dict[str, str] = {
    "15118073": "Lynch et al. 2004, N Engl J Med: EGFR activating mutations and gefitinib response",
    "15118125": "Paez et al. 2004, Science: EGFR mutations in lung cancer and gefitinib",
    "18408761": "Li et al. 2008, Oncogene: BIBW2992 (afatinib), an irreversible EGFR/HER2 inhibitor",
    "24893891": "Cross et al. 2014, Cancer Discov: AZD9291 (osimertinib) active on EGFR T790M",
    "15728811": "Kobayashi et al. 2005, N Engl J Med: EGFR T790M and gefitinib resistance",
    "15737014": "Pao et al. 2005, PLoS Med: T790M acquired resistance to gefitinib/erlotinib",
    "17463250": "Engelman et al. 2007, Science: MET amplification drives EGFR-TKI resistance",
    "32877583": "Wolf et al. 2020, N Engl J Med: capmatinib in MET-altered NSCLC",
    "11902585": "Gottesman, Fojo & Bates 2002, Nat Rev Cancer: ABC transporters and multidrug resistance",
    "18971340": "Rottenberg et al. 2008, PNAS: olaparib resistance via P-gp (Abcb1) up-regulation",
    "15758010": "Hegi et al. 2005, N Engl J Med: MGMT silencing and temozolomide benefit",
    "11070098": "Esteller et al. 2000, N Engl J Med: MGMT methylation and alkylator response",
    "15829966": "Farmer et al. 2005, Nature: BRCA-deficient cells and PARP inhibition",
    "15829967": "Bryant et al. 2005, Nature: PARP inhibitors kill BRCA2-deficient tumours",
    "16957145": "Olaussen et al. 2006, N Engl J Med: ERCC1 and cisplatin benefit in NSCLC",
    "16618717": "Lievre et al. 2006, Cancer Res: KRAS mutation and cetuximab resistance",
    "18946061": "Karapetis et al. 2008, N Engl J Med: KRAS status and cetuximab in colorectal cancer",
    "18316791": "Amado et al. 2008, J Clin Oncol: KRAS wild-type required for panitumumab efficacy",
}


def mechanism_table(drugs: list[str] | None = None, *, effect_size: float = 1.0) -> pd.DataFrame:
    """The planted mechanisms (answer key), optionally restricted to ``drugs``.

    ``delta_log10_ic50`` / ``delta_bottom`` are the planted shifts (already multiplied by
    ``effect_size``) of the true log10 IC50 (uM) and lower viability plateau of carriers.
    """
    df = pd.DataFrame(_MECH_ROWS, columns=_MECH_COLUMNS)
    df["delta_log10_ic50"] *= effect_size
    df["delta_bottom"] *= effect_size
    df["expected_effect"] = [
        f"{'higher' if d > 0 else 'lower'} IC50 in carriers ({abs(d):.2g} log10 units = {10 ** abs(d):.3g}-fold)"
        + (f", viability plateau {b:+.2g}" if b else "")
        + (f"; context: {c}" if c != "any" else "")
        for d, b, c in zip(df["delta_log10_ic50"], df["delta_bottom"], df["context"])
    ]
    df["citation"] = [
        "; ".join(CITATIONS.get(p, p) for p in str(pm).split(";")) for pm in df["pmid"]
    ]
    if drugs is not None:
        df = df[df["drug"].isin(drugs)]
    return df.reset_index(drop=True)
