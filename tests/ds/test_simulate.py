from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.ds import drug_panel, simulate_cohort
from oncoresist.ds._sim_screen import normalised_auc, viability

FLAGS = [
    "egfr_activating", "egfr_t790m", "met_amp", "abcb1_high",
    "mgmt_methylated", "brca_loss", "ercc1_high", "kras_mut",
]  # fmt: skip


@pytest.fixture(scope="module")
def sim():
    return simulate_cohort(150, seed=3, n_genes=400)


@pytest.fixture(scope="module")
def written(sim, tmp_path_factory):
    out = tmp_path_factory.mktemp("simcohort")
    return sim.write(out)


def _frame(adata, layer=None):
    x = adata.X if layer is None else adata.layers[layer]
    return pd.DataFrame(np.asarray(x), index=adata.obs_names, columns=adata.var_names)


# ------------------------------------------------------------------------------------------
# determinism and structure
# ------------------------------------------------------------------------------------------
def test_same_seed_same_cohort():
    a = simulate_cohort(40, seed=11, n_genes=120)
    b = simulate_cohort(40, seed=11, n_genes=120)
    for mod in a.mdata.mod:
        np.testing.assert_array_equal(a.mdata[mod].obs_names, b.mdata[mod].obs_names)
        np.testing.assert_array_equal(np.asarray(a.mdata[mod].X), np.asarray(b.mdata[mod].X))
    pd.testing.assert_frame_equal(a.variants, b.variants)
    pd.testing.assert_frame_equal(a.dose_response, b.dose_response)
    pd.testing.assert_frame_equal(a.combinations, b.combinations)
    pd.testing.assert_frame_equal(a.truth.curves, b.truth.curves)
    c = simulate_cohort(40, seed=12, n_genes=120)
    assert not np.array_equal(np.asarray(a.mdata["rna"].X), np.asarray(c.mdata["rna"].X))


def test_biology_seed_shared_between_cohorts():
    a = simulate_cohort(30, seed=1, n_genes=100)
    b = simulate_cohort(30, seed=2, n_genes=100)
    pd.testing.assert_frame_equal(a.truth.loadings["rna"], b.truth.loadings["rna"])
    pd.testing.assert_frame_equal(a.truth.drug_factor_loadings, b.truth.drug_factor_loadings)
    c = simulate_cohort(30, seed=1, n_genes=100, biology_seed=5)
    assert not a.truth.loadings["rna"].equals(c.truth.loadings["rna"])


def test_shapes_and_slots(sim):
    m = sim.mdata
    assert set(m.mod) == {"mut", "cnv", "meth", "rna", "prot", "drug"}
    assert m.n_obs == 150
    assert list(m.obs_names[:2]) == ["SIM-0001", "SIM-0002"]
    for col in ["tissue", "subtype", "batch", "age", "sex", "survival_time", "survival_event", *FLAGS]:
        assert col in m.obs.columns, col
    for f in FLAGS:
        assert m.obs[f].dtype == bool
    # rna: integer counts, X = log1p CPM
    rna = m["rna"]
    counts = np.asarray(rna.layers["counts"])
    assert np.issubdtype(counts.dtype, np.integer)
    cpm = counts / counts.sum(axis=1, keepdims=True) * 1e6
    np.testing.assert_allclose(np.asarray(rna.X), np.log1p(cpm))
    assert rna.n_vars == 400
    # meth: beta in [0, 1], var['gene']
    beta = np.asarray(m["meth"].X)
    assert np.nanmin(beta) >= 0 and np.nanmax(beta) <= 1
    assert "gene" in m["meth"].var.columns
    assert {"cg12434587", "cg12981137"} <= set(m["meth"].var_names)
    # mut: binary X, vaf layer, variant table
    mut = m["mut"]
    assert set(np.unique(np.asarray(mut.X))) <= {0.0, 1.0}
    assert mut.layers["vaf"].shape == mut.shape
    assert mut.uns["variants"] is sim.variants
    # drug layer = true curves
    drug = m["drug"]
    assert drug.n_vars == len(drug_panel())
    for layer in ["ic50_uM", "log10_ic50", "auc", "aac", "hill", "emax"]:
        assert layer in drug.layers
    np.testing.assert_allclose(drug.layers["ic50_uM"], 10 ** drug.layers["log10_ic50"])
    curves = sim.truth.curves.set_index(["sample", "drug"])
    s, d = drug.obs_names[5], drug.var_names[3]
    assert drug[s, d].X.item() == pytest.approx(curves.loc[(s, d), "auc"])
    assert ((drug.X > 0) & (drug.X <= 1)).all()
    assert m.uns["dose_response"] is sim.dose_response
    assert sim.clinical.index.name == "sample_id"


