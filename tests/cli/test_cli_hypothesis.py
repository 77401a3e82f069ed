"""Property test over the CLI verbs: random typed options and damaged inputs never end in a traceback (issue 17)."""

from __future__ import annotations

import contextlib
import io
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
import typer

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a test extra (pip install oncoresist[test])")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from oncoresist.cli import app, main  # noqa: E402

VERBS = ["build", "curves", "synergy", "integrate", "associate", "train", "predict", "annotate", "report", "monitor",
         "clones", "biomarkers", "activity"]

#: Damaged or wrong inputs, by kind: what a user may pass by mistake.
_CONTENTS = {
    "empty": b"",
    "hdf5_truncated": b"\x89HDF\r\n\x1a\n" + bytes(range(40)),
    "csv_header_only": b"sample,drug,dose,viability\n",
    "csv_wrong_columns": b"a,b\n1,2\nx,\n",
    "binary_noise": bytes((7 * i + 3) % 256 for i in range(300)),
    "toml_broken": b"[study\nname = 'x'\n[layers.rna]\nfile = 'nope.csv'\n",
    "toml_missing_file": b"[study]\nname = 'x'\n[layers.rna]\nfile = 'nope.csv'\n",
    "text": b"hello\nworld\n",
}
_TEXT = st.sampled_from(["", "x", "rna", "mut,cnv", "nope", "0", "-1", "TP53", "drugX", "a=b", "tcp://127.0.0.1:1"])


def _command(verb: str) -> Any:
    """The click command of a verb."""
    return typer.main.get_command(app).commands[verb]  # type: ignore[attr-defined]


def _is_option(p: Any) -> bool:
    return p.param_type_name == "option" and "--help" not in p.opts and "--out" not in p.opts


def _value(param: Any, paths: list[str]) -> st.SearchStrategy[list[str]]:
    """Arguments for one option: its flag and a random value of its declared type (choices from its metavar)."""
    name = max(param.opts, key=len)
    kind = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    if getattr(param, "is_flag", False):
        return st.sampled_from([*param.opts, *param.secondary_opts]).map(lambda n: [n])
    metavar = getattr(param, "metavar", None) or ""
    if metavar.startswith("[") and "|" in metavar:
        vals: st.SearchStrategy[str] = st.sampled_from(metavar.strip("[]").split("|"))
    elif kind is int:
        vals = st.integers(-2, 6).map(str)
    elif kind is float:
        vals = st.sampled_from(["0", "0.5", "-1", "1e9", "nan"])
    elif kind is Path:
        vals = st.sampled_from(paths)
    else:
        vals = st.one_of(_TEXT, st.sampled_from(paths))
    return vals.map(lambda v: [name, v])


@st.composite
def _argv(draw: st.DrawFn, verb: str, paths: list[str], out: str) -> list[str]:
    """A verb's arguments: positional inputs from ``paths``, ``--out``, and up to four random options."""
    cmd = _command(verb)
    argv = [verb]
    for p in cmd.params:
        if p.param_type_name == "argument":
            argv += [draw(st.sampled_from(paths)) for _ in range(max(1, p.nargs))]
    options = [p for p in cmd.params if _is_option(p)]
    for p in draw(st.lists(st.sampled_from(options), max_size=4, unique_by=lambda p: p.name)):
        argv += draw(_value(p, paths))
    if any("--out" in p.opts for p in cmd.params if p.param_type_name == "option"):
        argv += ["--out", out]
    return argv


def _run(argv: list[str]) -> tuple[int, str]:
    """Exit code and stderr of one CLI call (an exception escaping ``main`` fails the test)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("default")  # as for a user: warnings are printed, not raised (pytest raises them)
        code = main(argv)
    return code, err.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("verb", VERBS)
def test_random_options_and_damaged_inputs_end_cleanly(verb: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        paths = [str(root / "missing.csv"), str(root)]
        for kind, content in _CONTENTS.items():
            for suffix in (".csv", ".h5mu", ".toml"):
                (root / f"{kind}{suffix}").write_bytes(content)
                paths.append(str(root / f"{kind}{suffix}"))

        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        @given(argv=_argv(verb, paths, str(root / "out" / "result.csv")))
        def check(argv: list[str]) -> None:
            code, err = _run(argv)
            assert "Traceback" not in err, (argv, err)
            assert code in (0, 1, 2), (argv, code, err)
            if code != 0:
                errors = [ln for ln in err.splitlines() if ln.lower().startswith("error")]
                assert errors, (argv, err)
                assert len(errors) == 1, (argv, err)

        check()
