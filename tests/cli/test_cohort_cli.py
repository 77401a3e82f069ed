from __future__ import annotations

import pytest

from oncoresist.cli import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "oncoresist" in capsys.readouterr().out


def test_help_lists_verbs(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for verb in ("demo", "build", "report"):
        assert verb in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["build", "{tmp}/missing.toml", "--out", "{tmp}/c.h5mu"], "does not exist"),
        (["build", "{tmp}/bad.toml", "--out", "{tmp}/c.h5mu"], "not valid TOML"),
        (["report", "{tmp}/missing.h5mu", "--out", "{tmp}/r.html"], "does not exist"),
    ],
)
def test_bad_input_one_line_error(tmp_path, capsys, args, needle):
    (tmp_path / "bad.toml").write_text("[layers\n")
    code = main([a.format(tmp=tmp_path) for a in args])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: ") and needle in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "c.h5mu").exists()