def test_variant_table(sim):
    v = sim.variants
    canonical = [
        "sample", "gene", "chrom", "start", "end", "ref", "alt", "variant_class", "variant_type",
        "protein_change", "hgvsp", "hgvsc", "t_depth", "t_alt_count", "vaf",
    ]  # fmt: skip
    assert list(v.columns[: len(canonical)]) == canonical
    flags = sim.truth.flags
    egfr = v[(v.gene == "EGFR") & (v.role == "mechanism")]
    assert set(egfr.protein_change) <= {"p.L858R", "p.E746_A750del", "p.T790M"}
    assert set(egfr.loc[egfr.protein_change == "p.T790M", "sample"]) == set(flags.index[flags.egfr_t790m])
    assert set(egfr.loc[egfr.protein_change != "p.T790M", "sample"]) == set(flags.index[flags.egfr_activating])
    kras = v[v.gene == "KRAS"]
    assert set(kras.protein_change) <= {"p.G12D", "p.G12V", "p.G12C", "p.G13D"}
    assert set(kras["sample"]) == set(flags.index[flags.kras_mut])
    brca = v[v.gene.isin(["BRCA1", "BRCA2"])]
    assert brca.variant_class.isin(["Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins"]).all()
    assert set(brca["sample"]) == set(flags.index[flags.brca_loss & ~flags.brca_deep_del])
    assert (v.t_alt_count <= v.t_depth).all()
    np.testing.assert_allclose(v.vaf, np.round(v.t_alt_count / v.t_depth, 4))
    assert (v.role == "passenger").sum() > 100
    # mutual exclusivity and T790M only on an activating background
    assert not (flags.egfr_activating & flags.kras_mut).any()
    assert not (flags.egfr_t790m & ~flags.egfr_activating).any()


def test_tissue_enrichment(sim):
    obs = sim.mdata.obs
    lung = obs.tissue == "lung"
    assert obs.loc[lung, "egfr_activating"].mean() > 3 * obs.loc[~lung, "egfr_activating"].mean()
    glioma = obs.tissue == "glioma"
    assert obs.loc[glioma, "mgmt_methylated"].mean() > obs.loc[~glioma, "mgmt_methylated"].mean() + 0.2
    rna = _frame(sim.mdata["rna"])
    assert rna.loc[glioma, "GFAP"].mean() > rna.loc[~glioma, "GFAP"].mean() + 2


def test_missing_layers_and_values(sim):
    m = sim.mdata
    n = m.n_obs
    assert m["prot"].n_obs == n - round(0.1 * n)
    assert m["meth"].n_obs == n - round(0.1 * n)
    assert 0 < n - m["drug"].n_obs <= round(0.1 * n / 3)
    for name in ("mut", "cnv", "rna"):
        assert m[name].n_obs == n
    assert set(sim.dose_response["sample"]) == set(m["drug"].obs_names)
    assert sim.truth.layer_samples["prot"] == list(m["prot"].obs_names)
    prot = np.asarray(m["prot"].X)
    frac = np.isnan(prot).mean()
    assert 0.03 < frac < 0.08
    # MNAR: proteins with lower mean abundance have more missing values
    mean = np.nanmean(prot, axis=0)
    miss = np.isnan(prot).mean(axis=0)
    low = mean < np.median(mean)
    assert miss[low].mean() > 1.5 * miss[~low].mean()
    assert 0.03 < np.isnan(np.asarray(m["meth"].X)).mean() < 0.08
    none = simulate_cohort(30, seed=0, n_genes=80, missing_layer_fraction=0, missing_value_fraction=0)
    assert none.mdata["prot"].n_obs == 30 and not np.isnan(np.asarray(none.mdata["prot"].X)).any()


def test_batch_effect_in_rna():
    def batch_r2(batch_effect):
        s = simulate_cohort(90, seed=4, n_genes=150, batch_effect=batch_effect, n_batches=3)
        x = np.asarray(s.mdata["rna"].X)
        b = s.mdata.obs["batch"].to_numpy()
        between = sum(((x[b == k].mean(0) - x.mean(0)) ** 2 * (b == k).sum()).sum() for k in np.unique(b))
        return between / ((x - x.mean(0)) ** 2).sum()

    assert batch_r2(2.0) > 2 * batch_r2(0.0)


