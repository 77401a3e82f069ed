import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.tl.functional import activity, match_line, match_sites, window_core


def _net():
    rng = np.random.default_rng(1)
    aa = list("ACDEFGHIKLMNPQRVW")
    rows = []
    for i in range(8):
        res = "STY"[i % 3]
        win = "".join(rng.choice(aa, 7)) + res + "".join(rng.choice(aa, 7))
        rows.append(("K1", f"G{i}_{res}{100 + i}", 1.0, f"G{i}", res, 100 + i, win, f"P{i:05d}"))
    cols = ["source", "target", "weight", "substrate", "residue", "position", "window", "accession"]
    return pd.DataFrame(rows, columns=cols)


def test_window_core_centre_padding_and_rejects():
    assert window_core("LRVVDEKtKDLIVDQ") == "LRVVDEKTKDLIVDQ"
    assert window_core("AALRVVDEKTKDLIVDQAA") == "LRVVDEKTKDLIVDQ"  # longer window: the middle 15
    assert window_core("MSDKPDLSEV", position=2) == "______MSDKPDLSE"  # cut at the protein start
    assert window_core("KPDLSEVASK", position=500) == "KPDLSEVASK_____"  # cut at the protein end
    assert window_core("__MSDKPsDLSEVAS") == "__MSDKPSDLSEVAS"
    assert window_core("EGFR_Y1068") is None and window_core("AB") is None


def test_match_sites_every_style_counted():
    net = _net()
    w = net["window"].tolist()
    ids = ["G0-S100",                       # gene + residue + position (CPTAC style)
           "G1_pT101",                      # gene + pT
           "P00002:Y102",                   # accession + site
           "P00003-2_S103",                 # isoform accession + site
           w[4],                            # bare window
           "G5-" + w[5][:7] + w[5][7].lower() + w[5][8:],  # GENE-window, PhosphoSitePlus lower-case centre
           "G6_S999",                       # wrong position: no match
           "junk"]
    keys, info = match_sites(pd.Index(ids), net)
    assert list(keys[:6]) == net["target"].tolist()[:6]
    assert (info["matched_gene_site"], info["matched_accession_site"], info["matched_window"]) == (2, 2, 2)
    assert info["n_matched"] == 6 and info["match_rate"] == pytest.approx(6 / 8)
    assert info["network_sites"] == 8 and info["network_sites_matched"] == 6
    line = match_line(info)
    assert line.startswith("phosphosites matched: 6 of 8 (75.0%") and "window 2" in line


def test_match_sites_window_column_found_by_content():
    net = _net()
    var = pd.DataFrame({"note": ["x"] * 8, "flank": list(net["window"].str.lower())},
                       index=[f"site{i}" for i in range(8)])  # IDs say nothing; the windows do
    keys, info = match_sites(var.index, net, var=var)
    assert info["matched_window"] == 8 and list(keys) == net["target"].tolist()
    with pytest.warns(UserWarning, match="match the network"):
        match_sites(pd.Index([f"none{i}" for i in range(200)]), net)


def test_activity_records_window_matches_in_uns():
    net = _net()
    rng = np.random.default_rng(0)
    ids = list(net["window"])
    a = ad.AnnData(rng.normal(size=(4, 8)), obs=pd.DataFrame(index=list("abcd")), var=pd.DataFrame(index=ids))
    m = md.MuData({"phospho": a})
    activity(m, mod="phospho", resource=net, method="ksea", tmin=5)
    p = m["act_kinase"].uns["activity"]["params"]
    assert p["matched_window"] == 8 and p["match_rate"] == 1.0 and m["act_kinase"].var_names.tolist() == ["K1"]


def test_real_signor_windows_match_cptac_sites(shared_data):
    from oncoresist.kb import load_resource
    net = load_resource("signor", path=shared_data / "prior")
    sub = net[net["window"].str.len() == 15].drop_duplicates("target").head(300)
    ids = pd.Index(sub["window"])  # the network's own full windows must map back onto its own sites
    keys, info = match_sites(ids, net)
    assert info["matched_window"] == 300
    assert (keys == pd.Index(sub["target"])).mean() > 0.95  # rare shared windows (paralogues) go to the first
