"""Genome-wide biomarkers: TMB, MSI, SBS-96 catalogues and signature fitting."""

from __future__ import annotations

import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import nnls

from oncoresist._core._errors import InputError
from oncoresist.io import variants_to_anndata
from oncoresist.tl import (
    SBS96_CHANNELS,
    add_biomarkers,
    biomarker_table,
    fit_msi_classifier,
    fit_signatures,
    has_sequence_context,
    msi_features,
    msi_status,
    nnls_batch,
    read_signatures,
    sbs96_catalogue,
    tumour_mutational_burden,
)

BASES = np.array(list("ACGT"))


def _calls(rng: np.random.Generator, n_snv: int, n_indel: int, sample: str, *, homopolymer: float = 0.0) -> pd.DataFrame:
    """Synthetic calls of one sample: SNVs (missense) and 1-bp deletions, some in A-homopolymers."""
    ref = rng.choice(BASES, n_snv)
    alt = np.array([rng.choice(BASES[BASES != r]) for r in ref])
    ctx = ["".join(rng.choice(BASES, 5)) + r + "".join(rng.choice(BASES, 5)) for r in ref]
    snv = pd.DataFrame({"ref": ref, "alt": alt, "variant_type": "SNP", "variant_class": "Missense_Mutation", "CONTEXT": ctx})
    in_run = rng.random(n_indel) < homopolymer
    ictx = ["GCAAA" + "A" + "AAGCG" if h else "CGCTG" + "A" + "CTGCG" for h in in_run]
    ind = pd.DataFrame({"ref": "A", "alt": "-", "variant_type": "DEL", "variant_class": "Frame_Shift_Del", "CONTEXT": ictx})
    out = pd.concat([snv, ind], ignore_index=True)
    out.insert(0, "sample", sample)
    out["gene"] = "G"
    out["vaf"], out["t_depth"] = 0.3, 100.0
    return out


# ----------------------------------------------------------------------------------------- TMB
def test_tmb_counts_nonsynonymous_per_mb_and_calls_high() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4 + ["B"] * 2,
                      "variant_class": ["Missense_Mutation", "Nonsense_Mutation", "Silent", "Intron",
                                        "Frame_Shift_Ins", "3'UTR"]})
    t = tumour_mutational_burden(v, callable_mb=0.2, samples=["A", "B", "C"])
    assert t["n_coding"].tolist() == [2, 1, 0]
    np.testing.assert_allclose(t["tmb"], [10.0, 5.0, 0.0])
    assert t["tmb_high"].tolist() == [True, False, False]  # 10 / Mb is TMB-high (>=)
    allv = tumour_mutational_burden(v, callable_mb=0.2, count="all")
    assert allv["n_coding"].tolist() == [4, 2]
    assert t.attrs["territory"] == "declared" and tumour_mutational_burden(v).attrs["callable_mb"] == 30.0


def test_tmb_filters_vaf_depth_population_af() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4, "variant_class": ["Missense_Mutation"] * 4, "vaf": [0.02, 0.3, 0.3, np.nan],
                      "t_depth": [100, 5, 100, 100], "gnomAD_AF": [0.0, 0.0, 0.2, 0.0]})
    assert tumour_mutational_burden(v, callable_mb=1, min_vaf=None, max_population_af=None)["n_coding"].item() == 4
    t = tumour_mutational_burden(v, callable_mb=1, min_depth=10)
    assert t["n_coding"].item() == 1  # only the row with missing VAF, depth 100 and AF 0 survives
    assert t.attrs["filters"] == {"min_vaf": 0.05, "min_depth": 10.0, "max_population_af": 0.01, "population_af_column": "gnomAD_AF"}