def test_factor_structure(sim):
    t = sim.truth
    z = t.factors
    assert z.shape == (150, 5)
    act = t.factor_activity
    assert act.loc["rna", "F1"] and not act.loc["rna", "F5"] and act.loc["prot", "F5"]
    for layer, w in t.loadings.items():
        inactive = act.columns[~act.loc[layer]]
        assert (w[inactive] == 0).all().all()
    # subtypes are clusters in factor space: between-subtype variance dominates on F1-F3
    lab = t.subtype.to_numpy()
    zz = z[["F1", "F2", "F3"]].to_numpy()
    between = sum(((zz[lab == k].mean(0) - zz.mean(0)) ** 2 * (lab == k).sum()).sum() for k in np.unique(lab))
    assert between / ((zz - zz.mean(0)) ** 2).sum() > 0.4
    # an rna gene with a large F1 loading correlates with F1
    w = t.loadings["rna"]["F1"]
    gene = w.abs().idxmax()
    r = np.corrcoef(np.asarray(sim.mdata["rna"][:, gene].X).ravel(), z["F1"])[0, 1]
    assert np.sign(r) == np.sign(w[gene]) and abs(r) > 0.4


# ------------------------------------------------------------------------------------------
# planted mechanisms visible in the raw data
# ------------------------------------------------------------------------------------------
def _high_dose(dr, drug):
    d = dr[dr.drug == drug]
    return d[d.dose == d.dose.max()].groupby("sample").response.median()


def test_t790m_resists_gefitinib_not_osimertinib(sim):
    f = sim.truth.flags
    dr = sim.dose_response
    act_only = f.index[f.egfr_activating & ~f.egfr_t790m & ~f.met_amp]
    t790m = f.index[f.egfr_t790m & ~f.met_amp]
    gef = _high_dose(dr, "gefitinib")
    osi = _high_dose(dr, "osimertinib")
    assert gef.reindex(t790m).median() > gef.reindex(act_only).median() + 0.25
    assert abs(osi.reindex(t790m).median() - osi.reindex(act_only).median()) < 0.15
    c = sim.truth.curves.set_index(["sample", "drug"])["log10_ic50"]
    wt = f.index[~f.egfr_activating & ~f.met_amp]
    assert c.xs("gefitinib", level="drug").reindex(act_only).median() < c.xs("gefitinib", level="drug").reindex(wt).median() - 1.5


def test_abcb1_mechanism(sim):
    f = sim.truth.flags
    hi, lo = f.index[f.abcb1_high], f.index[~f.abcb1_high]
    c = sim.truth.curves.set_index(["sample", "drug"])["log10_ic50"]
    pac = c.xs("paclitaxel", level="drug")
    assert pac[hi].median() > pac[lo].median() + 1.0
    cis = c.xs("cisplatin", level="drug")  # not a P-gp substrate
    assert abs(cis[hi].median() - cis[lo].median()) < 0.5
    meth = sim.mdata["meth"]
    beta = _frame(meth)[meth.var_names[meth.var.gene == "ABCB1"]].mean(axis=1)
    assert beta[beta.index.isin(hi)].mean() < beta[~beta.index.isin(hi)].mean() - 0.4
    rna = _frame(sim.mdata["rna"])["ABCB1"]
    assert rna[hi].mean() > rna[lo].mean() + 2
    prot = _frame(sim.mdata["prot"])["ABCB1"]
    assert prot[prot.index.isin(hi)].mean() > prot[~prot.index.isin(hi)].mean() + 1.5
    # visible in the raw screen: paclitaxel viability at a mid dose
    d = sim.dose_response[(sim.dose_response.drug == "paclitaxel") & (sim.dose_response.dose.round(4) == 0.01)]
    v = d.groupby("sample").response.median()
    assert v[v.index.isin(hi)].median() > v[~v.index.isin(hi)].median() + 0.2


def test_mgmt_methylation_temozolomide(sim):
    f = sim.truth.flags
    meth = sim.mdata["meth"]
    beta = _frame(meth)[["cg12434587", "cg12981137"]].mean(axis=1)
    met = beta.index.isin(f.index[f.mgmt_methylated])
    assert beta[met].mean() > 0.5 > beta[~met].mean()
    rna = _frame(sim.mdata["rna"])["MGMT"]
    assert rna[f.mgmt_methylated].mean() < rna[~f.mgmt_methylated].mean() - 1.5
    c = sim.truth.curves[sim.truth.curves.drug == "temozolomide"].set_index("sample")["ic50_uM"]
    assert c[f.mgmt_methylated].median() < c[~f.mgmt_methylated].median() / 5


