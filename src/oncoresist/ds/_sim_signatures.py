"""Synthetic SBS-96 signature profiles of the simulator, and SNVs drawn from them with their context.

No COSMIC signature file ships with oncoresist (COSMIC's licence does not allow redistribution),
so the simulator plants its own profiles, written down here from the published *shape* of each
COSMIC v3 signature (the channels where its mass lies; Alexandrov et al. 2020, Nature 578:94,
doi:10.1038/s41586-020-1943-3) and not from COSMIC's numbers. Each is named ``<COSMIC name>-like``:

- ``SBS1-like``: C>T at NpCpG (deamination of 5-methylcytosine, clock-like).
- ``SBS5-like``: flat, with more T>C at ApTpN and C>T (clock-like).
- ``SBS2-like`` / ``SBS13-like``: C>T / C>G at TpCpW (APOBEC3A/B).
- ``SBS3-like``: flat with more C>G / C>A / T>A (homologous-recombination deficiency).
- ``SBS6-like``, ``SBS15-like``, ``SBS26-like``: C>T at NpCpG / NpCpA, C>T at GpCpN,
  T>C at NpTpR (mismatch-repair deficiency).
- ``SBS10a-like`` / ``SBS10b-like``: C>A at TpCpT, C>T at TpCpG (POLE exonuclease-domain mutation).

Channels are ordered as in :data:`oncoresist.tl.SBS96_CHANNELS` (``A[C>A]A, A[C>A]C, ...``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SIM_SBS96_CHANNELS", "simulated_signatures"]

_SUBS = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
#: The 96 SBS channels in SigProfiler / COSMIC v3 order (5' base, substitution, 3' base).
SIM_SBS96_CHANNELS: tuple[str, ...] = tuple(f"{p}[{s}]{n}" for p in "ACGT" for s in _SUBS for n in "ACGT")

#: signature -> (background weight per channel, [(substitution, 5' bases, 3' bases, extra weight), ...])
_PROFILES: dict[str, tuple[float, list[tuple[str, str, str, float]]]] = {
    "SBS1-like": (0.002, [("C>T", "ACGT", "G", 1.0), ("C>T", "ACGT", "ACT", 0.02)]),
    "SBS5-like": (1.0, [("T>C", "A", "ACGT", 3.0), ("C>T", "ACGT", "ACGT", 1.0), ("T>C", "CGT", "ACGT", 0.8)]),
    "SBS2-like": (0.002, [("C>T", "T", "AT", 1.0), ("C>T", "T", "CG", 0.25)]),
    "SBS13-like": (0.002, [("C>G", "T", "AT", 1.0), ("C>G", "T", "CG", 0.25), ("C>A", "T", "AT", 0.1)]),
    "SBS3-like": (1.0, [("C>G", "ACGT", "ACGT", 0.8), ("C>A", "ACGT", "ACGT", 0.5), ("T>A", "ACGT", "ACGT", 0.4)]),
    "SBS6-like": (0.005, [("C>T", "ACGT", "G", 0.6), ("C>T", "ACGT", "A", 0.5), ("T>C", "ACGT", "G", 0.2)]),
    "SBS15-like": (0.005, [("C>T", "G", "ACGT", 1.0), ("C>T", "ACT", "G", 0.2)]),
    "SBS26-like": (0.005, [("T>C", "ACGT", "AG", 1.0), ("T>C", "CG", "AG", 0.6), ("T>A", "ACGT", "A", 0.1)]),
    "SBS10a-like": (0.001, [("C>A", "T", "T", 1.0), ("C>A", "T", "A", 0.3), ("C>A", "ACG", "T", 0.05)]),
    "SBS10b-like": (0.001, [("C>T", "T", "G", 1.0), ("T>G", "T", "T", 0.3), ("C>T", "ACG", "G", 0.05)]),
}


def simulated_signatures() -> pd.DataFrame:
    """The simulator's synthetic reference signatures (channels x signatures, each summing to 1).

    Pass them to :func:`oncoresist.tl.fit_signatures` to fit simulated catalogues with the
    profiles they were drawn from (real data needs a real reference set, e.g. COSMIC's).

    Returns
    -------
    pandas.DataFrame
        96 rows (:data:`SIM_SBS96_CHANNELS`) x 10 signatures (``SBS1-like`` ... ``SBS10b-like``);
        ``.attrs['source']`` names the simulator.

    Examples
    --------
    >>> sigs = simulated_signatures()
    >>> sigs.shape, sigs["SBS2-like"].idxmax()
    ((96, 10), 'T[C>T]A')
    """
    out = {}
    for name, (background, rules) in _PROFILES.items():
        w = np.full(96, background)
        for sub, five, three, extra in rules:
            s = _SUBS.index(sub)
            for p in five:
                for n in three:
                    w["ACGT".index(p) * 24 + s * 4 + "ACGT".index(n)] += extra
        out[name] = w / w.sum()
    sigs = pd.DataFrame(out, index=pd.Index(SIM_SBS96_CHANNELS, name="channel"))
    sigs.attrs["source"] = "oncoresist.ds.simulated_signatures (synthetic, COSMIC-shaped)"
    return sigs


_BASES = np.array(list("ACGT"))


def snvs_from_channels(channels: np.ndarray, rng: np.random.Generator, *, flank: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference allele, alternate allele and ``2 flank + 1`` bases of + strand context of SNVs of given channels.

    Half the SNVs are put on the other strand (purine reference, reverse-complemented context),
    as calls on the + strand of a genome come.
    """
    m = len(channels)
    p5, sub, p3 = channels // 24, (channels % 24) // 4, channels % 4
    ref_i = np.where(sub < 3, 1, 3)  # C or T (indices in ACGT; the complement of index i is 3 - i)
    alt_i = np.array([0, 2, 3, 0, 1, 2])[sub]
    codes = np.column_stack([rng.integers(0, 4, size=(m, flank - 1)), p5, ref_i, p3, rng.integers(0, 4, size=(m, flank - 1))])
    flip = rng.random(m) < 0.5
    codes[flip] = 3 - codes[flip][:, ::-1]
    letters = _BASES[codes]
    ctx = np.array(["".join(row) for row in letters], dtype=object)
    ref = _BASES[np.where(flip, 3 - ref_i, ref_i)].astype(object)
    alt = _BASES[np.where(flip, 3 - alt_i, alt_i)].astype(object)
    return ref, alt, ctx


def random_flanks(rng: np.random.Generator, m: int, flank: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``m`` left and right flanks of ``flank`` random bases."""
    letters = _BASES[rng.integers(0, 4, size=(m, 2 * flank))]
    return (np.array(["".join(r[:flank]) for r in letters], dtype=object),
            np.array(["".join(r[flank:]) for r in letters], dtype=object))


def _other_base(rng: np.random.Generator, base: str) -> str:
    """A random base other than ``base``."""
    return str(rng.choice([b for b in "ACGT" if b != base]))


def _flank_pair(rng: np.random.Generator, base: str, k_left: int, k_right: int, flank: int) -> tuple[str, str]:
    """Flanks with ``k_left`` / ``k_right`` copies of ``base`` next to the indel, bounded by another base."""
    left = "".join(_BASES[rng.integers(0, 4, size=flank - k_left - 1)]) + _other_base(rng, base) + base * k_left
    right = base * k_right + _other_base(rng, base) + "".join(_BASES[rng.integers(0, 4, size=flank - k_right - 1)])
    return left[-flank:], right[:flank]


def indels_with_context(is_insertion: np.ndarray, at_repeat: np.ndarray, rng: np.random.Generator, *,
                        flank: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference, alternate and context (``flank`` bases each side of the reference allele) of 1-bp indels.

    Indels ``at_repeat`` sit in a mononucleotide run of 5 to ``2 flank`` bases of their own base
    (counting the deleted base), the others next to different bases (no run).
    """
    m = len(is_insertion)
    ref, alt, ctx = (np.empty(m, dtype=object) for _ in range(3))
    for i in range(m):
        base = str(_BASES[rng.integers(0, 4)])
        ins = bool(is_insertion[i])
        if at_repeat[i]:
            run = int(rng.integers(5, 2 * flank - 1))
            beside = run if ins else run - 1  # copies of the base in the flanks
            k_left = int(rng.integers(max(0, beside - flank + 1), min(flank - 1, beside) + 1))
            left, right = _flank_pair(rng, base, k_left, beside - k_left, flank)
        else:
            left, right = _flank_pair(rng, base, 0, 0, flank)
        ref[i], alt[i] = ("-", base) if ins else (base, "-")
        ctx[i] = left + ("" if ins else base) + right
    return ref, alt, ctx