def test_tmb_territory_from_bed_merges_overlaps(tmp_path: Path) -> None:
    bed = tmp_path / "panel.bed"
    bed.write_text("track name=panel\nchr1\t0\t400000\nchr1\t300000\t500000\nchr2\t0\t500000\n")
    v = pd.DataFrame({"sample": ["A"] * 5, "variant_class": ["Missense_Mutation"] * 5})
    t = tumour_mutational_burden(v, target_bed=bed)
    assert t.attrs["callable_mb"] == pytest.approx(1.0) and t["tmb"].item() == pytest.approx(5.0)
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t10\tx\n")
    with pytest.raises(InputError, match="chrom, start, end"):
        tumour_mutational_burden(v, target_bed=bad)
    with pytest.raises(InputError, match="not both"):
        tumour_mutational_burden(v, target_bed=bed, callable_mb=1)


def test_tmb_bad_input() -> None:
    with pytest.raises(InputError, match="variant_class"):
        tumour_mutational_burden(pd.DataFrame({"sample": ["A"]}))
    with pytest.raises(InputError, match="DataFrame"):
        tumour_mutational_burden([1, 2])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="positive"):
        tumour_mutational_burden(pd.DataFrame({"sample": ["A"], "variant_class": ["Silent"]}), callable_mb=-1)


# ----------------------------------------------------------------------------------------- MSI
def test_msi_homopolymer_share_from_context(rng: np.random.Generator) -> None:
    v = pd.concat([_calls(rng, 50, 40, "msi", homopolymer=0.75), _calls(rng, 50, 4, "mss", homopolymer=0.0)])
    f = msi_features(v, callable_mb=10).set_index("sample")
    assert f.attrs["repeat_source"] == "context:CONTEXT"
    assert f.loc["msi", "n_indel"] == 40 and f.loc["mss", "repeat_share"] == 0.0
    n_run = int((v[v["sample"] == "msi"]["CONTEXT"] == "GCAAAAAAGCG").sum())
    assert f.loc["msi", "repeat_share"] == pytest.approx(n_run / 40)
    assert f.loc["msi", "repeat_indels_per_mb"] == pytest.approx(n_run / 10)


def test_msi_context_runs_by_hand() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4, "ref": ["A", "-", "C", "T"], "alt": ["-", "T", "-", "-"],
                      "variant_type": ["DEL", "INS", "DEL", "DEL"],
                      "CONTEXT": ["GGAAAAAAGGG", "CCTTTTTGGG", "ACGTACGTACG", "GGCTTTCAGGG"]})
    # run of 6 A incl. the deleted base; insertion into TTTTT (5); no run; TTT only 3 (+1 deleted = 4 < 5)
    assert msi_features(v, callable_mb=1)["repeat_share"].item() == pytest.approx(2 / 4)


def test_msi_without_context_uses_indel_length_share() -> None:
    v = pd.DataFrame({"sample": ["A"] * 3, "ref": ["A", "-", "CTG"], "alt": ["-", "T", "-"], "variant_type": ["DEL", "INS", "DEL"]})
    f = msi_features(v, callable_mb=1)
    assert f.attrs["repeat_source"] == "indel_length" and f["repeat_share"].item() == pytest.approx(2 / 3)
    assert not has_sequence_context(v)


def test_msi_default_rule_threshold() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4 + ["B"] * 3, "ref": ["A"] * 7, "alt": ["-"] * 7, "variant_type": ["DEL"] * 7})
    s = msi_status(v, callable_mb=10).set_index("sample")
    assert s["msi_score"].tolist() == pytest.approx([0.4, 0.3])
    assert s["msi_high"].tolist() == [True, False] and s["msi_probability"].isna().all()
    assert "MSIseq" in s.attrs["method"]


