"""Screenshots of the demo's cohort and patient pages in headless Chromium (offline), for the README.

Run by hand: ``python benchmarks/screenshots.py [--demo DIR]`` (runs ``oncoresist demo`` into a temporary
folder unless ``--demo`` points to an existing demo output). Writes ``benchmarks/results/screens/*.png``
and ``benchmarks/results/screens.md`` (what was captured, console errors, external requests).
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


def main() -> None:
    """Capture the pages and write the summary."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--demo", type=Path, default=None)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    demo = _demo(args.demo)
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["# Report screenshots", "", "| page | file | console errors | external requests |", "|---|---|---|---|"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, page_path in _pages(demo):
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
    (HERE / "results" / "screens.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
