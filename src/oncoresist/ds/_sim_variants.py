"""Somatic variants of the simulated cohort: planted hotspots, drivers and passengers.

Produces the canonical tidy variant table of CONTRIBUTING.md (``sample, gene, chrom, start,
end, ref, alt, variant_class, variant_type, protein_change, hgvsp, hgvsc, t_depth, t_alt_count,
vaf``) plus a ``role`` column (``mechanism`` | ``driver`` | ``passenger``). Coordinates and
alleles of the planted EGFR / KRAS hotspots are the real GRCh38 ones; other variants get
synthetic positions inside their gene.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._sim_biology import (
    BRCA_TRUNCATING,
    DRIVERS,
    EGFR_ACTIVATING,
    EGFR_T790M,
    KRAS_ALLELES,
)
from ._sim_genes import CHROM_LENGTHS, PLANTED_GENES

AA3 = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
    "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
    "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter",
}  # fmt: skip
_AAS = np.array([a for a in AA3 if a != "*"])
_BASES = np.array(["A", "C", "G", "T"])
#: Passenger variant classes and their probabilities.
_PASSENGER_CLASSES = {
    "Missense_Mutation": 0.62,
    "Silent": 0.24,
    "Nonsense_Mutation": 0.05,
    "Frame_Shift_Del": 0.03,
    "Frame_Shift_Ins": 0.02,
    "Splice_Site": 0.03,
    "In_Frame_Del": 0.01,
}
#: Mean passenger count per 1,000 genes of the universe (tumour mutational burden per tissue).
_TMB = {"lung": 9.0, "colorectal": 7.0, "breast": 4.0, "glioma": 3.0, "ovarian": 4.0, "_": 5.0}
#: Fraction of colorectal tumours that are hypermutated (MSI-like, 10x burden).
_MSI_FRACTION = 0.12

COLUMNS = [
    "sample", "gene", "chrom", "start", "end", "ref", "alt", "variant_class", "variant_type",
    "protein_change", "hgvsp", "hgvsc", "t_depth", "t_alt_count", "vaf", "role",
]  # fmt: skip


class _Rows:
    """Column-wise accumulator of variant rows."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {c: [] for c in COLUMNS if c not in ("t_depth", "t_alt_count", "vaf")}
        self.ccf: list[float] = []

    def add(self, sample: str, gene: str, chrom: str, start: int, end: int, ref: str, alt: str,
            vclass: str, vtype: str, short: str, hgvsp: str, hgvsc: str, role: str, ccf: float) -> None:  # fmt: skip
        for k, v in zip(
            ("sample", "gene", "chrom", "start", "end", "ref", "alt", "variant_class", "variant_type",
             "protein_change", "hgvsp", "hgvsc", "role"),
            (sample, gene, chrom, start, end, ref, alt, vclass, vtype, short, hgvsp, hgvsc, role),
        ):  # fmt: skip
            self.cols[k].append(v)
        self.ccf.append(ccf)


def _random_change(
    rng: np.random.Generator, vclass: str, prot_len: int
) -> tuple[str, str, str, str, str]:
    """(short, long, hgvsc, ref, alt) of a synthetic coding variant of class ``vclass``."""
    r = int(rng.integers(2, max(3, prot_len)))
    a = str(rng.choice(_AAS))
    cpos = 3 * r - int(rng.integers(0, 3))
    ref = str(rng.choice(_BASES))
    alt = str(rng.choice(_BASES[_BASES != ref]))
    if vclass == "Missense_Mutation":
        b = str(rng.choice(_AAS[_AAS != a]))
        return f"p.{a}{r}{b}", f"p.{AA3[a]}{r}{AA3[b]}", f"c.{cpos}{ref}>{alt}", ref, alt
    if vclass == "Silent":
        return f"p.{a}{r}=", f"p.{AA3[a]}{r}=", f"c.{cpos}{ref}>{alt}", ref, alt
    if vclass == "Nonsense_Mutation":
        return f"p.{a}{r}*", f"p.{AA3[a]}{r}Ter", f"c.{cpos}{ref}>{alt}", ref, alt
    if vclass == "Frame_Shift_Del":
        return f"p.{a}{r}fs", f"p.{AA3[a]}{r}fs", f"c.{cpos}del{ref}", ref, "-"
    if vclass == "Frame_Shift_Ins":
        return f"p.{a}{r}fs", f"p.{AA3[a]}{r}fs", f"c.{cpos}dup{alt}", "-", alt
    if vclass == "In_Frame_Del":
        dele = "".join(rng.choice(_BASES, size=3))
        return f"p.{a}{r}del", f"p.{AA3[a]}{r}del", f"c.{cpos}_{cpos + 2}del", dele, "-"
    # Splice_Site
    return f"p.X{r}_splice", f"p.X{r}_splice", f"c.{cpos}+1{ref}>{alt}", ref, alt


