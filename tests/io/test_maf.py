"""Tests for read_maf, the variant-table helpers and variants_to_anndata."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import (
    NONSYNONYMOUS_CLASSES,
    normalize_chrom,
    read_h5mu,
    read_maf,
    short_protein_change,
    variants_to_anndata,
    write_h5mu,
)
from oncoresist.io._variants import (
    VARIANT_COLUMNS,
    consequence_to_class,
    variant_type,
    vcf_allele_to_maf,
)

HEADER = [
    "Hugo_Symbol", "Entrez_Gene_Id", "Chromosome", "Start_Position", "End_Position", "Strand",
    "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "HGVSc", "HGVSp",
    "HGVSp_Short", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "Consequence", "FILTER",
]  # fmt: skip

ROWS = [
    ["EGFR", "1956", "chr7", "55181378", "55181378", "+", "Missense_Mutation", "SNP", "C", "C", "T",
     "P01_T", "P01_N", "c.2369C>T", "p.Thr790Met", "p.T790M", "100", "75", "25", "80", "missense_variant", "PASS"],
    ["TP53", "7157", "chr17", "7675089", "7675089", "+", "Frame_Shift_Del", "DEL", "A", "A", "-",
     "P01_T", "P01_N", "c.523delT", "p.Cys175AlafsTer5", "p.C175Afs*5", "60", "30", "30", "70", "frameshift_variant", "PASS"],
    ["TP53", "7157", "chr17", "7673802", "7673802", "+", "Silent", "SNP", "G", "G", "A",
     "P02_T", "P02_N", "c.747C>T", "p.Arg249=", "p.R249=", "50", "40", "10", "40", "synonymous_variant", "PASS"],
    ["KRAS", "3845", "chr12", "25245350", "25245350", "+", "Missense_Mutation", "SNP", "C", "A", "C",
     "P02_T", "P02_N", "c.35G>T", "p.Gly12Val", "", "40", "28", "12", "45", "missense_variant", "PASS"],
    ["PIK3CA", "5290", "chrM", "100", "101", "+", "In_Frame_Ins", "INS", "-", "-", "GCA",
     "P03_T", "P03_N", "c.1624_1625insGCA", "p.Glu542_Lys543insAla", "", "", "", "", "", "inframe_insertion", "PASS"],
]  # fmt: skip


def write_maf(path: Path, header: list[str], rows: list[list[str]], *, comments: bool = True) -> Path:
    lines = ["#version 2.4", "## produced by a test"] if comments else []
    lines.append("\t".join(header))
    lines += ["\t".join(r) for r in rows]
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


@pytest.fixture
def maf_path(tmp_path: Path) -> Path:
    return write_maf(tmp_path / "cohort.maf", HEADER, ROWS)


# --------------------------------------------------------------------------------------------
# read_maf
# --------------------------------------------------------------------------------------------
def test_read_maf_canonical_columns_and_values(maf_path: Path) -> None:
    df = read_maf(maf_path)
    assert list(df.columns[: len(VARIANT_COLUMNS)]) == list(VARIANT_COLUMNS)
    assert len(df) == len(ROWS)
    assert df["sample"].tolist() == ["P01_T", "P01_T", "P02_T", "P02_T", "P03_T"]
    assert df["chrom"].tolist() == ["7", "17", "17", "12", "MT"]
    assert df["start"].dtype == np.int64 and df["end"].dtype == np.int64
    # Allele2 equal to the reference -> Allele1 is the alternate
    kras = df.loc[df["gene"] == "KRAS"].iloc[0]
    assert (kras["ref"], kras["alt"]) == ("C", "A")
    # short protein change: given, or converted from HGVSp when the short one is empty
    assert df["protein_change"].tolist() == ["p.T790M", "p.C175Afs*5", "p.R249=", "p.G12V", "p.E542_K543insA"]
    assert df["hgvsp"].iloc[0] == "p.Thr790Met"
    np.testing.assert_allclose(df["vaf"].to_numpy()[:4], [0.25, 0.5, 0.2, 0.3])
    assert np.isnan(df["vaf"].iloc[4])
    # default extras, snake case
    for col in ("normal_sample", "entrez_id", "t_ref_count", "n_depth", "consequence", "filter", "strand"):
        assert col in df.columns
    assert df["entrez_id"].dtype.kind in "if"
    assert df.attrs["source"].endswith("cohort.maf")


def test_read_maf_gz_any_column_order_and_case(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    order = rng.permutation(len(HEADER))
    header = [HEADER[i].lower() if HEADER[i] == "Hugo_Symbol" else HEADER[i] for i in order]
    rows = [[r[i] for i in order] for r in ROWS]
    shuffled = read_maf(write_maf(tmp_path / "x.maf.gz", header, rows))
    plain = read_maf(write_maf(tmp_path / "y.maf", HEADER, ROWS, comments=False))
    pd.testing.assert_frame_equal(shuffled[list(VARIANT_COLUMNS)], plain[list(VARIANT_COLUMNS)])


def test_read_maf_vaf_column_and_percent_scale(tmp_path: Path) -> None:
    header = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele",
              "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "Variant_Classification", "tumor_f"]  # fmt: skip
    rows = [["BRAF", "7", "140753336", "140753336", "A", "T", "S1", "Missense_Mutation", "0.31"],
            ["NRAS", "1", "114716126", "114716126", "C", "T", "S1", "Missense_Mutation", ""]]  # fmt: skip
    df = read_maf(write_maf(tmp_path / "f.maf", header, rows))
    assert df["vaf"].iloc[0] == pytest.approx(0.31)
    assert np.isnan(df["vaf"].iloc[1])
    assert df["variant_type"].tolist() == ["SNP", "SNP"]  # derived from the alleles
    rows_pct = [[*r[:-1], "31"] for r in rows[:1]] + [[*rows[1][:-1], "64"]]
    with pytest.warns(UserWarning, match="percentage"):
        pct = read_maf(write_maf(tmp_path / "p.maf", header, rows_pct))
    np.testing.assert_allclose(pct["vaf"], [0.31, 0.64])


def test_read_maf_counts_beyond_depth_warn_and_blank(tmp_path: Path) -> None:
    rows = [r.copy() for r in ROWS[:1]]
    rows[0][HEADER.index("t_alt_count")] = "150"
    with pytest.warns(UserWarning, match="outside"):
        df = read_maf(write_maf(tmp_path / "bad.maf", HEADER, rows))
    assert np.isnan(df["vaf"].iloc[0])
    assert df["t_alt_count"].iloc[0] == 150  # the counts themselves are kept


def test_read_maf_keep_columns(maf_path: Path) -> None:
    all_cols = read_maf(maf_path, keep_columns="all")
    assert "Matched_Norm_Sample_Barcode" in all_cols.columns and "Strand" in all_cols.columns
    assert "Hugo_Symbol" not in all_cols.columns  # already the 'gene' column
    some = read_maf(maf_path, keep_columns=["FILTER"])
    assert list(some.columns) == [*VARIANT_COLUMNS, "FILTER"]
    with pytest.raises(InputError, match="keep_columns names column"):
        read_maf(maf_path, keep_columns=["NotThere"])


def test_read_maf_sample_column_option(tmp_path: Path) -> None:
    header = [h if h != "Tumor_Sample_Barcode" else "Patient" for h in HEADER]
    p = write_maf(tmp_path / "s.maf", header, ROWS)
    with pytest.raises(InputError, match="sample column 'Tumor_Sample_Barcode'"):
        read_maf(p)
    assert read_maf(p, sample_column="Patient")["sample"].iloc[0] == "P01_T"


@pytest.mark.parametrize(
    ("drop", "pattern"),
    [("Hugo_Symbol", "lacks the 'Hugo_Symbol' column"), ("Tumor_Sample_Barcode", "lacks the sample column")],
)
def test_read_maf_missing_columns(tmp_path: Path, drop: str, pattern: str) -> None:
    keep = [i for i, h in enumerate(HEADER) if h != drop]
    p = write_maf(tmp_path / "m.maf", [HEADER[i] for i in keep], [[r[i] for i in keep] for r in ROWS])
    with pytest.raises(InputError, match=pattern) as exc:
        read_maf(p)
    assert "\n" not in str(exc.value)


def test_read_maf_non_numeric_position(tmp_path: Path) -> None:
    rows = [r.copy() for r in ROWS]
    rows[2][HEADER.index("Start_Position")] = "7673802a"
    with pytest.raises(InputError) as exc:
        read_maf(write_maf(tmp_path / "n.maf", HEADER, rows))
    msg = str(exc.value)
    assert "Start_Position" in msg and "'7673802a'" in msg and "P02_T" in msg and "row 3" in msg
    assert "\n" not in msg


def test_read_maf_not_a_maf(tmp_path: Path) -> None:
    p = tmp_path / "x.maf"
    p.write_text("#only comments\n")
    with pytest.raises(InputError, match="no header"):
        read_maf(p)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("long", "short"),
    [
        ("p.Thr790Met", "p.T790M"),
        ("p.Arg301GlyfsTer107", "p.R301Gfs*107"),
        ("p.Gln61Ter", "p.Q61*"),
        ("p.Glu746_Ala750del", "p.E746_A750del"),
        ("p.Ala767_Val769dup", "p.A767_V769dup"),
        ("p.Glu746_Thr751delinsAla", "p.E746_T751delinsA"),
        ("p.Glu542_Lys543insAla", "p.E542_K543insA"),
        ("p.Leu858=", "p.L858="),
        ("p.Leu858%3D", "p.L858="),
        ("p.Ter1168LeuextTer2", "p.*1168Lext*2"),
        ("p.Met1?", "p.M1?"),
        ("ENSP00000275493.2:p.Thr790Met", "p.T790M"),
        ("p.(Val600Glu)", "p.V600E"),
        ("V600E", "p.V600E"),
        ("p.X125_splice", "p.X125_splice"),
        ("p.G12C", "p.G12C"),
    ],
)
def test_short_protein_change(long: str, short: str) -> None:
    assert short_protein_change([long])[0] == short


def test_short_protein_change_missing() -> None:
    out = short_protein_change([None, np.nan, "", "."])
    assert all(pd.isna(v) for v in out)


def test_normalize_chrom() -> None:
    got = list(normalize_chrom(["chr7", "7", "CHRX", "x", "chrM", "M", "MT", 12.0, "chr1_KI270706v1_random", "23"]))
    assert got == ["7", "7", "X", "X", "MT", "MT", "MT", "12", "1_KI270706v1_random", "23"]


def test_variant_type_and_vcf_alleles() -> None:
    assert list(variant_type(["A", "AC", "ACG", "ACGT", "-", "A", "AT"], ["T", "GT", "TTT", "TTTT", "C", "-", "G"])) == [
        "SNP", "DNP", "TNP", "ONP", "INS", "DEL", "DEL",
    ]  # fmt: skip
    assert vcf_allele_to_maf(100, "C", "T") == (100, 100, "C", "T")
    assert vcf_allele_to_maf(100, "CAT", "C") == (101, 102, "AT", "-")
    assert vcf_allele_to_maf(100, "C", "CGG") == (100, 101, "-", "GG")
    assert vcf_allele_to_maf(100, "CA", "TG") == (100, 101, "CA", "TG")


@pytest.mark.parametrize(
    ("consequence", "ref", "alt", "expected"),
    [
        ("missense_variant", "C", "T", "Missense_Mutation"),
        ("stop_gained", "C", "T", "Nonsense_Mutation"),
        ("frameshift_variant", "A", "-", "Frame_Shift_Del"),
        ("frameshift_variant", "-", "A", "Frame_Shift_Ins"),
        ("inframe_deletion", "AAA", "-", "In_Frame_Del"),
        ("disruptive_inframe_insertion", "-", "GCA", "In_Frame_Ins"),
        ("splice_acceptor_variant&intron_variant", "G", "A", "Splice_Site"),
        ("splice_region_variant&synonymous_variant", "G", "A", "Splice_Region"),
        ("synonymous_variant", "G", "A", "Silent"),
        ("stop_lost", "T", "C", "Nonstop_Mutation"),
        ("start_lost", "T", "C", "Translation_Start_Site"),
        ("3_prime_UTR_variant", "T", "C", "3'UTR"),
        ("intergenic_region", "T", "C", "IGR"),
        ("protein_altering_variant", "AT", "-", "Frame_Shift_Del"),
        ("something_new", "T", "C", "Targeted_Region"),
    ],
)
def test_consequence_to_class(consequence: str, ref: str, alt: str, expected: str) -> None:
    assert consequence_to_class(consequence, ref, alt) == expected


# --------------------------------------------------------------------------------------------
# variants_to_anndata
# --------------------------------------------------------------------------------------------
def test_variants_to_anndata_binary_vaf_and_samples(maf_path: Path) -> None:
    v = read_maf(maf_path)
    a = variants_to_anndata(v, samples=["P01_T", "P02_T", "P03_T", "P04_T"])
    assert list(a.obs_names) == ["P01_T", "P02_T", "P03_T", "P04_T"]
    # TP53 silent in P02 does not count; PIK3CA in-frame insertion does
    assert list(a.var_names) == ["EGFR", "KRAS", "PIK3CA", "TP53"]
    assert a.X.dtype == np.float32
    expected = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]], dtype=np.float32)
    np.testing.assert_array_equal(a.X, expected)
    np.testing.assert_allclose(a.layers["vaf"][0, [0, 3]], [0.25, 0.5])
    assert np.isnan(a.layers["vaf"][2, 2])  # mutated, VAF unknown
    assert np.isnan(a.layers["vaf"][3]).all()
    assert a.var["n_mutated"].tolist() == [1, 1, 1, 1]
    assert a.obs["n_variants"].tolist() == [2, 2, 1, 0]
    assert len(a.uns["variants"]) == len(v)  # all classes kept
    assert a.uns["mut"]["params"]["include"] == sorted(NONSYNONYMOUS_CLASSES)


def test_variants_to_anndata_max_vaf_count_and_include() -> None:
    v = pd.DataFrame(
        {
            "sample": ["S1", "S1", "S1", "S2"],
            "gene": ["TP53", "TP53", "EGFR", "EGFR"],
            "variant_class": ["Missense_Mutation", "Nonsense_Mutation", "Silent", "Silent"],
            "vaf": [0.2, 0.7, 0.4, np.nan],
        }
    )
    a = variants_to_anndata(v, value="count")
    assert a.to_df().loc["S1", "TP53"] == 2
    assert a.layers["vaf"][0, 0] == pytest.approx(0.7)
    b = variants_to_anndata(v, value="vaf", include=["Missense_Mutation", "Nonsense_Mutation", "Silent"])
    df = b.to_df()
    assert df.loc["S1", "TP53"] == pytest.approx(0.7) and df.loc["S1", "EGFR"] == pytest.approx(0.4)
    assert np.isnan(df.loc["S2", "EGFR"])  # mutated, VAF unknown
    with pytest.raises(InputError, match="value="):
        variants_to_anndata(v, value="presence")  # type: ignore[arg-type]


def test_variants_to_anndata_warns_for_unlisted_samples_and_missing_columns() -> None:
    v = pd.DataFrame({"sample": ["S1", "X9"], "gene": ["KRAS", "KRAS"], "variant_class": ["Missense_Mutation"] * 2})
    with pytest.warns(UserWarning, match="X9"):
        a = variants_to_anndata(v, samples=["S1", "S2"])
    assert list(a.obs_names) == ["S1", "S2"] and a.X.sum() == 1
    assert set(a.uns["variants"]["sample"]) == {"S1"}
    with pytest.raises(InputError, match="'variant_class'"):
        variants_to_anndata(v.drop(columns="variant_class"))
    with pytest.raises(InputError, match="more than once"):
        variants_to_anndata(v, samples=["S1", "S1"])


def test_variants_to_anndata_writes_h5mu(maf_path: Path, tmp_path: Path) -> None:
    a = variants_to_anndata(read_maf(maf_path))
    out = tmp_path / "c.h5mu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_h5mu(md.MuData({"mut": a}), out)
    back = read_h5mu(out)["mut"]
    np.testing.assert_array_equal(back.X, a.X)
    assert back.uns["variants"]["protein_change"].astype(str).tolist()[0] == "p.T790M"


# --------------------------------------------------------------------------------------------
# real data (CPTAC UCEC, Dou et al. 2020)
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_cptac_ucec_maf(shared_data: Path) -> None:
    path = shared_data / "cptac_ucec" / "somatic.maf.gz"
    df = read_maf(path)
    assert len(df) > 50_000
    assert df["sample"].nunique() >= 95
    assert df["sample"].str.match(r"^C3[LN]-\d{5}_T$").all()
    assert df["vaf"].between(0, 1).all()
    pc = df["protein_change"].dropna()
    assert pc.str.match(r"^p\.[A-Z*]").all()
    assert not pc.str.contains(r"[A-Z][a-z]{2}\d").any()  # no three-letter codes left
    # our long -> short conversion agrees with the file's HGVSp_Short except vcf2maf's splice notation
    conv = short_protein_change(df["hgvsp"])
    both = pd.notna(conv) & df["protein_change"].notna().to_numpy()
    differ = both & (conv != df["protein_change"].to_numpy())
    assert both.sum() > 40_000
    assert df.loc[differ, "protein_change"].str.endswith("_splice").all()
    # biology: PTEN is the most frequently mutated gene of endometrial carcinoma, with its R130
    # hotspot; PIK3CA and ARID1A follow; KRAS mutations sit at codons 12/13 (Dou et al. 2020)
    a = variants_to_anndata(df)
    frac = (a.var["n_mutated"] / a.n_obs).sort_values(ascending=False)
    assert frac.index[0] == "PTEN" and frac["PTEN"] > 0.5
    assert {"PIK3CA", "ARID1A"} <= set(frac.index[:5])
    pten = df.loc[df["gene"] == "PTEN", "protein_change"].dropna()
    assert pten.str.match(r"^p\.R130[A-Z*]").sum() >= 10
    kras = df.loc[(df["gene"] == "KRAS") & (df["variant_class"] == "Missense_Mutation"), "protein_change"]
    assert kras.str.match(r"^p\.G1[23][A-Z]$").mean() > 0.8


# --------------------------------------------------------------------------------------------
# variants_to_anndata steps
# --------------------------------------------------------------------------------------------
def test_check_variant_table_step() -> None:
    from oncoresist.io._variants import _check_variant_table

    ok = pd.DataFrame({"sample": ["S1"], "gene": ["G"], "variant_class": ["Silent"]})
    _check_variant_table(ok, "count")
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        _check_variant_table([1, 2], "binary")
    with pytest.raises(InputError, match="lacks column"):
        _check_variant_table(ok.drop(columns="gene"), "binary")
    with pytest.raises(InputError, match="not supported"):
        _check_variant_table(ok, "mean")


def test_sample_column_step() -> None:
    from oncoresist.io._variants import _sample_column

    t = _sample_column(pd.DataFrame({"sample": [1, 2], "gene": ["A", "B"]}))
    assert t["sample"].tolist() == ["1", "2"]
    with pytest.raises(InputError, match="without a sample ID"):
        _sample_column(pd.DataFrame({"sample": ["S1", None], "gene": ["A", "B"]}))


def test_restrict_to_samples_step() -> None:
    from oncoresist.io._variants import _restrict_to_samples

    t = pd.DataFrame({"sample": ["S2", "S1", "S9"], "gene": ["A", "B", "C"]})
    same, obs = _restrict_to_samples(t, None)
    assert list(obs) == ["S2", "S1", "S9"] and len(same) == 3
    with pytest.warns(UserWarning, match="not in samples="):
        kept, obs = _restrict_to_samples(t, ["S1", "S2", "S3"])
    assert list(obs) == ["S1", "S2", "S3"] and kept["sample"].tolist() == ["S2", "S1"]
    with pytest.raises(InputError, match="more than once"):
        _restrict_to_samples(t, ["S1", "S1"])


def test_qualifying_variants_step() -> None:
    from oncoresist.io._variants import CALL_CLASS, _qualifying_variants

    t = pd.DataFrame({"sample": ["S1"] * 4, "gene": ["A", "B", "", "D"],
                      "variant_class": ["Missense_Mutation", "Silent", "Nonsense_Mutation", CALL_CLASS]})  # fmt: skip
    with pytest.warns(UserWarning, match="no gene symbol"):
        q = _qualifying_variants(t, NONSYNONYMOUS_CLASSES, default_include=True)
    assert q["gene"].tolist() == ["A", "D"]
    q = _qualifying_variants(t.iloc[[0, 1, 3]], frozenset({"Silent"}), default_include=False)
    assert q["gene"].tolist() == ["B"]


def test_gene_counts_and_vaf_step() -> None:
    from oncoresist.io._variants import _gene_counts_and_vaf

    q = pd.DataFrame({"sample": ["S1", "S1", "S2"], "gene": ["TP53", "TP53", "EGFR"], "vaf": [0.2, 0.5, np.nan]})
    genes, counts, vaf = _gene_counts_and_vaf(q, pd.Index(["S1", "S2", "S3"]))
    assert list(genes) == ["EGFR", "TP53"]
    assert counts.tolist() == [[0.0, 2.0], [1.0, 0.0], [0.0, 0.0]]
    assert vaf[0, 1] == 0.5 and np.isnan(vaf[1, 0])


def test_mut_anndata_step() -> None:
    from oncoresist.io._variants import _mut_anndata

    table = pd.DataFrame({"sample": ["S1", "S1"], "gene": ["A", "B"]})
    counts = np.array([[2.0], [0.0]])
    vaf = np.array([[0.3], [np.nan]])
    a = _mut_anndata(table, pd.Index(["S1", "S2"]), pd.Index(["A"]), counts, vaf, "vaf")
    assert a.X.tolist() == [[pytest.approx(0.3)], [0.0]]
    assert a.obs["n_variants"].tolist() == [2, 0] and a.var["n_mutated"].tolist() == [1]
    assert _mut_anndata(table, pd.Index(["S1", "S2"]), pd.Index(["A"]), counts, vaf, "count").X.tolist() == [[2.0], [0.0]]


# --------------------------------------------------------------------------------------------
# read_maf steps
# --------------------------------------------------------------------------------------------
def _maf_frame(**extra: list[object]) -> pd.DataFrame:
    base = {"Hugo_Symbol": ["EGFR", "KRAS"], "Chromosome": ["chr7", "12"], "Start_Position": [100, 200],
            "Reference_Allele": ["C", "-"], "Tumor_Seq_Allele1": ["C", "-"], "Tumor_Seq_Allele2": ["T", "A"],
            "Tumor_Sample_Barcode": ["P1", "P2"]}  # fmt: skip
    return pd.DataFrame({**base, **extra})


def test_maf_wanted_step() -> None:
    from oncoresist.io._maf import _maf_wanted

    assert _maf_wanted("Tumor_Sample_Barcode", "all") is None
    w = _maf_wanted("MySample", None)
    assert w("hugo_symbol") and w("mysample") and w("SIFT") and not w("Other")
    assert _maf_wanted("S", ["Other"])("other")


def test_maf_id_columns_step() -> None:
    from oncoresist.io._maf import _maf_id_columns

    assert _maf_id_columns(_maf_frame(), "Tumor_Sample_Barcode", "x.maf") == ("Hugo_Symbol", "Tumor_Sample_Barcode")
    df = _maf_frame().rename(columns={"Tumor_Sample_Barcode": "sample_id"})
    assert _maf_id_columns(df, "Tumor_Sample_Barcode", "x.maf")[1] == "sample_id"
    with pytest.raises(InputError, match="sample column 'Tumour'"):
        _maf_id_columns(df, "Tumour", "x.maf")
    with pytest.raises(InputError, match="Hugo_Symbol"):
        _maf_id_columns(df.drop(columns="Hugo_Symbol"), "sample_id", "x.maf")


def test_maf_allele_columns_step() -> None:
    from oncoresist.io._maf import _maf_allele_columns

    cols = _maf_allele_columns(_maf_frame(), "x.maf")
    assert cols["end"] is None and cols["alt2"] == "Tumor_Seq_Allele2"
    with pytest.raises(InputError, match="'Reference_Allele'"):
        _maf_allele_columns(_maf_frame().drop(columns="Reference_Allele"), "x.maf")


def test_maf_sites_step() -> None:
    from oncoresist.io._maf import _maf_allele_columns, _maf_sites

    df = _maf_frame()
    out = _maf_sites(df, _maf_allele_columns(df, "x.maf"), "Tumor_Sample_Barcode", "x.maf")
    assert out["chrom"].tolist() == ["7", "12"]
    assert out["end"].tolist() == [100, 201]  # insertion spans two bases
    assert out["alt"].tolist() == ["T", "A"]
    bad = _maf_frame(Tumor_Sample_Barcode=["P1", ""])
    with pytest.raises(InputError, match="empty"):
        _maf_sites(bad, _maf_allele_columns(bad, "x.maf"), "Tumor_Sample_Barcode", "x.maf")


def test_maf_classes_step() -> None:
    from oncoresist.io._maf import _maf_classes

    df = _maf_frame(Variant_Classification=[np.nan, "Silent"], Consequence=["missense_variant", "synonymous_variant"])
    out = pd.DataFrame({"ref": ["C", "-"], "alt": ["T", "A"]})
    used = _maf_classes(df, out)
    assert used == ["Variant_Classification"]
    assert out["variant_class"].tolist() == ["Missense_Mutation", "Silent"]
    assert out["variant_type"].tolist() == ["SNP", "INS"]


def test_maf_protein_changes_step() -> None:
    from oncoresist.io._maf import _maf_protein_changes

    df = _maf_frame(HGVSp_Short=["p.T790M", np.nan], HGVSp=["p.Thr790Met", "p.Gly12Asp"])
    out = pd.DataFrame(index=range(2))
    assert _maf_protein_changes(df, out) == ["HGVSp_Short", "HGVSp"]
    assert out["protein_change"].tolist() == ["p.T790M", "p.G12D"]
    assert out["hgvsc"].isna().all()


def test_maf_depth_and_vaf_step() -> None:
    from oncoresist.io._maf import _maf_depth_and_vaf

    out = pd.DataFrame(index=range(2))
    vaf, used = _maf_depth_and_vaf(_maf_frame(t_alt_count=[5, 2], t_ref_count=[5, 6]), out, "x.maf")
    assert used == ["t_alt_count"] and out["t_depth"].tolist() == [10.0, 8.0]
    assert vaf.tolist() == [0.5, 0.25]
    with pytest.warns(UserWarning, match="percentage"):
        vaf, _ = _maf_depth_and_vaf(_maf_frame(tumor_f=[40.0, 10.0]), pd.DataFrame(index=range(2)), "x.maf")
    assert vaf.tolist() == [0.4, 0.1]


def test_maf_extra_columns_step() -> None:
    from oncoresist.io._maf import _maf_extra_columns

    df = _maf_frame(SIFT=["tolerated", "deleterious"], gene=["x", "y"])
    out = pd.DataFrame({"sample": ["P1", "P2"]})
    assert _maf_extra_columns(df, out, None, set(), "x.maf")["sift"].tolist() == ["tolerated", "deleterious"]
    assert "gene_input" in _maf_extra_columns(df, out, ["gene"], set(), "x.maf").columns
    with pytest.raises(InputError, match="absent"):
        _maf_extra_columns(df, out, ["nope"], set(), "x.maf")


def test_short_and_long_one_share_the_cleaning() -> None:
    from oncoresist.io._variants import _long_one, _short_one

    assert _long_one("ENSP1.2:p.Leu858%3D") == "p.Leu858=" and _short_one("ENSP1.2:p.Leu858%3D") == "p.L858="
    for empty in (None, np.nan, "", ".", "-", "NA"):
        assert pd.isna(_long_one(empty)) and pd.isna(_short_one(empty))
    assert _short_one("p.(Thr790Met)") == "p.T790M" and _short_one("V600E") == "p.V600E"


def test_truncated_maf_is_an_error_not_fewer_samples(tmp_path: Path) -> None:
    """Issue 17: a MAF cut mid-line kept 12 of 20 samples without a word."""
    rows = []
    for i in range(20):
        r = list(ROWS[0])
        r[HEADER.index("Tumor_Sample_Barcode")] = f"P{i:02d}_T"
        rows.append("\t".join(r))
    text = "#version 2.4\n" + "\t".join(HEADER) + "\n" + "\n".join(rows) + "\n"
    full = tmp_path / "full.maf"
    full.write_text(text)
    assert read_maf(full)["sample"].nunique() == 20
    cut = tmp_path / "cut.maf"
    cut.write_text(text[: text.index("P12_T") + 3])
    with pytest.raises(InputError, match=r"cut\.maf'?: line 15 has 12 fields, expected 22 and the file does not end"):
        read_maf(cut)


def test_header_only_maf_warns_that_it_holds_no_variant(tmp_path) -> None:
    p = tmp_path / "h.maf"
    p.write_text("#version 2.4\nHugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\t"
                 "Tumor_Sample_Barcode\tVariant_Classification\n")
    with pytest.warns(UserWarning, match=r"h.maf' holds no variant row \(header only\).*re-export"):
        out = read_maf(p)
    assert len(out) == 0