def test_brca_ercc1_kras_met(sim):
    f = sim.truth.flags
    c = sim.truth.curves.set_index(["sample", "drug"])["log10_ic50"]
    ola = c.xs("olaparib", level="drug")
    assert ola[f.brca_loss].median() < ola[~f.brca_loss].median() - 1.0
    cis = c.xs("cisplatin", level="drug")
    assert cis[f.ercc1_high & ~f.brca_loss].median() > cis[~f.ercc1_high & ~f.brca_loss].median() + 0.6
    crc = sim.truth.tissue == "colorectal"
    cet = c.xs("cetuximab", level="drug")
    assert cet[crc & f.kras_mut].median() > cet[crc & ~f.kras_mut].median() + 1.5
    # MET amplification: CNV high, MET RNA high
    cnv = _frame(sim.mdata["cnv"])["MET"]
    assert cnv[f.met_amp].min() > 1.2 and cnv[~f.met_amp].max() < 1.2
    rna = _frame(sim.mdata["rna"])["MET"]
    assert rna[f.met_amp].mean() > rna[~f.met_amp].mean() + 1.5
    # BRCA deep deletions are in the copy-number layer
    cn = _frame(sim.mdata["cnv"])
    for s in f.index[f.brca_deep_del]:
        assert cn.at[s, f.at[s, "brca_gene"]] < -1.0


def test_combination_bliss_excess_only_in_met_amp(sim):
    cb = sim.combinations
    f = sim.truth.flags
    assert set(cb["sample"][cb["sample"].isin(f.index[f.met_amp])]) == set(
        f.index[f.met_amp & f.index.isin(sim.mdata["drug"].obs_names)]
    )
    scores = {}
    for (_block, sample, d1), g in cb.groupby(["block", "sample", "drug1"]):
        mono1 = g[g.conc2 == 0].set_index("conc1").response
        mono2 = g[g.conc1 == 0].set_index("conc2").response
        both = g[(g.conc1 > 0) & (g.conc2 > 0)]
        expected = mono1.reindex(both.conc1).to_numpy() * mono2.reindex(both.conc2).to_numpy()
        scores[(sample, d1)] = float(np.mean(expected - both.response.to_numpy()))
        assert len(g) == 36 and g.conc1.nunique() == 6 and (g.conc1 == 0).any()
    syn = [k for k in scores if f.at[k[0], "met_amp"] and f.at[k[0], "egfr_activating"] and k[1] == "osimertinib"]
    ctrl = [k for k in scores if not f.at[k[0], "met_amp"]]
    assert syn and ctrl
    assert np.median([scores[k] for k in syn]) > 0.08
    assert abs(np.median([scores[k] for k in ctrl])) < 0.04
    blocks = sim.truth.combination_blocks
    assert (blocks.loc[blocks.synergy_planted, "bliss_excess"] > 0).all()
    assert blocks.loc[blocks.synergy_planted, "bliss_excess"].median() > 0.08
    assert (blocks.loc[~blocks.synergy_planted, "bliss_excess"] == 0).all()


def test_screen_layout(sim):
    dr = sim.dose_response
    panel = drug_panel()
    assert list(dr.columns) == ["sample", "drug", "dose", "response", "replicate", "plate", "well"]
    assert set(dr.replicate) == {1, 2, 3}
    per = dr.groupby("drug").dose.nunique()
    assert (per == panel.loc[per.index, "n_doses"]).all()
    gef = dr[dr.drug == "gefitinib"].dose
    assert gef.min() == pytest.approx(0.001) and gef.max() == pytest.approx(10)
    assert not dr.duplicated(["plate", "well"]).any()
    assert (dr.response >= 0).all()


def test_mechanism_table_answer_key(sim):
    mech = sim.truth.mechanisms
    need = {"mechanism", "gene", "alteration", "layer", "drug", "direction", "expected_effect", "pmid"}
    assert need <= set(mech.columns)
    assert set(mech.direction) == {"sensitivity", "resistance"}
    assert set(mech.flag) == set(FLAGS)
    pairs = set(zip(mech.flag, mech.drug))
    assert ("egfr_t790m", "osimertinib") not in pairs
    assert ("abcb1_high", "paclitaxel") in pairs and ("abcb1_high", "cisplatin") not in pairs
    nulls = set(zip(sim.truth.null_pairs.flag, sim.truth.null_pairs.drug))
    assert not pairs & nulls
    assert ("abcb1_high", "cisplatin") in nulls and ("brca_loss", "vorinostat") in nulls
    assert (mech.n_carriers >= 2).all()