def _random_changes(
    rng: np.random.Generator, vclass: np.ndarray, prot_len: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`_random_change`: arrays (short, long, hgvsc, ref, alt)."""
    m = len(vclass)
    r = rng.integers(2, np.maximum(3, prot_len)).astype(str)
    ai = rng.integers(0, len(_AAS), size=m)
    bi = (ai + rng.integers(1, len(_AAS), size=m)) % len(_AAS)
    a, b = _AAS[ai], _AAS[bi]
    a3 = np.array([AA3[x] for x in _AAS])[ai]
    b3 = np.array([AA3[x] for x in _AAS])[bi]
    cpos = (3 * r.astype(np.int64) - rng.integers(0, 3, size=m)).astype(str)
    cpos2 = (cpos.astype(np.int64) + 2).astype(str)
    ri = rng.integers(0, 4, size=m)
    ref = _BASES[ri]
    alt = _BASES[(ri + rng.integers(1, 4, size=m)) % 4]
    del3 = np.char.add(np.char.add(_BASES[rng.integers(0, 4, size=m)], _BASES[rng.integers(0, 4, size=m)]), _BASES[rng.integers(0, 4, size=m)])
    cat = np.char.add
    snv_c = cat(cat(cat("c.", cpos), ref), cat(">", alt))
    short = np.empty(m, dtype=object)
    long_ = np.empty(m, dtype=object)
    hgvsc = np.empty(m, dtype=object)
    ref_o = ref.astype(object)
    alt_o = alt.astype(object)
    base_s = cat(cat("p.", a), r)
    base_l = cat(cat("p.", a3), r)
    spec = {
        "Missense_Mutation": (cat(base_s, b), cat(base_l, b3), snv_c),
        "Silent": (cat(base_s, "="), cat(base_l, "="), snv_c),
        "Nonsense_Mutation": (cat(base_s, "*"), cat(base_l, "Ter"), snv_c),
        "Frame_Shift_Del": (cat(base_s, "fs"), cat(base_l, "fs"), cat(cat(cat("c.", cpos), "del"), ref)),
        "Frame_Shift_Ins": (cat(base_s, "fs"), cat(base_l, "fs"), cat(cat(cat("c.", cpos), "dup"), alt)),
        "In_Frame_Del": (cat(base_s, "del"), cat(base_l, "del"), cat(cat(cat(cat("c.", cpos), "_"), cpos2), "del")),
        "Splice_Site": (cat(cat("p.X", r), "_splice"), cat(cat("p.X", r), "_splice"), cat(cat(cat("c.", cpos), "+1"), cat(ref, cat(">", alt)))),
    }
    for vc, (s_, l_, c_) in spec.items():
        sel = vclass == vc
        short[sel], long_[sel], hgvsc[sel] = s_[sel], l_[sel], c_[sel]
    sel = vclass == "Frame_Shift_Del"
    alt_o[sel] = "-"
    sel = vclass == "Frame_Shift_Ins"
    ref_o[sel] = "-"
    sel = vclass == "In_Frame_Del"
    ref_o[sel] = del3[sel]
    alt_o[sel] = "-"
    return short, long_, hgvsc, ref_o, alt_o


def _vtype(ref: str, alt: str) -> str:
    if ref == "-":
        return "INS"
    if alt == "-":
        return "DEL"
    return "SNP" if len(ref) == 1 else "ONP"


def _position(rng: np.random.Generator, genes: pd.DataFrame, gene: str, ref: str, alt: str) -> tuple[int, int]:
    s, e = int(genes.at[gene, "start"]), int(genes.at[gene, "end"])
    start = int(rng.integers(s, e))
    if ref == "-":  # MAF insertion: flanking bases
        return start, start + 1
    return start, start + len(ref) - 1


def simulate_variants(
    samples: list[str],
    tissues: np.ndarray,
    genes: pd.DataFrame,
    flags: pd.DataFrame,
    purity: np.ndarray,
    rng: np.random.Generator,
    *,
    gene_prot_len: pd.Series,
) -> pd.DataFrame:
    """Simulate the tidy variant table of the cohort (see module docstring for columns)."""
    rows = _Rows()
    _planted_alleles(rows, samples, genes, flags, rng)
    _drivers(rows, samples, tissues, genes, rng, gene_prot_len)
    passengers = _passengers(rows, samples, tissues, genes, rng, gene_prot_len)
    df = pd.DataFrame(rows.cols)
    if passengers is not None:
        df = pd.concat([df, passengers], ignore_index=True)
    _read_counts(df, samples, purity, np.asarray(rows.ccf), rng)
    df["start"] = df["start"].astype(np.int64)
    df["end"] = df["end"].astype(np.int64)
    order = {s: i for i, s in enumerate(samples)}
    chrom_order = {c: i for i, c in enumerate(CHROM_LENGTHS)}
    df = df.assign(_o=df["sample"].map(order), _c=df["chrom"].map(chrom_order))
    df = df.sort_values(["_o", "_c", "start"], kind="stable")
    return df.drop(columns=["_o", "_c"])[COLUMNS].reset_index(drop=True)


def _planted_alleles(rows: _Rows, samples: list[str], genes: pd.DataFrame, flags: pd.DataFrame, rng: np.random.Generator) -> None:
    """The mechanism alleles: EGFR activating / T790M, KRAS, BRCA1/2 truncating (not deep-deleted)."""
    for i in range(len(samples)):
        s = samples[i]
        if flags["egfr_activating"].iat[i]:
            short = flags["egfr_allele"].iat[i]
            hgvsp, hgvsc, st, en, ref, alt, vc, vt = EGFR_ACTIVATING[short]
            rows.add(s, "EGFR", "7", st, en, ref, alt, vc, vt, short, hgvsp, hgvsc, "mechanism", 1.0)
        if flags["egfr_t790m"].iat[i]:
            short, hgvsp, hgvsc, st, en, ref, alt, vc, vt = EGFR_T790M
            rows.add(s, "EGFR", "7", st, en, ref, alt, vc, vt, short, hgvsp, hgvsc, "mechanism", float(rng.uniform(0.2, 0.9)))
        if flags["kras_mut"].iat[i]:
            short = flags["kras_allele"].iat[i]
            hgvsp, hgvsc, st, en, ref, alt, vc, vt = KRAS_ALLELES[short]
            rows.add(s, "KRAS", "12", st, en, ref, alt, vc, vt, short, hgvsp, hgvsc, "mechanism", 1.0)
        if flags["brca_loss"].iat[i] and not flags["brca_deep_del"].iat[i]:
            gene = flags["brca_gene"].iat[i]
            short = flags["brca_allele"].iat[i]
            hgvsp, hgvsc, vc, vt = BRCA_TRUNCATING[gene][short]
            ref, alt = {"INS": ("-", "C"), "DEL": ("AG", "-"), "SNP": ("G", "A")}[vt]
            st, en = _position(rng, genes, gene, ref, alt)
            rows.add(s, gene, str(genes.at[gene, "chrom"]), st, en, ref, alt, vc, vt, short, hgvsp, hgvsc, "mechanism", 1.0)


def _drivers(
    rows: _Rows, samples: list[str], tissues: np.ndarray, genes: pd.DataFrame, rng: np.random.Generator,
    gene_prot_len: pd.Series,
) -> None:  # fmt: skip
    """Non-mechanism driver hotspots and truncating variants (:data:`DRIVERS` frequencies)."""
    n = len(samples)
    for gene, (freq, alleles) in DRIVERS.items():
        if gene not in genes.index:
            continue
        p = np.array([freq.get(t, freq.get("_", 0.0)) for t in tissues])
        carriers = np.flatnonzero(rng.random(n) < p)
        for i in carriers:
            allele = str(rng.choice(list(alleles)))
            if allele == "truncating":
                vc = "Nonsense_Mutation" if rng.random() < 0.6 else "Frame_Shift_Del"
                short, hgvsp, hgvsc, ref, alt = _random_change(rng, vc, int(gene_prot_len[gene]))
            else:
                vc = "Missense_Mutation"
                short = allele
                a, pos, b = allele[2], allele[3:-1], allele[-1]
                hgvsp = f"p.{AA3[a]}{pos}{AA3[b]}"
                ref = str(rng.choice(_BASES))
                alt = str(rng.choice(_BASES[_BASES != ref]))
                hgvsc = f"c.{3 * int(pos) - 1}{ref}>{alt}"
            st, en = _position(rng, genes, gene, ref, alt)
            rows.add(samples[i], gene, str(genes.at[gene, "chrom"]), st, en, ref, alt, vc, _vtype(ref, alt),
                     short, hgvsp, hgvsc, "driver", 1.0)  # fmt: skip


def _passengers(
    rows: _Rows, samples: list[str], tissues: np.ndarray, genes: pd.DataFrame, rng: np.random.Generator,
    gene_prot_len: pd.Series,
) -> pd.DataFrame | None:  # fmt: skip
    """Passenger variants (vectorised; tissue burden, MSI-like hypermutators); CCFs go to ``rows``."""
    n = len(samples)
    excluded = set(PLANTED_GENES) | set(DRIVERS) | {"TP53", "CDKN2A"}
    pool = genes.index[~genes.index.isin(excluded)]
    if not len(pool):
        return None
    g_start = genes.loc[pool, "start"].to_numpy(dtype=np.int64)
    g_end = genes.loc[pool, "end"].to_numpy(dtype=np.int64)
    g_chrom = genes.loc[pool, "chrom"].to_numpy(dtype=object)
    g_plen = gene_prot_len.reindex(pool).to_numpy(dtype=np.int64)
    length = (g_end - g_start).astype(float)
    classes = np.array(list(_PASSENGER_CLASSES))
    p_class = np.array(list(_PASSENGER_CLASSES.values()))
    scale = len(genes) / 1000.0
    lam = np.array([_TMB.get(t, _TMB["_"]) for t in tissues]) * scale * rng.lognormal(0, 0.5, size=n)
    lam[(tissues == "colorectal") & (rng.random(n) < _MSI_FRACTION)] *= 10
    k = rng.poisson(lam)
    total = int(k.sum())
    if not total:
        return None
    samp = np.repeat(np.asarray(samples, dtype=object), k)
    gsel = rng.choice(len(pool), size=total, p=length / length.sum())
    vcls = classes[rng.choice(len(classes), size=total, p=p_class / p_class.sum())]
    short, hgvsp, hgvsc, ref, alt = _random_changes(rng, vcls, g_plen[gsel])
    start = rng.integers(g_start[gsel], g_end[gsel])
    reflen = np.array([len(x) for x in ref])
    is_ins = ref == "-"
    end = np.where(is_ins, start + 1, start + reflen - 1)
    vtype = np.where(is_ins, "INS", np.where(alt == "-", "DEL", "SNP"))
    ccf = np.where(rng.random(total) < 0.6, 1.0, rng.uniform(0.1, 0.8, size=total))
    rows.ccf.extend(ccf.tolist())
    return pd.DataFrame(
        {
            "sample": samp, "gene": pool.to_numpy()[gsel], "chrom": g_chrom[gsel],
            "start": start, "end": end, "ref": ref, "alt": alt, "variant_class": vcls,
            "variant_type": vtype, "protein_change": short, "hgvsp": hgvsp, "hgvsc": hgvsc,
            "role": "passenger",
        }
    )  # fmt: skip


def _read_counts(df: pd.DataFrame, samples: list[str], purity: np.ndarray, ccf: np.ndarray, rng: np.random.Generator) -> None:
    """Add read depth, alt-allele count and VAF (purity x CCF / 2, clipped) to ``df`` in place."""
    m = len(df)
    if m:
        row_of = {s: i for i, s in enumerate(samples)}
        pur = purity[df["sample"].map(row_of).to_numpy()]
        vaf_true = np.clip(pur * ccf / 2.0, 0.02, 0.98)
        depth = rng.negative_binomial(6, 6 / (6 + 140.0), size=m) + 25
        alt_n = np.maximum(rng.binomial(depth, vaf_true), 4)
        alt_n = np.minimum(alt_n, depth)
    else:
        depth = alt_n = np.zeros(0, dtype=np.int64)
    df["t_depth"] = depth.astype(np.int64)
    df["t_alt_count"] = alt_n.astype(np.int64)
    df["vaf"] = np.round(df["t_alt_count"] / df["t_depth"].clip(lower=1), 4)
