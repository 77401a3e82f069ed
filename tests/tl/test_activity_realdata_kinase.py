"""Kinase activities (KSEA on SIGNOR) from CPTAC UCEC phosphosites reproduce known biology.

Dou et al. 2020 Cell (doi:10.1016/j.cell.2020.01.026): CDK activity tracks proliferation, PI3K/AKT
signalling is higher in PTEN-mutant tumours and ERK (MAPK1/3) in KRAS-mutant ones.
"""

import pandas as pd
import pytest
from scipy import stats

from oncoresist.tl.functional import match_line

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ucec(shared_data, ucec_ksea):
    m, _, tum = ucec_ksea
    d = shared_data / "cptac_ucec"
    prot = pd.read_csv(d / "proteomics.cct.gz", sep="\t", index_col=0)
    mut = pd.read_csv(d / "somatic_binary.cbt.gz", sep="\t", index_col=0)
    return m, prot[tum], mut.reindex(columns=tum).fillna(0)


def _carriers(mut, gene):
    rows = [r for r in mut.index if str(r).split("_")[0] == gene]
    return mut.loc[rows].sum(0).gt(0)


def test_kinase_activities_match_report(ucec):
    m, _, _ = ucec
    p = m["act_kinase"].uns["activity"]["params"]
    print(match_line(p))
    assert p["n_matched"] > 500 and 0 < p["match_rate"] < 1 and p["matched_gene_site"] == p["n_matched"]
    assert m["act_kinase"].n_vars > 50


@pytest.mark.parametrize("kinase", ["CDK1", "CDK2"])
def test_cdk_activity_tracks_mki67_protein(ucec, kinase):
    m, prot, _ = ucec
    k = m["act_kinase"].to_df()[kinase]
    mki = prot.loc["MKI67", k.index]
    ok = k.notna() & mki.notna()
    rho, p = stats.spearmanr(k[ok], mki[ok])
    print(f"{kinase} activity vs MKI67 protein: Spearman rho {rho:.2f} (p {p:.1e}, n {int(ok.sum())})")
    assert rho > 0.5 and p < 1e-6


@pytest.mark.parametrize(("gene", "kinases"), [("PTEN", ["AKT1", "AKT2"]), ("KRAS", ["MAPK1", "MAPK3"])])
def test_pathway_kinases_higher_in_mutant_tumours(ucec, gene, kinases):
    m, _, mut = ucec
    k = m["act_kinase"].to_df()
    mutant = _carriers(mut, gene).reindex(k.index).fillna(False).astype(bool)
    assert 10 <= mutant.sum() <= len(k) - 10
    for kin in kinases:
        a, b = k.loc[mutant, kin].dropna(), k.loc[~mutant, kin].dropna()
        p = stats.mannwhitneyu(a, b, alternative="greater").pvalue
        print(f"{kin} activity, {gene}-mutant vs wild-type: median {a.median():.2f} vs {b.median():.2f} "
              f"(n {len(a)} vs {len(b)}, one-sided Mann-Whitney p {p:.1e})")
        assert a.median() > b.median() and p < 0.01
