"""Stamp every benchmark result file with the version, commit, date and machine it came from."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from oncoresist import __version__
from oncoresist._core._utils import atomic_write_text

HERE = Path(__file__).resolve().parent


def stamp() -> str:
    """One markdown line: oncoresist version, git commit (``+dirty`` when changed), date, machine."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "../src"], cwd=HERE, capture_output=True,
                               text=True, check=True).stdout.strip()
        commit += "+dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"_oncoresist {__version__}, commit {commit}, {when}; Python {platform.python_version()}, "
            f"{os.cpu_count()} cores_")


def write_stamped(path: Path, text: str) -> None:
    """Write a markdown result atomically, the stamp line first."""
    lines = text.splitlines()
    at = 1 if lines and lines[0].startswith("#") else 0  # keep the title first
    lines[at:at] = ["", stamp(), ""] if at else [stamp(), ""]
    atomic_write_text(path, "\n".join(lines) + "\n")
