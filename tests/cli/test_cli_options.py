"""One option name per concept across verbs: new names, hidden deprecated aliases, help text (cli._app)."""

from __future__ import annotations

import re
import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main
from oncoresist.cli._app import (
    N_JOBS_HELP,
    deprecated_alias,
    examples_on_own_lines,
    n_jobs_value,
    split_names,
)
from oncoresist.io import read_h5mu, write_h5mu


def _cohort(path, n=30, seed=0):
    """A two-layer cohort (rna, prot) of ``n`` samples with two planted groups."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:02d}" for i in range(n)]
    z = rng.normal(size=(n, 2))
    z[n // 2:, 0] += 3.0
    rna = ad.AnnData(z @ rng.normal(size=(2, 20)) + rng.normal(scale=0.3, size=(n, 20)), obs=pd.DataFrame(index=ids),
                     var=pd.DataFrame(index=[f"G{i}" for i in range(20)]))
    prot = ad.AnnData(z @ rng.normal(size=(2, 10)) + rng.normal(scale=0.3, size=(n, 10)), obs=pd.DataFrame(index=ids),
                      var=pd.DataFrame(index=[f"P{i}" for i in range(10)]))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        write_h5mu(md.MuData({"rna": rna, "prot": prot}), path)
    return path


def _integrate(tmp_path, name, args, capsys):
    cohort = _cohort(tmp_path / "c.h5mu")
    out = tmp_path / name
    code = main(["integrate", str(cohort), "--out", str(out), "--no-preprocess", "--max-iter", "50", "-q", *args])
    cap = capsys.readouterr()
    return code, cap.err, out


@pytest.mark.parametrize(("old", "new"), [
    (["--mods", "rna,prot"], ["--layers", "rna", "--layers", "prot"]),
    (["-k", "3"], ["--n-factors", "3"]),
    (["--k", "2"], ["--n-subtypes", "2"]),
])
def test_integrate_deprecated_alias_works_and_warns(tmp_path, capsys, old, new):
    code_old, err_old, out_old = _integrate(tmp_path, "old", old, capsys)
    assert code_old == 0, err_old
    assert f"warning: {old[0]} is deprecated, use {new[0]}" in err_old
    code_new, err_new, out_new = _integrate(tmp_path, "new", new, capsys)
    assert code_new == 0, err_new
    assert "deprecated" not in err_new
    a, b = read_h5mu(out_old / "cohort.h5mu"), read_h5mu(out_new / "cohort.h5mu")
    assert a.uns["factors"]["params"]["mods"].tolist() == b.uns["factors"]["params"]["mods"].tolist()
    np.testing.assert_allclose(a.obsm["X_factors"], b.obsm["X_factors"])
    np.testing.assert_array_equal(a.obs["subtype"].astype(str), b.obs["subtype"].astype(str))
    if old[0] == "--k":
        assert a.obs["subtype"].nunique() == 2
    if old[0] == "--mods":
        assert a.uns["factors"]["params"]["mods"].tolist() == ["rna", "prot"]


def test_layers_accepts_commas(tmp_path, capsys):
    code, err, out = _integrate(tmp_path, "o", ["--layers", "prot", "--subtypes", "none"], capsys)
    assert code == 0, err
    assert read_h5mu(out / "cohort.h5mu").uns["factors"]["params"]["mods"].tolist() == ["prot"]


def test_alias_and_new_name_disagreeing_is_refused(tmp_path, capsys):
    code, err, _ = _integrate(tmp_path, "o", ["--n-factors", "4", "-k", "3"], capsys)
    assert code == 1
    assert "error: --n-factors and its deprecated alias -k were both given" in err
    assert "Traceback" not in err


def test_deprecated_alias_rules():
    assert deprecated_alias(5, None, new="--new", old="--old", default=5) == 5
    assert deprecated_alias([], [], new="--new", old="--old") == []
    assert deprecated_alias(5, 7, new="--new", old="--old", default=5) == 7
    assert deprecated_alias(7, 7, new="--new", old="--old", default=5) == 7


def test_n_jobs_policy():
    assert n_jobs_value(0) is None and n_jobs_value(1) == 1 and n_jobs_value(3) == 3


def _help(verb, capsys):
    assert main([*verb.split(), "--help"]) == 0
    return capsys.readouterr().out


_VERBS = ["demo", "build", "curves", "synergy", "integrate", "associate", "train", "predict", "annotate", "report",
          "monitor", "clones", "biomarkers", "activity", "kb build", "kb import", "kb query", "kb info"]


@pytest.mark.parametrize("verb", _VERBS)
def test_help_examples_on_their_own_lines(verb, capsys):
    text = _help(verb, capsys)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        assert not re.match(r"^\s*Example: oncoresist", line), f"{verb}: example not on its own line: {line!r}"
        if line.strip() == "Example:":
            assert lines[i + 1].strip().startswith(f"oncoresist {verb.split()[0]}"), (verb, lines[i + 1])
    import inspect

    from oncoresist.cli import app

    cmd = app if verb.split()[0] != "kb" else next(g.typer_instance for g in app.registered_groups if g.name == "kb")
    info = next(c for c in cmd.registered_commands if (c.name or c.callback.__name__.replace("_", "-")).endswith(verb.split()[-1]))
    raw = inspect.cleandoc(inspect.unwrap(info.callback).__doc__)
    stripped = {ln.strip() for ln in lines}
    for example in re.findall(r"(?:^\s*|: )(oncoresist [^\n]+)", raw, flags=re.MULTILINE):
        assert example.strip() in stripped, f"{verb}: {example!r} split over lines in --help"


@pytest.mark.parametrize("verb", ["curves", "associate", "train"])
def test_n_jobs_help_is_the_same_everywhere(verb, capsys):
    text = " ".join(_help(verb, capsys).split())
    assert " ".join(N_JOBS_HELP.split()) in text
    assert "[default: 1; x>=0]" in text


def test_demo_n_jobs_defaults_to_all_cpus_and_says_so(capsys):
    # the one exception to the policy: the demo is a one-shot showcase that should run in about a minute
    text = " ".join(_help("demo", capsys).split())
    assert "0 = all CPUs" in text and "the demo's default" in text and "[default: 0; x>=0]" in text


def test_integrate_help_lists_new_names_and_choices(capsys):
    text = _help("integrate", capsys)
    for name in ("--layers", "--n-factors", "--n-subtypes", "[native|mofa]", "[snf|consensus|none]"):
        assert name in text, name
    assert "--mods" not in text and "--k " not in text and "-k," not in text
    assert "oncoresist integrate cohort.h5mu --out integration --batch-key batch" in text


@pytest.mark.parametrize(("verb", "shown"), [("curves", "[4p|3p|2p]"), ("associate", "[resistant|sensitive]"),
                                             ("train", "[sample|group|none]"), ("activity", "[ulm|mlm|")])
def test_choices_are_listed(verb, capsys, shown):
    assert shown in _help(verb, capsys)


def test_examples_on_own_lines_keeps_other_paragraphs():
    doc = "Title.\n\n    Some text: with a colon.\n\n    Example: oncoresist x --a 1\n"
    assert examples_on_own_lines(doc) == "Title.\n\nSome text: with a colon.\n\n\bExample:\n  oncoresist x --a 1".replace(
        "\bExample", "\b\nExample")
    assert examples_on_own_lines(None) is None


@pytest.mark.parametrize("verb", ["report", "monitor", "annotate"])
def test_kb_option_wherever_evidence_is_used(verb, capsys):
    assert "--kb" in _help(verb, capsys)


@pytest.mark.parametrize("argv", [["build"], ["integrate", "--n-factors", "x", "c.h5mu"], ["curves", "s.csv", "--nope"]])
def test_usage_errors_exit_2_without_traceback(argv, capsys):
    """typer's vendored click raises its own usage errors: main() still turns them into exit code 2."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("Error:")


@pytest.mark.parametrize(("given", "expected"), [
    (None, None), ("", None), ([], None), (" , ", None), ([" ", ","], None),
    ("a, b", ["a", "b"]), (["a", "b,c"], ["a", "b", "c"]), (["rna", " prot ,"], ["rna", "prot"]),
])
def test_split_names_repeated_and_comma_separated(given, expected):
    assert split_names(given) == expected
