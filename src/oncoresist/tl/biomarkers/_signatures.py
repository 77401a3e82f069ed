"""SBS-96 mutational catalogues and signature fitting by non-negative least squares.

Channels are pyrimidine-based (the mutated base of the reference strand is reported as C or T;
purine changes are reverse-complemented with their trinucleotide) and ordered as in
SigProfilerMatrixGenerator's matrices and COSMIC v3 signature files (``A[C>A]A, A[C>A]C, ...``:
5' base, then substitution, then 3' base). No reference signature set ships with oncoresist
(COSMIC's licence does not allow redistribution): :func:`fit_signatures` takes the user's own
signature matrix (a DataFrame or a file such as ``COSMIC_v3.4_SBS_GRCh38.txt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import PathLike, find_column, read_table
from ._common import CONTEXT_COLUMNS, check_variants, context_column, sample_index

__all__ = ["SBS6_CLASSES", "SBS96_CHANNELS", "add_sequence_context", "fit_signatures", "has_sequence_context", "nnls_batch", "read_signatures",
           "sbs6_spectrum", "sbs96_catalogue"]

_SUBS = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
#: The six pyrimidine substitution classes (the SBS-6 spectrum).
SBS6_CLASSES: tuple[str, ...] = _SUBS
#: The 96 SBS channels in SigProfiler / COSMIC v3 order.
SBS96_CHANNELS: tuple[str, ...] = tuple(f"{p}[{s}]{n}" for p in "ACGT" for s in _SUBS for n in "ACGT")


def has_sequence_context(variants: pd.DataFrame) -> bool:
    """Whether the variant table has a filled context column (``CONTEXT``, ``flanking_bps``, ``ref_context``, ...).

    Parameters
    ----------
    variants
        The tidy variant table.

    Returns
    -------
    bool
        True when :func:`sbs96_catalogue` can build catalogues from the table.

    Examples
    --------
    >>> has_sequence_context(pd.DataFrame({"sample": ["A"], "ref": ["C"], "alt": ["T"], "CONTEXT": ["ACGTA"]}))
    True
    """
    return isinstance(variants, pd.DataFrame) and context_column(variants) is not None


#: byte -> base index (A 0, C 1, G 2, T 3, either case; -1 otherwise)
_BASE = np.full(256, -1, dtype=np.int64)
for _i, _b in enumerate("ACGT"):
    _BASE[ord(_b)] = _BASE[ord(_b.lower())] = _i
#: (pyrimidine reference, alternate) -> substitution index in ``_SUBS``
_SUB = np.full((4, 4), -1, dtype=np.int64)
_SUB[1, [0, 2, 3]] = [0, 1, 2]
_SUB[3, [0, 1, 2]] = [3, 4, 5]


def _base_codes(values: np.ndarray, width: int) -> np.ndarray:
    """``n x width`` base indices of equal-length ASCII strings (-1 for other characters)."""
    try:
        raw = np.array(values, dtype=f"S{width}")
    except UnicodeEncodeError:
        return np.full((len(values), width), -1, dtype=np.int64)
    return _BASE[raw.view(np.uint8).reshape(len(values), width)]


def _channel_codes(context: np.ndarray, ref: np.ndarray, alt: np.ndarray) -> np.ndarray:
    """Index in :data:`SBS96_CHANNELS` of each SNV (-1 where the context does not show the reference base)."""
    n = len(context)
    codes = np.full(n, -1, dtype=np.int64)
    lengths = np.fromiter(map(len, context), dtype=np.int64, count=n)
    r, a = _base_codes(ref, 1)[:, 0], _base_codes(alt, 1)[:, 0]
    for width in np.unique(lengths[(lengths % 2 == 1) & (lengths >= 3)]):
        rows = np.flatnonzero(lengths == width)
        k = (int(width) - 1) // 2
        tri = _base_codes(context[rows], int(width))[:, k - 1:k + 2]
        rr, aa = r[rows], a[rows]
        ok = (tri >= 0).all(axis=1) & (tri[:, 1] == rr) & (aa >= 0)
        purine = (rr == 0) | (rr == 2)  # A / G: report the other strand (complement = 3 - index)
        p5 = np.where(purine, 3 - tri[:, 2], tri[:, 0])
        mid = np.where(purine, 3 - tri[:, 1], tri[:, 1])
        p3 = np.where(purine, 3 - tri[:, 0], tri[:, 2])
        sub = _SUB[np.clip(mid, 0, 3), np.clip(np.where(purine, 3 - aa, aa), 0, 3)]
        ok &= sub >= 0
        codes[rows[ok]] = (p5 * 24 + sub * 4 + p3)[ok]
    return codes


def add_sequence_context(variants: pd.DataFrame, fasta: PathLike, *, flank: int = 1, column: str = "ref_context") -> pd.DataFrame:
    r"""The variant table with the reference bases around each SNV, read from a reference FASTA.

    For calls without a context column (most VCFs, MAFs with an empty ``flanking_bps``):
    :func:`sbs96_catalogue` then builds the SBS-96 catalogue from ``column``.

    Parameters
    ----------
    variants
        The tidy variant table with ``chrom, start, ref, alt`` (``oncoresist.io.read_maf`` /
        ``read_vcf``; ``start`` 1-based).
    fasta
        The uncompressed reference FASTA the calls were made on (its ``.fai`` index is used when
        present; names match with or without ``chr``).
    flank
        Bases each side (1: trinucleotides).
    column
        Name of the new column; an existing column of that name is an error.

    Returns
    -------
    pandas.DataFrame
        A copy with ``column`` ('' for non-SNVs, unknown sequences and positions at the ends);
        ``.attrs['ref_mismatch']`` counts the SNVs whose reference base differs from the FASTA's.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> fa = pathlib.Path(tempfile.mkdtemp()) / "ref.fa"
    >>> _ = fa.write_text(">chr1\nACGTACGTAC\n")
    >>> v = pd.DataFrame({"sample": ["A"], "chrom": ["1"], "start": [3], "ref": ["G"], "alt": ["A"]})
    >>> add_sequence_context(v, fa)["ref_context"].tolist()
    ['CGT']
    """
    from ...io._fasta import FastaReference

    func = "tl.add_sequence_context"
    check_variants(variants, func=func, columns=("chrom", "start", "ref", "alt"))
    if column in variants.columns:
        msg = f"{func}: the variant table already has a column {column!r}; pass column= another name."
        raise InputError(msg)
    ref = FastaReference(fasta)
    snv = _single_base(variants["ref"].astype(str).to_numpy()) & _single_base(variants["alt"].astype(str).to_numpy())
    ctx = np.full(len(variants), "", dtype=object)
    chroms = variants["chrom"].astype(str).to_numpy()
    pos = pd.to_numeric(variants["start"], errors="coerce").astype(float).to_numpy()
    for chrom in pd.unique(chroms[snv]):
        rows = np.flatnonzero(snv & (chroms == chrom) & np.isfinite(pos))
        if ref.name_of(chrom) is not None and len(rows):
            ctx[rows] = ref.windows(chrom, pos[rows].astype(np.int64).tolist(), flank)
    out = variants.copy()
    out[column] = ctx
    centre = np.array([c[flank] if len(c) == 2 * flank + 1 else "" for c in ctx], dtype=object)
    known = centre != ""
    out.attrs["ref_mismatch"] = int((known & (centre != variants["ref"].astype(str).str.upper().to_numpy())).sum())
    return out


def _single_base(alleles: np.ndarray) -> np.ndarray:
    """Whether each allele is one base long."""
    return np.fromiter(map(len, alleles), dtype=np.int64, count=len(alleles)) == 1


def sbs6_spectrum(variants: pd.DataFrame, *, samples: Sequence[str] | None = None) -> pd.DataFrame:
    """Counts of the six pyrimidine substitution classes per sample (needs no sequence context).

    The SBS-96 catalogue without its flanking bases: purine changes are reverse-complemented
    (``G>A`` is ``C>T``). Calls without a reference context (a MAF whose ``flanking_bps`` is
    empty, a VCF without a FASTA) still give this spectrum, the one study tables report
    (e.g. CPTAC's ``Mutation_signature_C>A`` ... percentages).

    Parameters
    ----------
    variants
        The tidy variant table with ``sample, ref, alt`` (``oncoresist.io.read_maf`` /
        ``read_vcf``); rows other than single-base substitutions are skipped.
    samples
        Samples to report (rows of zeros for those without SNVs); default: those in the table.

    Returns
    -------
    pandas.DataFrame
        Samples x :data:`SBS6_CLASSES` counts; ``.attrs['n_snv']`` counts the SNVs used.

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A", "A", "A"], "ref": ["C", "G", "T"], "alt": ["T", "A", "G"]})
    >>> sbs6_spectrum(v).loc["A"].to_dict()
    {'C>A': 0, 'C>G': 0, 'C>T': 2, 'T>A': 0, 'T>C': 0, 'T>G': 1}
    """
    check_variants(variants, func="tl.sbs6_spectrum", columns=("sample", "ref", "alt"))
    ref, alt = variants["ref"].astype(str).to_numpy(), variants["alt"].astype(str).to_numpy()
    single = np.flatnonzero(_single_base(ref) & _single_base(alt))
    r, a = _base_codes(ref[single], 1)[:, 0], _base_codes(alt[single], 1)[:, 0]
    ok = (r >= 0) & (a >= 0) & (r != a)
    single, r, a = single[ok], r[ok], a[ok]
    purine = (r == 0) | (r == 2)  # A or G: report the pyrimidine strand
    r, a = np.where(purine, 3 - r, r), np.where(purine, 3 - a, a)
    sub = _SUB[r, a]
    index = sample_index(variants, samples)
    rows = index.get_indexer(variants["sample"].astype(str).to_numpy()[single])
    keep = rows >= 0
    flat = np.bincount(rows[keep] * 6 + sub[keep], minlength=len(index) * 6)
    out = pd.DataFrame(flat.reshape(len(index), 6), index=index, columns=list(SBS6_CLASSES)).astype(np.int64)
    out.columns.name = "class"
    out.attrs["n_snv"] = int(keep.sum())
    return out


def sbs96_catalogue(variants: pd.DataFrame, *, samples: Sequence[str] | None = None) -> pd.DataFrame:
    """SBS-96 mutation counts per sample from the reference context around each SNV.

    Parameters
    ----------
    variants
        The tidy variant table with ``sample, ref, alt`` and a context column (``CONTEXT``
        (GDC MAFs: 5 reference bases each side), ``flanking_bps`` (MC3: 1 each side),
        ``ref_context``, ``trinucleotide``): reference bases centred on the SNV.
    samples
        Samples to report (rows of zeros for those without SNVs); default: those in the table.

    Returns
    -------
    pandas.DataFrame
        Samples x :data:`SBS96_CHANNELS` counts. ``.attrs`` records the context column and the
        SNVs skipped because their context did not show the reference base.

    Raises
    ------
    InputError
        The table has no context column (annotate the calls with their reference context, e.g.
        vcf2maf / GDC MAFs carry ``CONTEXT``) or most contexts disagree with the reference allele.

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A", "A"], "ref": ["C", "G"], "alt": ["T", "A"], "CONTEXT": ["TCA", "TGA"]})
    >>> cat = sbs96_catalogue(v)
    >>> int(cat.loc["A", "T[C>T]A"]), int(cat.to_numpy().sum())  # G>A in TGA is C>T in TCA
    (2, 2)
    """
    func = "tl.sbs96_catalogue"
    check_variants(variants, func=func, columns=("sample", "ref", "alt"))
    col = context_column(variants)
    if col is None:
        msg = (f"{func}: the variant table has no reference-context column ({', '.join(CONTEXT_COLUMNS)}) with sequence; "
               "SBS-96 needs the bases around each SNV: use a MAF that carries CONTEXT (GDC / vcf2maf) or flanking_bps.")
        raise InputError(msg)
    ref, alt = variants["ref"].astype(str).to_numpy(), variants["alt"].astype(str).to_numpy()
    snv = np.flatnonzero(_single_base(ref) & _single_base(alt))
    codes = _channel_codes(variants[col].astype(str).to_numpy()[snv], ref[snv], alt[snv])
    r_code, a_code = _base_codes(ref[snv], 1)[:, 0], _base_codes(alt[snv], 1)[:, 0]
    is_snv = (r_code >= 0) & (a_code >= 0) & (r_code != a_code)
    snv, codes = snv[is_snv], codes[is_snv]
    bad = codes < 0
    if len(codes) and bad.mean() > 0.5:
        msg = (f"{func}: column {col!r} does not show the reference base at its centre for {int(bad.sum())} of {len(codes)} SNVs; "
               "expected reference bases centred on the variant (equal flanks), on the + strand.")
        raise InputError(msg)
    index = sample_index(variants, samples)
    rows = index.get_indexer(variants["sample"].astype(str).to_numpy()[snv])
    keep = (rows >= 0) & ~bad
    flat = np.bincount(rows[keep] * 96 + codes[keep], minlength=len(index) * 96)
    cat = pd.DataFrame(flat.reshape(len(index), 96), index=index, columns=list(SBS96_CHANNELS)).astype(np.int64)
    cat.columns.name = "channel"
    cat.attrs.update({"context_column": col, "n_snv": int(len(codes)), "n_skipped": int(bad.sum())})
    return cat


def nnls_batch(w: np.ndarray, y: np.ndarray, *, tol: float = 1e-10, max_iter: int = 10_000) -> np.ndarray:
    """Non-negative least squares ``min ||w h - y||, h >= 0`` for many right-hand sides at once.

    Cyclic coordinate descent on the Gram matrix, vectorised over the columns of ``y``
    (the problem is convex, so it converges to the unique NNLS solution when ``w`` has full
    column rank; tested against :func:`scipy.optimize.nnls`).

    Parameters
    ----------
    w
        ``channels x signatures`` matrix.
    y
        ``channels`` vector or ``channels x n`` matrix.
    tol
        Stop when no coefficient moves by more than ``tol`` times the largest coefficient.
    max_iter
        Maximal sweeps over the signatures.

    Returns
    -------
    numpy.ndarray
        ``signatures`` (or ``signatures x n``) non-negative coefficients.

    Examples
    --------
    >>> w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> np.round(nnls_batch(w, np.array([2.0, 1.0, 3.0])), 6).tolist()
    [2.0, 1.0]
    """
    w = np.asarray(w, dtype=float)
    y2 = np.asarray(y, dtype=float)
    vec = y2.ndim == 1
    y2 = y2[:, None] if vec else y2
    gram, wty = w.T @ w, w.T @ y2
    diag = np.where(np.diag(gram) > 0, np.diag(gram), 1.0)
    h = np.zeros((w.shape[1], y2.shape[1]))
    for _ in range(max_iter):
        moved = 0.0
        for k in range(w.shape[1]):
            new = np.maximum(0.0, h[k] + (wty[k] - gram[k] @ h) / diag[k])
            moved = max(moved, float(np.max(np.abs(new - h[k]), initial=0.0)))
            h[k] = new
        if moved <= tol * max(float(h.max(initial=0.0)), 1.0):
            break
    return h[:, 0] if vec else h


def read_signatures(path: PathLike) -> pd.DataFrame:
    r"""Read a reference signature matrix (channels x signatures) from a CSV / TSV file.

    Accepts SigProfiler / COSMIC v3 files (first column ``Type`` / ``MutationType`` with
    ``A[C>A]A``-style channels, one column per signature) and COSMIC v2 files (``Substitution
    Type`` and ``Trinucleotide`` columns, then ``Signature 1`` ...). Each signature is
    rescaled to sum to 1.

    Parameters
    ----------
    path
        The signature file.

    Returns
    -------
    pandas.DataFrame
        :data:`SBS96_CHANNELS` x signatures. ``.attrs['source']`` is the path.

    Raises
    ------
    InputError
        Channels missing or not SBS-96, non-numeric or negative weights.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "sigs.tsv"
    >>> _ = p.write_text("Type\tSBS1\n" + "".join(f"{c}\t1\n" for c in SBS96_CHANNELS))
    >>> float(read_signatures(p)["SBS1"].sum())
    1.0
    """
    df = read_table(path, what="signature matrix")
    sub, tri = find_column(df, ["Substitution Type"]), find_column(df, ["Trinucleotide"])
    if sub is not None and tri is not None:
        names = [f"{t[0]}[{s}]{t[2]}" for s, t in zip(df[sub].astype(str), df[tri].astype(str), strict=True)]
        df = df.drop(columns=[c for c in (sub, tri, find_column(df, ["Somatic Mutation Type"])) if c is not None])
    else:
        first = find_column(df, ["Type", "MutationType", "Mutation Type", "channel"]) or df.columns[0]
        names = df[first].astype(str).str.strip().tolist()
        df = df.drop(columns=[first])
    df.index = pd.Index(names, name="channel")
    df.attrs["source"] = str(path)
    return _check_signatures(df, what=f"signature matrix '{path}'")


def _check_signatures(sigs: pd.DataFrame, *, what: str) -> pd.DataFrame:
    """Signatures reindexed to :data:`SBS96_CHANNELS`, numeric, non-negative, each summing to 1."""
    missing = [c for c in SBS96_CHANNELS if c not in sigs.index]
    if missing or sigs.shape[1] == 0:
        msg = (f"{what}: expected the 96 SBS channels as rows (e.g. 'A[C>A]A') and one column per signature; "
               f"{len(missing)} channels missing (first: {missing[:3]}), {sigs.shape[1]} signature columns.")
        raise InputError(msg)
    vals = sigs.loc[list(SBS96_CHANNELS)].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in vals.columns if vals[c].isna().any() or (vals[c] < 0).any() or vals[c].sum() <= 0]
    if bad:
        msg = f"{what}: signature(s) {', '.join(map(str, bad[:5]))} hold missing, negative or all-zero weights."
        raise InputError(msg)
    out = vals / vals.sum(axis=0)
    out.attrs.update(sigs.attrs)
    return out


def _resolve_signatures(signatures: pd.DataFrame | PathLike | None) -> pd.DataFrame:
    """The signature matrix from a DataFrame or a file; a clear error when none is given."""
    if signatures is None:
        msg = ("tl.fit_signatures: no reference signature set ships with oncoresist (COSMIC's licence forbids redistribution) "
               "and nothing is downloaded. Download a signature matrix yourself (e.g. COSMIC_v3.4_SBS_GRCh38.txt from "
               "cancer.sanger.ac.uk/signatures) and pass its path or a channels x signatures DataFrame as signatures=.")
        raise InputError(msg)
    if isinstance(signatures, pd.DataFrame):
        return _check_signatures(signatures, what="signatures")
    return read_signatures(Path(signatures))


def fit_signatures(
    catalogue: pd.DataFrame,
    signatures: pd.DataFrame | PathLike | None,
    *,
    n_bootstrap: int = 200,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    sparsity: str = "backward",
    max_delta: float = 0.004,
) -> pd.DataFrame:
    """Signature exposures per sample by NNLS, with signature selection and bootstrap intervals.

    Each sample's SBS-96 counts are fitted as a non-negative mix of the signatures
    (:func:`scipy.optimize.nnls`). With ``sparsity="backward"`` (the default) the signature
    contributing least is then removed and the rest refitted, again and again, while the cosine
    similarity of the reconstruction to the catalogue stays within ``max_delta`` of the full
    fit's: the backward elimination of MutationalPatterns' ``fit_to_signatures_strict``
    (Manders et al. 2022, doi:10.1186/s12864-022-08357-3; its default ``max_delta`` 0.004).
    Plain NNLS over a large reference such as COSMIC v3 spreads small exposures over many
    similar signatures (12 signatures > 1 % per tumour where 4 were planted; see
    benchmarks/results/signatures_spa.md for the comparison with SigProfilerAssignment).
    Intervals come from refitting ``n_bootstrap`` multinomial resamples of the sample's
    mutations on its selected signatures.

    Parameters
    ----------
    catalogue
        Samples x SBS-96 counts (:func:`sbs96_catalogue`; columns matched by channel name).
    signatures
        Channels x signatures DataFrame or a signature file (:func:`read_signatures`). Required:
        none ships with oncoresist.
    n_bootstrap
        Resamples per sample (0: no intervals).
    ci
        Coverage of the percentile intervals.
    random_state
        Seed or generator of the resampling.
    sparsity
        ``"backward"``: signature selection as described above; ``"none"``: plain NNLS over
        every signature.
    max_delta
        Largest loss of cosine similarity (to the catalogue) the selection may cost.

    Returns
    -------
    pandas.DataFrame
        Long table ``sample, signature, exposure, fraction, lower, upper``: exposure in
        mutations, its share of the sample's fitted mutations and the bootstrap interval
        (of the exposure; 0 - 0 for signatures not selected). ``.attrs`` records the signature
        source, the selection, the residual norm and the cosine similarity per sample.

    Raises
    ------
    InputError
        No signatures, a catalogue without the 96 channels or with negative counts.

    Examples
    --------
    >>> sigs = pd.DataFrame(np.eye(96)[:, :2] + 0.01, index=list(SBS96_CHANNELS), columns=["S1", "S2"])
    >>> cat = pd.DataFrame([sigs["S1"] / sigs["S1"].sum() * 100], index=["A"])
    >>> fit = fit_signatures(cat, sigs, n_bootstrap=0)
    >>> fit.set_index("signature")["exposure"].round(1).to_dict()
    {'S1': 100.0, 'S2': 0.0}
    """
    sigs = _resolve_signatures(signatures)
    missing = [c for c in SBS96_CHANNELS if c not in getattr(catalogue, "columns", ())]
    if missing:
        msg = f"tl.fit_signatures: the catalogue lacks {len(missing)} SBS-96 channel columns (first: {missing[:3]}); build it with tl.sbs96_catalogue."
        raise InputError(msg)
    counts = catalogue[list(SBS96_CHANNELS)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if np.isnan(counts).any() or (counts < 0).any():
        msg = "tl.fit_signatures: the catalogue holds missing or negative counts; expected mutation counts."
        raise InputError(msg)
    if sparsity not in ("backward", "none"):
        msg = f"tl.fit_signatures: sparsity must be 'backward' or 'none', got {sparsity!r}."
        raise InputError(msg)
    w = sigs.to_numpy(dtype=float)
    h = np.column_stack([_nnls(w, y) for y in counts]) if len(counts) else np.zeros((w.shape[1], 0))
    if sparsity == "backward":
        h = np.column_stack([_backward(w, y, h[:, j], max_delta) for j, y in enumerate(counts)]) if len(counts) else h
    lower, upper = _bootstrap(w, counts, h > 0, n_bootstrap, ci, np.random.default_rng(random_state))
    total = h.sum(axis=0)
    frac = np.divide(h, total, out=np.zeros_like(h), where=total > 0)
    names = [str(s) for s in catalogue.index]
    out = pd.DataFrame({"sample": np.repeat(names, w.shape[1]), "signature": np.tile(sigs.columns.astype(str), len(names)),
                        "exposure": h.T.ravel(), "fraction": frac.T.ravel(), "lower": lower.T.ravel(), "upper": upper.T.ravel()})
    out.attrs.update({"signatures": str(sigs.attrs.get("source", "DataFrame")), "n_bootstrap": int(n_bootstrap), "ci": float(ci),
                      "sparsity": sparsity, "max_delta": float(max_delta),
                      "residual": dict(zip(names, np.linalg.norm(w @ h - counts.T, axis=0).tolist(), strict=True)),
                      "cosine": dict(zip(names, [_cos(w @ h[:, j], y) for j, y in enumerate(counts)], strict=True))})
    return out


def _nnls(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact NNLS of one sample (active set, :func:`scipy.optimize.nnls`)."""
    from scipy.optimize import nnls

    return nnls(w, y, maxiter=50 * w.shape[1])[0] if np.any(y) else np.zeros(w.shape[1])


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity (0 when either vector is zero)."""
    d = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / d if d > 0 else 0.0


def _backward(w: np.ndarray, y: np.ndarray, h: np.ndarray, max_delta: float) -> np.ndarray:
    """Drop the least-contributing signature of ``h`` while the cosine to ``y`` stays within ``max_delta`` of the full fit's."""
    floor = _cos(w @ h, y) - max_delta
    while np.count_nonzero(h) > 1:
        keep = np.flatnonzero(h > 0)
        rest = np.delete(keep, np.argmin(h[keep]))
        c = _nnls(w[:, rest], y)
        if _cos(w[:, rest] @ c, y) < floor:
            break
        h = np.zeros_like(h)
        h[rest] = c
    return h


def _bootstrap(w: np.ndarray, counts: np.ndarray, support: np.ndarray, n: int, ci: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of the exposures over multinomial resamples, refitted on each sample's ``support``."""
    k, m = w.shape[1], counts.shape[0]
    lo, hi = np.zeros((k, m)), np.zeros((k, m))
    if n <= 0:
        return lo * np.nan, hi * np.nan
    alpha = (1.0 - ci) / 2.0
    totals = np.rint(counts.sum(axis=1)).astype(np.int64)
    for j in range(m):
        cols = np.flatnonzero(support[:, j])
        if totals[j] == 0 or not len(cols):
            continue
        draws = rng.multinomial(totals[j], counts[j] / counts[j].sum(), size=n).T
        hb = nnls_batch(w[:, cols], draws)
        lo[cols, j], hi[cols, j] = np.quantile(hb, alpha, axis=1), np.quantile(hb, 1.0 - alpha, axis=1)
    return lo, hi
