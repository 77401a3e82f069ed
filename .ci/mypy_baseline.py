"""Run mypy over src/ and fail when it reports more errors than the recorded baseline.

The baseline (``.ci/mypy-baseline``) may only go down: when you fix type errors, lower it in the
same commit (``python .ci/mypy_baseline.py --update``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline"


def main() -> int:
    """Run mypy and compare its error count with the baseline."""
    proc = subprocess.run([sys.executable, "-m", "mypy", "src"], cwd=ROOT, capture_output=True, text=True)
    errors = [ln for ln in proc.stdout.splitlines() if re.search(r": error:", ln)]
    n = len(errors)
    if "--update" in sys.argv:
        BASELINE.write_text(f"{n}\n")
        print(f"mypy baseline set to {n}")
        return 0
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        return proc.returncode
    base = int(BASELINE.read_text().strip())
    print(f"mypy: {n} errors (baseline {base})")
    if n > base:
        print("\n".join(errors))
        print(f"mypy found {n - base} more errors than the baseline {base}: fix the new ones.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
