"""Command line: ``oncoresist VERB ...``; thin wrappers around the library.

Each verb lives in a ``_<topic>.py`` module that registers itself on the shared typer ``app``;
importing them here assembles the CLI. :func:`main` is the console-script entry point and is
testable: ``main(["demo", "--out", "x"])`` returns the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from .._core._version import __version__
from . import (
    _activity,  # noqa: E402,F401  (registers activity)
    _biomarkers,  # noqa: E402,F401  (registers biomarkers)
    _clonal,  # noqa: E402,F401  (registers clones)
    _cohort,  # noqa: E402,F401  (registers demo, build)
    _integrate,  # noqa: E402,F401  (registers integrate)
    _kb,  # noqa: E402,F401  (registers annotate, kb build|import|query|info)
    _models,  # noqa: E402,F401  (registers associate, train, predict)
    _monitor,  # noqa: E402,F401  (registers monitor)
    _screen,  # noqa: E402,F401  (registers curves, synergy)
)
from ._app import app

__all__ = ["app", "main"]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"oncoresist {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(  # noqa: B008
        False, "--version", help="Show the version and exit.", callback=_version_callback, is_eager=True
    ),
) -> None:
    """oncoresist: multi-omics drug-resistance analysis."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = app(args=args, prog_name="oncoresist", standalone_mode=False)
    except typer.Exit as e:
        return int(e.exit_code or 0)
    except SystemExit as e:  # pragma: no cover - typer internals
        return int(e.code or 0)
    except Exception as e:  # click usage errors (typer >= 0.20 raises those of its own vendored click)
        usage, abort = _click_exceptions()
        if isinstance(e, usage):
            e.show()  # type: ignore[attr-defined]
            return int(e.exit_code)  # type: ignore[attr-defined]
        if isinstance(e, abort):
            return 1
        raise
    return rv if isinstance(rv, int) else 0


def _click_exceptions() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """The usage-error and abort exception classes of click and of typer's vendored click (when it has one)."""
    import click

    usage: list[type[BaseException]] = [click.exceptions.ClickException]
    abort: list[type[BaseException]] = [click.exceptions.Abort]
    try:
        from typer._click import exceptions as vendored  # typer >= 0.20
    except ImportError:  # pragma: no cover - older typer uses click itself
        return tuple(usage), tuple(abort)
    usage.append(vendored.ClickException)
    abort.extend([getattr(vendored, "Abort", click.exceptions.Abort)])
    return tuple(usage), tuple(abort)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