def test_effect_size_zero_removes_mechanisms():
    s = simulate_cohort(80, seed=5, n_genes=100, effect_size=0.0)
    f = s.truth.flags
    c = s.truth.curves.set_index(["sample", "drug"])["log10_ic50"].xs("olaparib", level="drug")
    assert abs(c[f.brca_loss].median() - c[~f.brca_loss].median()) < 0.6


def test_min_carriers_small_cohort():
    s = simulate_cohort(24, seed=9, n_genes=80)
    f = s.truth.flags
    for flag in FLAGS:
        assert f[flag].sum() >= 2, flag
    assert (f.met_amp & f.egfr_activating).sum() >= 2


def test_custom_tissues():
    s = simulate_cohort(30, seed=2, n_genes=80, tissues={"glioma": 1.0})
    assert set(s.mdata.obs["tissue"]) == {"glioma"}
    s = simulate_cohort(30, seed=2, n_genes=80, tissues=["lung", "melanoma"])
    assert set(s.mdata.obs["tissue"]) == {"lung", "melanoma"}


def test_hill_kernel_against_direct_integration():
    c, h, b = np.array([-0.5]), np.array([1.3]), np.array([0.2])
    lo, hi = np.array([-3.0]), np.array([1.0])
    x = np.linspace(lo[0], hi[0], 20001)
    direct = np.trapezoid(viability(10**x, c, h, b), x) / (hi[0] - lo[0])
    assert normalised_auc(c, h, b, lo, hi)[0] == pytest.approx(direct, rel=1e-6)
    assert viability(np.array([10**-0.5]), c, h, b)[0] == pytest.approx(b[0] + (1 - b[0]) / 2)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n_samples": 5}, "n_samples"),
        ({"n_samples": 10.5}, "n_samples"),
        ({"n_samples": True}, "n_samples"),
        ({"n_genes": 10}, "n_genes"),
        ({"n_factors": 0}, "n_factors"),
        ({"missing_layer_fraction": 0.9}, "missing_layer_fraction"),
        ({"missing_value_fraction": -0.1}, "missing_value_fraction"),
        ({"noise": float("nan")}, "noise"),
        ({"batch_effect": "big"}, "batch_effect"),
        ({"tissues": {}}, "tissues"),
        ({"tissues": {"lung": -1}}, "tissues"),
        ({"seed": -1}, "seed"),
    ],
)
def test_argument_validation(kwargs, needle):
    args = {"n_samples": 20, "n_genes": 80} | kwargs
    n = args.pop("n_samples")
    with pytest.raises(InputError, match=needle) as info:
        simulate_cohort(n, **args)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------
def test_write_files(sim, written):
    out = written.parent
    assert written.name == "study.toml"
    cfg = tomllib.loads(written.read_text())
    assert cfg["layers"]["mut"]["sample_pattern"] == "^(.*)-T$"
    assert cfg["samples"]["id_column"] == "sample_id"
    for table in ("layers", "screen", "combinations", "samples", "study"):
        assert table in cfg
    for layer in cfg["layers"].values():
        assert (out / layer["file"]).exists()
    maf = pd.read_csv(out / "mutations.maf", sep="\t", comment="#")
    for col in ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
                "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2",
                "Tumor_Sample_Barcode", "HGVSp_Short", "t_depth", "t_alt_count"]:  # fmt: skip
        assert col in maf.columns
    assert maf.Tumor_Sample_Barcode.str.endswith("-T").all()
    assert len(maf) == len(sim.variants)
    screen = pd.read_csv(out / "drug_screen.csv")
    assert (screen.unit == "nM").all()
    assert screen.dose.min() == pytest.approx(sim.dose_response.dose.min() * 1000)
    assert screen.response.max() > 50  # percent scale
    seg = pd.read_csv(out / "cnv_segments.seg", sep="\t")
    assert list(seg.columns) == ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]
    bed = pd.read_csv(out / "genes.bed", sep="\t", header=None)
    assert bed.shape == (len(sim.genes), 6)
    rna = pd.read_csv(out / "rna_counts.tsv.gz", sep="\t", index_col=0)
    np.testing.assert_array_equal(rna.T.to_numpy(), np.asarray(sim.mdata["rna"].layers["counts"]))
    prot = pd.read_csv(out / "proteomics.tsv.gz", sep="\t", index_col=0)
    assert prot.isna().to_numpy().mean() == pytest.approx(np.isnan(np.asarray(sim.mdata["prot"].X)).mean())
    meth = pd.read_csv(out / "methylation.tsv.gz", sep="\t", index_col=0)
    assert meth.columns[0] == "gene" and meth.shape[1] == sim.mdata["meth"].n_obs + 1
    clin = pd.read_csv(out / "clinical.tsv", sep="\t")
    assert list(clin.columns[:1]) == ["sample_id"] and len(clin) == 150
    truth = json.loads((out / "truth.json").read_text())
    assert {"mechanisms", "flags", "curves", "factors", "subtype", "batch"} <= set(truth)
    assert len(truth["curves"]) == 150 * len(drug_panel())
    assert sum(r["egfr_t790m"] for r in truth["flags"]) == int(sim.truth.flags.egfr_t790m.sum())
    assert not list(out.glob(".*tmp*"))