def test_fit_msi_classifier_separates_planted_cohort(rng: np.random.Generator) -> None:
    parts, labels = [], []
    for i in range(30):
        msi = i % 3 == 0
        parts.append(_calls(rng, int(rng.integers(30, 80)), int(rng.integers(30, 60) if msi else rng.integers(0, 6)),
                            f"S{i}", homopolymer=0.8 if msi else 0.2))
        labels.append("MSI-H" if msi else "MSS")
    v = pd.concat(parts, ignore_index=True)
    f = msi_features(v, callable_mb=30)
    clf = fit_msi_classifier(f, labels)
    assert clf.n_train == 30 and clf.n_positive == 10 and (clf.coef_ > 0).all()
    s = msi_status(v, classifier=clf, callable_mb=30)
    assert (s["msi_high"].to_numpy() == (np.array(labels) == "MSI-H")).all()
    assert s["msi_probability"].between(0, 1).all()
    np.testing.assert_allclose(s["msi_probability"], 1 / (1 + np.exp(-s["msi_score"])))
    nocontext = v.drop(columns="CONTEXT")
    with pytest.warns(UserWarning, match="miscalibrated"):
        msi_status(nocontext, classifier=clf, callable_mb=30)


def test_fit_msi_classifier_bad_labels() -> None:
    f = pd.DataFrame({"indels_per_mb": [0.1, 3.0], "repeat_share": [0.3, 0.9]})
    with pytest.raises(InputError, match="not an MSI status"):
        fit_msi_classifier(f, ["MSS", "unknown"])
    with pytest.raises(InputError, match="one class"):
        fit_msi_classifier(f, ["MSS", "MSI-L"])
    with pytest.raises(InputError, match="2 feature rows"):
        fit_msi_classifier(f, ["MSS"])
    with pytest.raises(InputError, match="msi_features"):
        fit_msi_classifier(f.drop(columns="repeat_share"), ["MSS", "MSI-H"])


# ------------------------------------------------------------------------------ SBS-96 catalogues
def test_sbs96_channel_order_matches_the_published_list() -> None:
    # SigProfilerMatrixGenerator / COSMIC v3 SBS96 matrices start (and continue) like this
    published_first = ["A[C>A]A", "A[C>A]C", "A[C>A]G", "A[C>A]T", "A[C>G]A", "A[C>G]C", "A[C>G]G", "A[C>G]T",
                       "A[C>T]A", "A[C>T]C", "A[C>T]G", "A[C>T]T", "A[T>A]A"]
    assert list(SBS96_CHANNELS[:13]) == published_first
    assert len(set(SBS96_CHANNELS)) == 96 and list(SBS96_CHANNELS) == sorted(SBS96_CHANNELS)
    assert SBS96_CHANNELS[24] == "C[C>A]A" and SBS96_CHANNELS[-1] == "T[T>G]T"
    assert all(c[2] in "CT" for c in SBS96_CHANNELS)


def test_sbs96_catalogue_pyrimidine_orientation_by_hand() -> None:
    v = pd.DataFrame({"sample": ["A", "A", "A", "B", "B"], "ref": ["C", "G", "T", "A", "C"], "alt": ["T", "A", "G", "C", "-"],
                      "CONTEXT": ["GGTCAGG", "CCTGACC", "AATTCAA", "TTGAGTT", "GGACAGG"]})
    cat = sbs96_catalogue(v, samples=["A", "B", "C"])
    assert cat.shape == (3, 96) and list(cat.columns) == list(SBS96_CHANNELS)
    assert cat.loc["A", "T[C>T]A"] == 2  # TCA C>T and TGA G>A (= TCA C>T on the other strand)
    assert cat.loc["A", "T[T>G]C"] == 1
    assert cat.loc["B", "C[T>G]C"] == 1  # GAG A>C -> CTC T>G
    assert cat.loc["C"].sum() == 0 and cat.to_numpy().sum() == 4  # the deletion is not an SNV
    assert cat.attrs["context_column"] == "CONTEXT" and cat.attrs["n_skipped"] == 0


def test_sbs96_catalogue_errors() -> None:
    v = pd.DataFrame({"sample": ["A"], "ref": ["C"], "alt": ["T"]})
    with pytest.raises(InputError, match="reference-context"):
        sbs96_catalogue(v)
    wrong = v.assign(CONTEXT=["AAA"])
    with pytest.raises(InputError, match="reference base at its centre"):
        sbs96_catalogue(wrong)


