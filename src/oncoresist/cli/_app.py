"""The typer application shared by every verb module."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from .._core._errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="oncoresist",
    help=(
        "oncoresist: integrate a tumour's multi-omics layers with drug-response data to explain "
        "and predict cancer drug resistance.\n\n"
        "Start with 'oncoresist demo' (simulated cohort -> report), then 'oncoresist build "
        "study.toml --out cohort.h5mu' on your own files."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PSEUDONYMISE_HELP = (
    "Replace sample IDs by stable salted pseudonyms (HMAC-SHA256 of the ID with the salt) in page titles, file names, "
    "tables, figures and CSV exports; the key (pseudonym -> sample ID, salt) is written apart (--key-file)."
)
SALT_HELP = "Secret salt of --pseudonymise (same salt = same pseudonyms; default: the salt of an existing --key-file, else a random one written with the key)."
KEY_FILE_HELP = "Where --pseudonymise writes its key (CSV: pseudonym, sample_id, salt); refused inside the report folder; an existing key is extended."


def fail(message: str, code: int = 1) -> None:
    """Print a one-line cause on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn :class:`InputError` (and unreadable files) into a one-line error and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return func(*args, **kwargs)
        except InputError as e:
            fail(str(e).splitlines()[0] if str(e) else "bad input")
        except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
            fail(f"{e.strerror or e}: '{e.filename}'")
        except KeyboardInterrupt:  # pragma: no cover - interactive
            typer.echo("interrupted", err=True)
            sys.exit(130)
        return None

    return wrapper  # type: ignore[return-value]


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    """A warning as one ``warning: ...`` line on stderr (no source path or code line)."""
    text = str(message)
    if "names are intersecting" in text or "pull_on_update" in text:  # mudata's notes on shared feature names
        return
    typer.echo(f"warning: {text}", err=True)


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    """Refuse an option value that is not one of ``choices``, listing them."""
    if value not in choices:
        msg = f"{option} must be {', '.join(map(repr, choices[:-1]))} or {choices[-1]!r}, got {value!r}."
        raise InputError(msg)


def log(message: str, *, quiet: bool) -> None:
    """Print a progress message on stderr unless ``quiet``."""
    if not quiet:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(message)


def refuse_existing(out: Any, *, overwrite: bool, option: str = "--out") -> None:
    """Refuse to write over an existing output file or folder unless ``--overwrite`` was given.

    Parameters
    ----------
    out
        The output path.
    overwrite
        The user's ``--overwrite`` flag.
    option
        The option that named the path, for the message.

    Raises
    ------
    InputError
        ``out`` exists and ``overwrite`` is false.
    """
    from pathlib import Path

    p = Path(out)
    if p.exists() and not overwrite:
        kind = "folder" if p.is_dir() else "file"
        msg = f"{option} '{p}' already exists ({kind}); nothing was written. Choose another path or pass --overwrite to replace it."
        raise InputError(msg)


def finish_pseudonyms(pseudo: Any, key: Any, written: list[Any], *, quiet: bool) -> list[Any]:
    """Scrub the written files (and names) of sample IDs, write the key apart; the final paths."""
    from pathlib import Path

    from ..report import scrub_files

    moved = scrub_files(written, pseudo.mapping)
    pseudo.write_key(key)
    log(f"pseudonymised {len(pseudo.mapping)} sample(s); key (keep it apart from the report): {key}", quiet=quiet)
    return [moved.get(Path(p), Path(p)) for p in written]