def test_write_refuses_overwrite(sim, written):
    with pytest.raises(InputError, match="overwrite"):
        sim.write(written.parent)
    assert sim.write(written.parent, overwrite=True) == written


def test_round_trip_read_study(sim, written):
    from oncoresist.io import read_study

    m = read_study(written, fit_screen=False, quiet=True)
    for mod in ("mut", "cnv", "meth", "rna", "prot"):
        assert mod in m.mod, mod
        assert set(m[mod].obs_names) == set(sim.mdata[mod].obs_names)
    assert m.obs.loc["SIM-0001", "tissue"] == sim.clinical.loc["SIM-0001", "tissue"]
    mut = m["mut"]
    for s in sim.truth.flags.index[sim.truth.flags.egfr_activating][:3]:
        assert mut[s, "EGFR"].X.item() == 1
    cnv_in = _frame(m["cnv"])
    cnv_true = _frame(sim.mdata["cnv"])
    common = cnv_in.columns.intersection(cnv_true.columns)
    assert len(common) > 0.9 * cnv_true.shape[1]
    diff = (cnv_in.loc[cnv_true.index, common] - cnv_true[common]).abs()
    assert float(np.nanmedian(diff.to_numpy())) < 0.05
    prot_in = _frame(m["prot"]).loc[sim.mdata["prot"].obs_names, sim.mdata["prot"].var_names]
    np.testing.assert_allclose(prot_in.to_numpy(), np.round(np.asarray(sim.mdata["prot"].X), 4), equal_nan=True)
    counts = pd.DataFrame(
        np.asarray(m["rna"].layers["counts"]), index=m["rna"].obs_names, columns=m["rna"].var_names
    ).loc[sim.mdata["rna"].obs_names, sim.mdata["rna"].var_names]
    np.testing.assert_array_equal(counts.to_numpy(), np.asarray(sim.mdata["rna"].layers["counts"]))
    assert "gene" in m["meth"].var.columns
    dr = m.uns["dose_response"]
    assert dr["dose"].min() == pytest.approx(sim.dose_response["dose"].min())
    assert dr["response"].max() < 2  # percent converted to fraction
    assert len(m.uns["combinations"]) == len(sim.combinations)


def test_round_trip_fitted_drug_layer(sim, written):
    """The study's [screen] is fitted into a drug layer that recovers the true IC50s."""
    from scipy.stats import spearmanr

    from oncoresist.tl import build_study

    m = build_study(written, quiet=True)
    drug = m["drug"]
    assert set(drug.obs_names) == set(sim.mdata["drug"].obs_names)
    fitted = pd.DataFrame(np.asarray(drug.X, dtype=float), index=drug.obs_names, columns=drug.var_names)
    true = _frame(sim.mdata["drug"])
    fitted = fitted.loc[true.index, true.columns]
    ok = np.isfinite(fitted.to_numpy())
    assert ok.mean() > 0.95
    r = np.corrcoef(fitted.to_numpy()[ok], true.to_numpy()[ok])[0, 1]
    assert r > 0.9
    rho = spearmanr(fitted["gefitinib"], true["gefitinib"], nan_policy="omit").statistic
    assert rho > 0.8
