"""Fuzz every public reader of ``oncoresist.io``: damaged input succeeds or raises InputError.

Each reader starts from a small valid file made here (``fuzz_inputs.cases``), damaged by a
hypothesis-chosen edit (truncation, a deleted / duplicated line, a flipped byte, a huge or odd
number, an empty or header-only file, a wrong delimiter, non-UTF-8 bytes, a lost / extra / blank
cell). Anything but success or the project's own :class:`InputError` is a bug. The budget is
fixed (25 derandomized examples per reader) so CI stays fast.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pytest
from fuzz_inputs import DAMAGE_KINDS, Case, cases, damage, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oncoresist.io as oio
from oncoresist._core._errors import InputError

CASES = {c.name: c for c in cases()}
DAMAGE = st.tuples(st.sampled_from(DAMAGE_KINDS), st.integers(0, 2**31), st.integers(0, 2**16))
BUDGET = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _read_damaged(case: Case, kind: str, a: int, b: int) -> None:
    """Read the case with its target damaged; anything but success or InputError propagates."""
    raw = damage(case.files[case.target], kind, a, b)
    with tempfile.TemporaryDirectory() as d:
        folder = write_case(case, Path(d), raw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # warning about doubtful input is a legitimate outcome
            try:
                case.read(folder)
            except InputError as e:
                assert str(e).strip(), "an InputError must say what is wrong"


def test_every_public_reader_is_fuzzed() -> None:
    readers = {n for n in oio.__all__ if n.startswith("read_")}
    covered = {n for n in readers if any(c == n or c.startswith(n + "_") for c in CASES)}
    assert covered == readers, f"readers without a fuzz case: {sorted(readers - covered)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_valid_input_reads(name: str) -> None:
    case = CASES[name]
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert case.read(write_case(case, Path(d))) is not None


@pytest.mark.parametrize("name", sorted(CASES))
def test_damaged_input_reads_or_raises_input_error(name: str) -> None:
    case = CASES[name]

    @BUDGET
    @given(DAMAGE)
    def run(op: tuple[str, int, int]) -> None:
        _read_damaged(case, *op)

    run()


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("kind", DAMAGE_KINDS)
def test_each_damage_kind(name: str, kind: str) -> None:
    """Every kind of damage at least once per reader (hypothesis may not draw all 13 in 25)."""
    _read_damaged(CASES[name], kind, 7919, 31)
