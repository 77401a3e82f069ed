"""Example inputs: the screen follows its Hill curves, every example file is read by its reader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist import io
from oncoresist._core._errors import InputError
from oncoresist.ds import EXAMPLE_FILES, example_file, example_screen
from oncoresist.kb._moalmanac import is_moalmanac, read_moalmanac
from oncoresist.kb._vocab import read_dgidb

_GENES = pd.DataFrame({"gene": ["EGFR"], "chrom": ["7"], "start": [55019017], "end": [55211628]})

# kind -> reader, and a check of what it read from the example
READERS = {
    "maf": (io.read_maf, lambda r: r["gene"].tolist() == ["EGFR"]),
    "vcf": (io.read_vcf, lambda r: r["vaf"].tolist() == [0.25]),
    "proteingroups": (io.read_maxquant, lambda r: list(r.var_names) == ["TP53"]),
    "phosphosites": (io.read_phosphosites, lambda r: list(r.var_names) == ["AKT1_T308"]),
    "screen": (io.read_dose_response, lambda r: r["dose"].tolist() == [0.0, 1.0]),
    "combinations": (io.read_combinations, lambda r: len(r) == 4),
    "matrix": (io.read_matrix, lambda r: r.shape == (2, 2)),
    "phospho_matrix": (io.read_phospho_matrix, lambda r: r.var["gene"].tolist() == ["AAAS", "AKT1"]),
    "clinical": (io.read_clinical, lambda r: r["survival_event"].tolist() == [1, 0]),
    "gistic": (lambda p: io.read_cnv_matrix(p, values="calls"), lambda r: r.shape == (2, 2)),
    "segments": (lambda p: io.read_cnv_segments(p, genes=_GENES), lambda r: r.to_df()["EGFR"].tolist() == [1.2]),
    "genes_bed": (io.read_gene_coordinates, lambda r: r["start"].tolist() == [55019017]),
    "ctdna": (io.read_ctdna, lambda r: len(r) == 3),
    "moalmanac": (read_moalmanac, lambda r: r[0]["profile"].tolist() == ["AR amplification"]),
    "dgidb": (read_dgidb, lambda r: r["drug"].tolist() == ["gefitinib"]),
}


def test_every_kind_has_a_reader_check():
    assert set(READERS) == set(EXAMPLE_FILES)


@pytest.mark.parametrize("kind", sorted(EXAMPLE_FILES))
def test_example_file_is_read_by_its_reader(kind, tmp_path):
    path = example_file(kind, tmp_path / "new")
    assert path.parent == tmp_path / "new" and path.name == EXAMPLE_FILES[kind][0]
    assert path.read_text() == EXAMPLE_FILES[kind][1]
    reader, check = READERS[kind]
    assert check(reader(path))


def test_example_file_name_default_folder_and_errors(tmp_path):
    p = example_file("matrix", tmp_path, name="table.h5mu")
    assert p == tmp_path / "table.h5mu" and p.read_text().startswith("gene\tS1")
    a, b = example_file("vcf"), example_file("vcf")
    assert a.parent != b.parent and a.is_file() and b.is_file()  # each call a fresh temporary folder
    assert is_moalmanac(example_file("moalmanac", tmp_path))
    with pytest.raises(InputError, match="kind 'bam'.*maf, vcf"):
        example_file("bam")


def test_example_screen_follows_the_hill_curve():
    s = example_screen({"A": 0.5, "B": 4.0}, drugs=["X", "Y", "Z"], doses=[0.5, 4.0, 0.0])
    assert list(s.columns) == ["sample", "drug", "dose", "response"]
    assert len(s) == 2 * 3 * 3 and s.index.tolist() == list(range(18))
    assert s["sample"].tolist()[:9] == ["A"] * 9 and s["drug"].tolist()[:3] == ["X"] * 3
    at_ic50 = s[((s["sample"] == "A") & (s["dose"] == 0.5)) | ((s["sample"] == "B") & (s["dose"] == 4.0))]
    np.testing.assert_allclose(at_ic50["response"], 0.5)
    assert (s.loc[s["dose"] == 0, "response"] == 1).all()
    default = example_screen()
    assert sorted(default["sample"].unique()) == ["A", "B"] and sorted(default["drug"].unique()) == ["D1", "D2"]
    np.testing.assert_allclose(np.unique(default["dose"]), np.logspace(-2, 1, 6))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"ic50": {}}, "at least one sample"),
    ({"drugs": []}, "at least one sample"),
    ({"doses": []}, "at least one sample"),
    ({"ic50": {"A": 0.0}}, "positive IC50"),
    ({"doses": [-1.0, 1.0]}, "non-negative doses"),
])
def test_example_screen_rejects_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        example_screen(**kwargs)
