"""Screenshots of the report pages in headless Chromium (offline), for the README.

Run by hand: ``python benchmarks/screenshots.py [--demo DIR] [--only cohort patient synergy]`` (runs
``oncoresist demo`` into a temporary folder unless ``--demo`` points to an existing demo output; the
drug-combination page is the demo's, else one written from a simulated combination screen, which needs
no demo: ``--only synergy``). Writes ``benchmarks/results/screens/*.png`` and
``benchmarks/results/screens.md`` (what was captured, console errors, external requests).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "screens"


def _demo(folder: Path | None) -> Path:
    """An existing demo output, or a fresh one."""
    if folder is not None:
        return folder
    tmp = Path(tempfile.mkdtemp()) / "demo"
    subprocess.run([sys.executable, "-m", "oncoresist.cli", "demo", "--out", str(tmp), "-q"], check=True)
    return tmp


def _pages(demo: Path) -> list[tuple[str, Path]]:
    """The cohort page and the first patient page of a demo folder."""
    report = next(demo.rglob("index.html"), None) or next(demo.rglob("*.html"))
    patients = sorted(p for p in demo.rglob("*.html") if p != report)
    return [("cohort", report)] + ([("patient", patients[0])] if patients else [])


def _synergy_page(demo: Path | None) -> Path:
    """A demo's first drug-combination page, else the one of a simulated MET x EGFR combination screen."""
    found = sorted(demo.rglob("synergy/*.html")) if demo is not None else []
    if found:
        return found[-1]
    from oncoresist.ds import simulate_cohort
    from oncoresist.report import write_synergy_pages
    from oncoresist.tl import synergy

    summary, wells = synergy(simulate_cohort(60, seed=0).mdata.uns["combinations"])
    pages = write_synergy_pages(summary, wells, Path(tempfile.mkdtemp()) / "synergy", max_blocks=2)
    return pages.get(("osimertinib", "capmatinib"), next(iter(pages.values())))


def _table(lines: list[str]) -> list[str]:
    """The summary table with the rows of earlier runs for pages not captured now."""
    old = (HERE / "results" / "screens.md").read_text(encoding="utf-8").splitlines() if (HERE / "results" / "screens.md").exists() else []
    now = {line.split("|")[1].strip() for line in lines[4:]}
    kept = [line for line in old[4:] if line.startswith("|") and line.split("|")[1].strip() not in now]
    return lines[:4] + kept + lines[4:]


def main() -> None:
    """Capture the pages and write the summary."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--demo", type=Path, default=None)
    ap.add_argument("--only", nargs="+", choices=["cohort", "patient", "synergy"], default=["cohort", "patient", "synergy"])
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    demo = _demo(args.demo) if {"cohort", "patient"} & set(args.only) else args.demo
    pages = [(n, p) for n, p in (_pages(demo) if demo is not None else []) if n in args.only]
    if "synergy" in args.only:
        pages.append(("synergy", _synergy_page(demo)))
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["# Report screenshots", "", "| page | file | console errors | external requests |", "|---|---|---|---|"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, page_path in pages:
            ctx = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            errors: list[str] = []
            external: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r, x=external: x.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
            page.goto(page_path.as_uri())
            page.wait_for_selector("html[data-tables=ready]")
            shot = OUT / f"{name}.png"
            page.screenshot(path=str(shot), full_page=False)
            lines.append(f"| {name} | `{page_path.name}` | {len(errors)} | {len(external)} |")
            ctx.close()
        browser.close()
    lines = _table(lines)
    (HERE / "results" / "screens.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
