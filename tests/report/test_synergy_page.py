"""One page per drug combination: written from ``uns['synergy']``, linked from the cohort report."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.report import (
    analysis_sections,
    cohort_synergy,
    render_synergy_page,
    synergy_sections,
    write_synergy_pages,
)
from oncoresist.tl import synergy


@pytest.fixture(scope="module")
def scored():
    """A simulated cohort with its MET x EGFR combination screen scored (planted synergy known)."""
    from oncoresist.ds import simulate_cohort

    sim = simulate_cohort(30, seed=1)
    m = sim.mdata
    summary, wells = synergy(m.uns["combinations"])
    m.uns["synergy"] = {"summary": summary, "wells": wells}
    return m, sim.truth.combination_blocks


def _small(m, **uns):
    """A one-layer cohort of ``m``'s samples with the given ``uns`` (copying ``m`` warns about shared feature names)."""
    import anndata as ad
    import mudata as md

    c = md.MuData({"x": ad.AnnData(np.ones((m.n_obs, 1)), obs=pd.DataFrame(index=m.obs_names.copy()))})
    c.uns.update(uns)
    return c


def _blocks_drawn(page: str) -> list[str]:
    return re.findall(r'<section id="block-\d+">\s*<h2>Block ([^<\s]+)', page)


def test_one_page_per_combination_linked_both_ways(scored, tmp_path):
    m, truth = scored
    report = tmp_path / "report" / "index.html"
    sections, pages = synergy_sections(m, report, max_blocks=2)
    assert sorted(p.name for p in pages) == ["gefitinib_x_capmatinib.html", "osimertinib_x_capmatinib.html"]
    assert all(p.parent == report.parent / "synergy" for p in pages)
    assert not [p for p in pages[0].parent.iterdir() if p.suffix != ".html"]  # atomic writes leave no temp file
    (sec,) = sections
    assert 'href="synergy/osimertinib_x_capmatinib.html"' in sec.html and 'href="synergy/gefitinib_x_capmatinib.html"' in sec.html
    page = (report.parent / "synergy" / "osimertinib_x_capmatinib.html").read_text()
    assert 'href="../index.html"' in page  # back to the cohort report
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page  # self-contained, offline
    # the two most synergistic blocks are drawn, and they are the planted ones
    drawn = _blocks_drawn(page)
    planted = set(truth.loc[truth["synergy_planted"], "block"])
    assert len(drawn) == 2 and set(drawn) <= planted
    # each drawn block: matrix, single agents, landscapes; the summary: the interval plot
    assert page.count("<img") == 1 + 3 * 2
    osi = m.uns["synergy"]["summary"].query("drug1 == 'osimertinib'")
    assert 'data-name="synergy_scores_osimertinib_capmatinib"' in page and "ZIP 95% CI low" in page
    table = page.split('data-name="synergy_scores_osimertinib_capmatinib"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(osi)  # every block, not only the drawn ones
    top = osi.sort_values("zip", ascending=False).iloc[0]
    assert f"ZIP {top['zip']:.1f} [95% CI {top['zip_ci_low']:.1f}, {top['zip_ci_high']:.1f}]" in page
    assert "Most synergistic dose region (ZIP): osimertinib " in page and "µM × capmatinib " in page
    assert "tested dose (" in page or " µM" in table  # EC50s with units or beyond the range in words
    wells = page.split('data-name="wells_osimertinib_capmatinib"')[1].split("</table>")[0]
    assert wells.count("<tr>") == len(osi) * 36


def test_planted_synergy_has_an_interval_above_zero(scored):
    m, truth = scored
    s = m.uns["synergy"]["summary"].merge(truth[["block", "synergy_planted"]], on="block")
    assert (s.loc[s["synergy_planted"], "bliss_ci_low"] > 0).mean() >= 0.75
    assert (s.loc[~s["synergy_planted"], "bliss_ci_low"] > 0).mean() <= 0.25
    assert (s["zip_ci_low"] <= s["zip"]).all() and (s["zip"] <= s["zip_ci_high"]).all()


def test_missing_note_only_for_a_combination_screen_without_scores(scored):
    m, _ = scored
    bare = _small(m, combinations=m.uns["combinations"])
    _, missing = analysis_sections(bare)
    assert any(line.startswith("Drug combinations") and "oncoresist synergy COHORT" in line and "--store-in" in line for line in missing)
    _, missing = analysis_sections(_small(m, combinations=m.uns["combinations"], synergy=m.uns["synergy"]))
    assert not any(line.startswith("Drug combinations") for line in missing)
    del bare.uns["combinations"]
    _, missing = analysis_sections(bare)
    assert not any(line.startswith("Drug combinations") for line in missing)
    assert synergy_sections(bare, "index.html") == ([], [])


def test_bad_synergy_results_name_the_slot_and_the_fix(scored):
    m, _ = scored
    bad = _small(m, synergy={"summary": pd.DataFrame({"x": [1]}), "wells": m.uns["synergy"]["wells"]})
    with pytest.raises(InputError, match=r"mdata.uns\['synergy'\]: 'summary' must be .* re-score"):
        cohort_synergy(bad)
    summary, wells = m.uns["synergy"]["summary"], m.uns["synergy"]["wells"]
    with pytest.raises(InputError, match="combination A \\+ B is not in the synergy summary"):
        render_synergy_page(summary, wells, drug1="A", drug2="B")
    with pytest.raises(InputError, match="method 'loewe' is not in the synergy summary"):
        render_synergy_page(summary.drop(columns="loewe"), wells, drug1="osimertinib", drug2="capmatinib", method="loewe")


def test_unscorable_block_is_listed_not_drawn(tmp_path):
    c = np.array([0.0, 0.1, 1.0, 10.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    ok = pd.DataFrame({"block": "B1", "drug1": "A", "drug2": "B", "conc1": g1.ravel(), "conc2": g2.ravel(), "response": (1 / (1 + g1) / (1 + g2)).ravel()})
    no_single = ok[ok["conc1"] > 0].assign(block="B2")  # no well without drug1: drug2 alone is missing
    with pytest.warns(UserWarning, match="could not be scored"):
        summary, wells = synergy(pd.concat([ok, no_single]))
    (path,) = write_synergy_pages(summary, wells, tmp_path).values()
    page = path.read_text()
    assert "Not scored: failed: no single-agent wells of drug2" in page and _blocks_drawn(page) == ["B1", "B2"]
    assert page.count("<img") == 1 + 3  # only B1 has figures


def test_cli_synergy_store_in_then_report_writes_pseudonymised_pages(scored, tmp_path, capsys):
    from oncoresist.cli import main
    from oncoresist.io import write_h5mu

    m, _ = scored
    combos = m.uns["combinations"]
    bare = _small(m, combinations=combos[combos["block"].isin(["CB001", "CB002"])].reset_index(drop=True))  # two blocks: quick
    write_h5mu(bare, tmp_path / "c.h5mu")
    assert main(["synergy", str(tmp_path / "c.h5mu"), "--out", str(tmp_path / "s.csv"), "--store-in", str(tmp_path / "c2.h5mu"), "-q"]) == 0
    assert main(["synergy", str(tmp_path / "s.csv"), "--out", str(tmp_path / "t.csv"), "--store-in", str(tmp_path / "x.h5mu"), "-q"]) != 0
    assert "--store-in writes a cohort" in capsys.readouterr().err
    out = tmp_path / "board" / "index.html"
    code = main(["report", str(tmp_path / "c2.h5mu"), "--out", str(out), "--pseudonymise", "--key-file", str(tmp_path / "key.csv"), "-q"])
    assert code == 0, capsys.readouterr().err
    assert "2 drug-combination page(s)" in capsys.readouterr().out
    index = out.read_text()
    pages = sorted((out.parent / "synergy").glob("*.html"))
    assert [p.name for p in pages] == ["gefitinib_x_capmatinib.html", "osimertinib_x_capmatinib.html"]
    assert all(f'href="synergy/{p.name}"' in index for p in pages)
    sample = str(bare.uns["combinations"]["sample"].iloc[0])
    for p in pages:
        text = p.read_text()
        assert sample not in text and "<h2>Block CB00" in text  # pseudonyms only, blocks kept


def test_real_synergyfinder_example_one_page_per_pair(shared_data, tmp_path):
    from oncoresist.io import read_combinations

    table = read_combinations(shared_data / "synergy" / "SF_exampleTable.csv")
    summary, wells = synergy(table)
    pages = write_synergy_pages(summary, wells, tmp_path, max_blocks=1)
    assert len(pages) == 6 and ("AT-406", "Navitoclax") in pages
    page = pages[("AT-406", "Navitoclax")].read_text()
    row = summary[summary["drug1"] == "AT-406"].iloc[0]
    assert f"ZIP {row['zip']:.1f} [95% CI {row['zip_ci_low']:.1f}, {row['zip_ci_high']:.1f}]" in page
    assert page.count("<img") == 4 and "Most synergistic dose region (ZIP): AT-406 " in page
    # 8 x 8 matrices in nM read as uM; every well listed
    assert page.split('data-name="wells_AT-406_Navitoclax"')[1].split("</table>")[0].count("<tr>") == 64


def test_pages_drawn_in_forked_workers_are_the_same(scored, tmp_path):
    """``n_jobs=2`` draws the combination pages in forked processes: the same files, in the same order."""
    m, _ = scored
    serial = write_synergy_pages(*cohort_synergy(m), tmp_path / "one", max_blocks=1)
    forked = write_synergy_pages(*cohort_synergy(m), tmp_path / "two", max_blocks=1, n_jobs=2)
    assert list(serial) == list(forked) == list(dict.fromkeys(zip(m.uns["synergy"]["summary"]["drug1"], m.uns["synergy"]["summary"]["drug2"])))
    strip = lambda p: re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d", "", p.read_text())  # noqa: E731
    assert all(strip(serial[k]) == strip(forked[k]) for k in serial)