def test_sbs96_catalogue_from_mc3_flanking_bps() -> None:
    v = pd.DataFrame({"sample": ["A"] * 2, "ref": ["C", "T"], "alt": ["A", "C"], "flanking_bps": ["ACG", "GTA"]})
    cat = sbs96_catalogue(v)
    assert cat.loc["A", "A[C>A]G"] == 1 and cat.loc["A", "G[T>C]A"] == 1


# ----------------------------------------------------------------------------- signature fitting
def _signatures(rng: np.random.Generator, k: int = 5) -> pd.DataFrame:
    w = rng.dirichlet(np.full(96, 0.3), size=k).T
    return pd.DataFrame(w, index=list(SBS96_CHANNELS), columns=[f"SBS{i + 1}" for i in range(k)])


def test_nnls_batch_matches_scipy_on_planted_mix(rng: np.random.Generator) -> None:
    sigs = _signatures(rng, 6).to_numpy()
    truth = np.array([[300.0, 0, 120, 0, 40, 0], [0, 500, 0, 0, 0, 10], [10, 10, 10, 10, 10, 10]]).T
    y = rng.poisson(sigs @ truth).astype(float)
    h = nnls_batch(sigs, y)
    for j in range(y.shape[1]):
        np.testing.assert_allclose(h[:, j], nnls(sigs, y[:, j])[0], rtol=1e-6, atol=1e-6)
    assert (h >= 0).all()
    np.testing.assert_allclose(nnls_batch(sigs, y[:, 0]), h[:, 0])


def test_fit_signatures_recovers_exposures_with_intervals(rng: np.random.Generator) -> None:
    sigs = _signatures(rng, 5)
    truth = np.array([[400.0, 0, 200, 0, 0], [0, 0, 0, 600, 100]])
    counts = rng.poisson(truth @ sigs.to_numpy().T)
    cat = pd.DataFrame(counts, index=["P1", "P2"], columns=list(SBS96_CHANNELS))
    fit = fit_signatures(cat, sigs, n_bootstrap=100, random_state=1)
    assert list(fit.columns) == ["sample", "signature", "exposure", "fraction", "lower", "upper"]
    exp = fit.pivot(index="sample", columns="signature", values="exposure").loc[["P1", "P2"], list(sigs.columns)]
    np.testing.assert_allclose(exp.to_numpy(), truth, atol=40)
    big = fit[fit["exposure"] > 50]
    assert ((big["lower"] <= big["exposure"]) & (big["exposure"] <= big["upper"])).all()
    assert fit.groupby("sample")["fraction"].sum().round(6).eq(1).all()
    again = fit_signatures(cat, sigs, n_bootstrap=100, random_state=1)
    pd.testing.assert_frame_equal(fit, again)


