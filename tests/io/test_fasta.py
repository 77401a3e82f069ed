"""Indexed reference FASTA (no pyfaidx / pysam) and SNV contexts for SBS-96 from it."""

import gzip

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import FastaReference
from oncoresist.tl import SBS96_CHANNELS, add_sequence_context, sbs96_catalogue


def _genome(rng, tmp_path, width=60, fai=False):
    seqs = {"chr1": "".join(rng.choice(list("ACGT"), 1000)), "chr2": "".join(rng.choice(list("acgtN"), 257)), "chrM": "ACGTTGCA"}
    text, offsets, pos = "", {}, 0
    for name, seq in seqs.items():
        head = f">{name} some description\n"
        pos += len(head)
        offsets[name] = pos
        body = "".join(seq[i:i + width] + "\n" for i in range(0, len(seq), width))
        text += head + body
        pos += len(body)
    path = tmp_path / "ref.fa"
    path.write_text(text)
    if fai:
        (tmp_path / "ref.fa.fai").write_text("".join(f"{n}\t{len(s)}\t{offsets[n]}\t{width}\t{width + 1}\n" for n, s in seqs.items()))
    return path, seqs


@pytest.mark.parametrize("fai", [False, True])
def test_fetch_matches_the_sequence_with_and_without_an_index(rng, tmp_path, fai):
    path, seqs = _genome(rng, tmp_path, fai=fai)
    ref = FastaReference(path)
    assert {n: e.length for n, e in ref.index.items()} == {n: len(s) for n, s in seqs.items()}
    for _ in range(200):
        name = str(rng.choice(["chr1", "chr2"]))
        a = int(rng.integers(1, len(seqs[name]) + 1))
        b = int(rng.integers(a, min(len(seqs[name]), a + 150) + 1))
        assert ref.fetch(name.removeprefix("chr"), a, b) == seqs[name][a - 1:b].upper()
    assert ref.fetch("MT", 1, 3) == "ACG" and ref.fetch("chr1", 999, 1005) == seqs["chr1"][998:].upper()
    assert ref.windows("1", [1, 2, 1000], 1) == ["", seqs["chr1"][:3], ""]


def test_bad_fasta_inputs_are_clear_errors(tmp_path):
    gz = tmp_path / "ref.fa.gz"
    gz.write_bytes(gzip.compress(b">chr1\nACGT\n"))
    with pytest.raises(InputError, match="gzip-compressed"):
        FastaReference(gz)
    (tmp_path / "x.txt").write_text("not a fasta\n")
    with pytest.raises(InputError, match="not a FASTA"):
        FastaReference(tmp_path / "x.txt")
    (tmp_path / "ragged.fa").write_text(">chr1\nACGT\nAC\nACGT\n")
    with pytest.raises(InputError, match="different lengths"):
        FastaReference(tmp_path / "ragged.fa")
    with pytest.raises(InputError, match="not found"):
        FastaReference(tmp_path / "absent.fa")
    (tmp_path / "ok.fa").write_text(">chr1\nACGT\n")
    with pytest.raises(InputError, match="no sequence 'chr9'"):
        FastaReference(tmp_path / "ok.fa").fetch("chr9", 1, 2)


def test_contexts_from_the_fasta_give_the_true_sbs96_catalogue(rng, tmp_path):
    path, seqs = _genome(rng, tmp_path)
    s = seqs["chr1"]
    pos = rng.choice(np.arange(2, len(s)), 300, replace=False)
    ref = [s[p - 1] for p in pos]
    alt = [str(rng.choice([b for b in "ACGT" if b != r])) for r in ref]
    v = pd.DataFrame({"sample": rng.choice(["P1", "P2"], len(pos)), "chrom": "1", "start": pos, "ref": ref, "alt": alt})
    v = pd.concat([v, pd.DataFrame({"sample": ["P1", "P1"], "chrom": ["chr1", "chr7"], "start": [10, 5], "ref": ["AC", "A"],
                                    "alt": ["A", "G"]})], ignore_index=True)  # an indel, an unknown sequence
    out = add_sequence_context(v, path)
    assert out["ref_context"].iloc[-2:].tolist() == ["", ""] and out.attrs["ref_mismatch"] == 0
    truth = v.iloc[:300].assign(CONTEXT=[s[p - 2:p + 1] for p in pos])
    pd.testing.assert_frame_equal(sbs96_catalogue(out.iloc[:300]), sbs96_catalogue(truth), check_like=True)
    assert sbs96_catalogue(out).to_numpy().sum() == 300 and list(sbs96_catalogue(out).columns) == list(SBS96_CHANNELS)
    wrong = v.iloc[:300].assign(ref=["A" if r != "A" else "C" for r in ref])
    assert add_sequence_context(wrong, path).attrs["ref_mismatch"] == 300
    with pytest.raises(InputError, match="already has a column 'ref_context'"):
        add_sequence_context(out, path)
