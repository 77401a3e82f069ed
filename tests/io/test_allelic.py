"""Allele-specific copy-number segments: ASCAT / FACETS / Sequenza / scarHRD column names, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import ALLELIC_COLUMNS, read_allelic_segments


def test_ascat_style_table() -> None:
    df = pd.DataFrame({"sample": ["T1", "T1", "T0"], "chr": ["chr2", "chr1", "1"], "startpos": [5, 1, 1],
                       "endpos": [90, 50, 70], "nMajor": [2, 1, 1], "nMinor": [1, 0, 1]})
    out = read_allelic_segments(df)
    assert list(out.columns) == list(ALLELIC_COLUMNS)
    assert out[["sample", "chrom", "start"]].values.tolist() == [["T0", "1", 1], ["T1", "1", 1], ["T1", "2", 5]]
    assert out["total_cn"].tolist() == [2.0, 1.0, 3.0] and out.attrs["columns"]["minor_cn"] == "nMinor"


def test_facets_total_and_lesser_copy_number() -> None:
    df = pd.DataFrame({"ID": ["F"], "chrom": [17], "start": [100], "end": [900], "tcn.em": [3], "lcn.em": [0]})
    out = read_allelic_segments(df)
    assert out[["chrom", "total_cn", "major_cn", "minor_cn"]].values.tolist() == [["17", 3.0, 3.0, 0.0]]


def test_scarhrd_allele_pair_ordered_by_content_and_ploidy(tmp_path: Path) -> None:
    p = tmp_path / "seg.txt"
    p.write_text("SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy\n"
                 "P1\tchr1\t14574\t952448\t5\t0\t5\t3.7\nP1\tchr1\t953394\t1259701\t3\t2\t1\t3.7\n")
    out = read_allelic_segments(p)
    assert out["major_cn"].tolist() == [5.0, 2.0] and out["minor_cn"].tolist() == [0.0, 1.0]
    assert out["ploidy"].tolist() == [3.7, 3.7]


def test_sequenza_single_sample_file(tmp_path: Path) -> None:
    p = tmp_path / "x_segments.txt"
    p.write_text('"chromosome"\t"start.pos"\t"end.pos"\t"CNt"\t"A"\t"B"\n"chr3"\t10\t20\t2\t2\t0\n')
    with pytest.raises(InputError, match="pass sample="):
        read_allelic_segments(p)
    out = read_allelic_segments(p, sample="S9")
    assert out[["sample", "chrom", "major_cn", "minor_cn"]].values.tolist() == [["S9", "3", 2.0, 0.0]]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.drop(columns=["nMinor"]), "Total copy number alone cannot show LOH"),
        (lambda d: d.drop(columns=["chr"]), "lacks a chromosome column"),
        (lambda d: d.assign(nMinor=["x", 1]), "non-numeric value 'x' at data row 1 \\(sample T1\\)"),
        (lambda d: d.assign(endpos=[0, 90]), "end >= start"),
        (lambda d: d.assign(nMajor=[-1, 1]), "negative copy number"),
        (lambda d: d.iloc[:0], "no segments"),
    ],
)
def test_bad_tables_raise_input_error(change, match: str) -> None:  # noqa: ANN001
    df = pd.DataFrame({"sample": ["T1", "T1"], "chr": ["1", "2"], "startpos": [1, 5], "endpos": [50, 90],
                       "nMajor": [1, 2], "nMinor": [0, 1], "nTotal": [1, 3]})
    with pytest.raises(InputError, match=match):
        read_allelic_segments(change(df))


def test_missing_copy_number_rows_are_dropped_with_a_warning() -> None:
    df = pd.DataFrame({"sample": ["T1", "T1"], "chr": ["1", "2"], "startpos": [1, 5], "endpos": [50, 90],
                       "nMajor": [1, None], "nMinor": [0, 1]})
    with pytest.warns(UserWarning, match="1 segment"):
        out = read_allelic_segments(df)
    assert len(out) == 1


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_allelic_segments(tmp_path / "absent.tsv")