def test_fit_signatures_backward_selection_drops_spurious_signatures(rng: np.random.Generator) -> None:
    # a reference of similar signatures: plain NNLS spreads exposure over them, the selection does not
    base = rng.dirichlet(np.full(96, 0.3), size=4).T
    near = np.abs(base + rng.normal(0, 0.004, base.shape))
    w = np.hstack([base, near / near.sum(0)])
    sigs = pd.DataFrame(w, index=list(SBS96_CHANNELS), columns=[f"S{i}" for i in range(8)])
    truth = np.array([[700.0, 0, 300, 0, 0, 0, 0, 0], [0, 500, 0, 500, 0, 0, 0, 0]])
    cat = pd.DataFrame(rng.poisson(truth @ w.T), index=["P1", "P2"], columns=list(SBS96_CHANNELS))
    plain = fit_signatures(cat, sigs, n_bootstrap=0, sparsity="none")
    strict = fit_signatures(cat, sigs, n_bootstrap=50, sparsity="backward", random_state=0)
    exp_plain = plain.pivot(index="sample", columns="signature", values="exposure").to_numpy()
    for j, y in enumerate(cat.to_numpy(dtype=float)):
        np.testing.assert_allclose(exp_plain[j], nnls(w, y)[0], rtol=1e-6, atol=1e-6)
    n_plain = (plain["fraction"] > 0.01).groupby(plain["sample"]).sum()
    n_strict = (strict["fraction"] > 0).groupby(strict["sample"]).sum()
    assert (n_strict <= 2).all() and (n_strict <= n_plain).all() and n_plain.sum() > n_strict.sum()
    share = strict.assign(base=strict["signature"].str[1].astype(int) % 4).groupby(["sample", "base"])["fraction"].sum().unstack()
    np.testing.assert_allclose(share.to_numpy(), truth[:, :4] / 1000, atol=0.05)  # each process found (either twin)
    cos = strict.attrs["cosine"]
    assert all(cos[s] >= plain.attrs["cosine"][s] - 0.004 - 1e-9 for s in cos)
    off = strict[strict["exposure"] == 0]
    assert (off["lower"] == 0).all() and (off["upper"] == 0).all()
    with pytest.raises(InputError, match="sparsity must be"):
        fit_signatures(cat, sigs, sparsity="lasso")


def test_fit_signatures_offline_error_and_bad_input(rng: np.random.Generator) -> None:
    cat = pd.DataFrame(np.ones((1, 96)), index=["P1"], columns=list(SBS96_CHANNELS))
    with pytest.raises(InputError, match="no reference signature set ships"):
        fit_signatures(cat, None)
    with pytest.raises(InputError, match="96 SBS channels"):
        fit_signatures(cat, _signatures(rng).iloc[:90])
    with pytest.raises(InputError, match="channel columns"):
        fit_signatures(cat.iloc[:, :50], _signatures(rng))
    with pytest.raises(InputError, match="negative"):
        fit_signatures(cat * -1, _signatures(rng))


def test_read_signatures_sigprofiler_and_cosmic_v2(tmp_path: Path, rng: np.random.Generator) -> None:
    sigs = _signatures(rng, 2)
    v3 = tmp_path / "COSMIC_v3_SBS.txt"
    sigs.iloc[::-1].rename_axis("Type").reset_index().to_csv(v3, sep="\t", index=False)  # any row order
    got = read_signatures(v3)
    np.testing.assert_allclose(got.to_numpy(), sigs.to_numpy())
    assert got.attrs["source"] == str(v3)
    v2 = tmp_path / "signatures_probabilities.txt"
    ch = pd.Series(list(SBS96_CHANNELS))
    table = pd.DataFrame({"Substitution Type": ch.str[2:5], "Trinucleotide": ch.str[0] + ch.str[2] + ch.str[6],
                          "Somatic Mutation Type": ch, "Signature 1": sigs["SBS1"].to_numpy() * 7})
    table.to_csv(v2, sep="\t", index=False)
    np.testing.assert_allclose(read_signatures(v2)["Signature 1"].to_numpy(), sigs["SBS1"].to_numpy())


# ------------------------------------------------------------------------------------- cohort
def _cohort(rng: np.random.Generator) -> md.MuData:
    v = pd.concat([_calls(rng, 400, 40, "hyper", homopolymer=0.8), _calls(rng, 20, 1, "quiet")], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return md.MuData({"mut": variants_to_anndata(v)})


def test_biomarker_table_columns(rng: np.random.Generator) -> None:
    v = pd.concat([_calls(rng, 400, 40, "hyper", homopolymer=0.8), _calls(rng, 20, 1, "quiet")], ignore_index=True)
    t = biomarker_table(v).set_index("sample")
    assert list(t.reset_index().columns) == ["sample", "n_coding", "tmb", "tmb_high", "n_indel", "msi_score", "msi_probability", "msi_high"]
    assert t.loc["hyper", "n_coding"] == 440 and t.loc["hyper", "tmb"] == pytest.approx(440 / 30)
    assert t.loc["hyper", "tmb_high"] and not t.loc["quiet", "tmb_high"]
    assert t.loc["hyper", "msi_high"] and not t.loc["quiet", "msi_high"]


def test_biomarkers_writes_obs_and_protects_user_columns(rng: np.random.Generator, tmp_path: Path) -> None:
    from oncoresist.io import read_h5mu, write_h5mu

    m = _cohort(rng)
    add_biomarkers(m)
    assert {"tmb", "tmb_high", "msi_score", "msi_high"} <= set(m.obs.columns)
    assert m.obs.loc["hyper", "tmb_high"] and not m.obs.loc["quiet", "msi_high"]
    assert m.uns["biomarkers"]["params"]["territory"] == "WES default"
    add_biomarkers(m, callable_mb=1.0)  # re-running replaces its own result
    assert m.obs.loc["quiet", "tmb"] == pytest.approx(21.0)
    write_h5mu(m, tmp_path / "c.h5mu")
    back = read_h5mu(tmp_path / "c.h5mu")
    assert back.obs["tmb_high"].tolist() == m.obs["tmb_high"].tolist()
    user = _cohort(rng)
    user.obs["tmb"] = [1.0, 2.0]
    with pytest.raises(InputError, match="already exists"):
        add_biomarkers(user)
    assert user.obs["tmb"].tolist() == [1.0, 2.0] and "msi_high" not in user.obs
    add_biomarkers(user, key_prefix="wes_")
    assert user.obs["tmb"].tolist() == [1.0, 2.0] and "wes_tmb" in user.obs
    out = add_biomarkers(user, overwrite=True, copy=True)
    assert out.obs["tmb"].iloc[0] != 1.0 and user.obs["tmb"].tolist() == [1.0, 2.0]


def test_biomarkers_needs_a_variant_table(rng: np.random.Generator) -> None:
    m = _cohort(rng)
    with pytest.raises(InputError, match="no modality 'dna'"):
        add_biomarkers(m, mod="dna")
    del m["mut"].uns["variants"]
    with pytest.raises(InputError, match="uns\\['variants'\\]"):
        add_biomarkers(m)


def _slow_channel(ctx: str, ref: str, alt: str) -> str:
    """Obvious per-SNV reference: trinucleotide at the centre, reverse complement for purines."""
    k = len(ctx) // 2
    tri = ctx[k - 1:k + 2].upper()
    if ref in "GA":
        comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
        tri, alt = "".join(comp[b] for b in reversed(tri)), comp[alt]
    return f"{tri[0]}[{tri[1]}>{alt}]{tri[2]}"


def test_sbs96_catalogue_matches_a_slow_reference(rng: np.random.Generator) -> None:
    n = 3000
    width = rng.choice([3, 11], n)
    ctx = ["".join(rng.choice(BASES, w)) for w in width]
    ctx = [c.lower() if i % 7 == 0 else c for i, c in enumerate(ctx)]  # soft-masked (lower-case) context too
    ref = [c[len(c) // 2].upper() for c in ctx]
    alt = [rng.choice(BASES[BASES != r]) for r in ref]
    sample = rng.choice(["S1", "S2", "S3"], n)
    v = pd.DataFrame({"sample": sample, "ref": ref, "alt": alt, "CONTEXT": ctx})
    expected = pd.crosstab(sample, [_slow_channel(c, r, a) for c, r, a in zip(ctx, ref, alt, strict=True)])
    expected = expected.reindex(columns=list(SBS96_CHANNELS), fill_value=0)
    got = sbs96_catalogue(v).loc[expected.index]
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_empty_context_column_is_no_context_and_bad_classifier() -> None:
    v = pd.DataFrame({"sample": ["A", "A"], "ref": ["C", "A"], "alt": ["T", "-"], "variant_type": ["SNP", "DEL"],
                      "flanking_bps": [np.nan, np.nan]})  # as in CPTAC's MAF: the column exists but is empty
    assert not has_sequence_context(v)
    assert msi_features(v).attrs["repeat_source"] == "indel_length"
    with pytest.raises(InputError, match="fit_msi_classifier"):
        msi_status(v, classifier="rule")  # type: ignore[arg-type]


def test_sbs6_spectrum_is_the_sbs96_catalogue_without_flanks(rng: np.random.Generator) -> None:
    from oncoresist.tl import SBS6_CLASSES, sbs6_spectrum

    n = 400
    flank = rng.choice(list("ACGT"), (n, 2))
    ref = rng.choice(list("ACGT"), n)
    alt = np.array([rng.choice([b for b in "ACGT" if b != r]) for r in ref])
    v = pd.DataFrame({"sample": rng.choice(["P1", "P2", "P3"], n), "ref": ref, "alt": alt,
                      "CONTEXT": [f"{a}{r}{b}" for (a, b), r in zip(flank, ref, strict=True)]})
    v = pd.concat([v, pd.DataFrame({"sample": ["P1"], "ref": ["CT"], "alt": ["C"], "CONTEXT": ["ACT"]})], ignore_index=True)
    six = sbs6_spectrum(v)
    cat = sbs96_catalogue(v)
    collapsed = cat.T.groupby(cat.columns.str[2:5]).sum().T[list(SBS6_CLASSES)]
    np.testing.assert_array_equal(six.loc[cat.index].to_numpy(), collapsed.to_numpy())
    assert six.attrs["n_snv"] == n and int(six.to_numpy().sum()) == n  # the deletion is skipped
    with pytest.raises(InputError, match="lacks column"):
        sbs6_spectrum(v.drop(columns="alt"))


@pytest.mark.slow
def test_cptac_spectra_match_the_study_and_mark_pole_and_msi(shared_data) -> None:
    """CPTAC UCEC (Dou et al. 2020): the MAF's SBS-6 spectra against the clinical table's own.

    The MAF has no sequence context (its ``flanking_bps`` is empty), so no SBS-96; the six-class
    spectrum still shows POLE (C>A excess, SBS10) and MSI-high tumours (T>C, SBS6 / SBS26).
    """
    from oncoresist.io import read_clinical, read_maf
    from oncoresist.tl import SBS6_CLASSES, sbs6_spectrum

    d = shared_data / "cptac_ucec"
    six = sbs6_spectrum(read_maf(d / "somatic.maf.gz"))
    frac = six.div(six.sum(axis=1), axis=0)
    frac.index = frac.index.str.removesuffix("_T")
    clin = read_clinical(d / "clinical.txt")
    clin = clin[clin["Proteomics_Tumor_Normal"] == "Tumor"].set_index("Proteomics_Participant_ID")
    study = clin[[f"Mutation_signature_{c}" for c in SBS6_CLASSES]].dropna() / 100
    both = frac.index.intersection(study.index)
    assert len(both) >= 90
    n_snv = pd.Series(six.sum(axis=1).to_numpy(), index=frac.index)
    sure = both[n_snv[both].to_numpy() >= 50]  # the spectrum of a tumour with few calls is noise (median 44 SNVs)
    assert len(sure) >= 40
    for c in SBS6_CLASSES:
        r = np.corrcoef(frac.loc[sure, c], study.loc[sure, f"Mutation_signature_{c}"])[0, 1]
        print(f"{c}: r {r:.3f} over {len(sure)} tumours with >= 50 SNVs")
        assert r > 0.95, (c, r)
    pole = clin.loc[both, "POLE_subtype"] == "Yes"
    msi = clin.loc[both, "MSI_status"] == "MSI-H"
    mss = (clin.loc[both, "MSI_status"] == "MSS") & ~pole
    assert frac.loc[both][pole.to_numpy()]["C>A"].median() > 2 * frac.loc[both][mss.to_numpy()]["C>A"].median()
    assert frac.loc[both][msi.to_numpy()]["T>C"].median() > frac.loc[both][mss.to_numpy()]["T>C"].median()
