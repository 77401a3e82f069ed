"""The typer application shared by every verb module."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
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

    wrapper.__doc__ = examples_on_own_lines(func.__doc__)
    return wrapper  # type: ignore[return-value]


def examples_on_own_lines(doc: str | None) -> str | None:
    r"""A verb's docstring with each ``Label: oncoresist ...`` paragraph kept unwrapped, the command on its own line.

    click re-wraps help paragraphs; a paragraph that starts with a ``\b`` line is printed as is,
    so an example command is never split over lines and can be copied whole.
    """
    if not doc:
        return doc
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    for i, para in enumerate(paragraphs):
        if all(line.strip().startswith("oncoresist ") for line in para.splitlines()):
            paragraphs[i] = "\b\n" + para
            continue
        label, sep, command = para.partition(": oncoresist ")
        commands = [f"oncoresist {command.strip()}".splitlines()[0], *[c.strip() for c in command.strip().splitlines()[1:]]]
        if sep and "\n" not in label and label.strip() and all(c.startswith("oncoresist ") for c in commands):
            paragraphs[i] = "\n".join([f"\b\n{label.strip()}:", *(f"  {c}" for c in commands)])
    return "\n\n".join(paragraphs)


#: The one ``--n-jobs`` policy of every verb (same default, same wording in every --help).
N_JOBS_HELP = "Local worker processes: 1 = this process (the default), 0 = all CPUs this process may use, N = N workers."


def n_jobs_value(n_jobs: int) -> int | None:
    """``--n-jobs`` as the library's ``n_jobs`` (0 = all CPUs = ``None``)."""
    return None if n_jobs == 0 else n_jobs


def choices(*values: str) -> str:
    """A metavar listing an option's choices, e.g. ``[native|mofa]`` (shown in --help instead of TEXT)."""
    return "[" + "|".join(values) + "]"


def split_names(values: str | Sequence[str] | None) -> list[str] | None:
    """Names from an option given once or repeated, each value comma-separated or not.

    ``"a, b"`` and ``["a", "b,c"]`` give ``["a", "b"]`` and ``["a", "b", "c"]``; blanks are
    dropped; ``None`` when no name is left (the option was not given).
    """
    if not values:
        return None
    items = [values] if isinstance(values, str) else values
    names = [v.strip() for item in items for v in str(item).split(",") if v.strip()]
    return names or None


def deprecated_alias(new_value: Any, old_value: Any, *, new: str, old: str, default: Any = None) -> Any:
    """The value of an option given by its name ``new`` or by its hidden deprecated alias ``old``.

    Parameters
    ----------
    new_value
        The value parsed under the new name.
    old_value
        The value parsed under the old name (``None`` or empty when not given).
    new, old
        The option names, for the messages.
    default
        The new option's default (a value different from it means the new name was given).

    Returns
    -------
    Any
        ``old_value`` when the old name was given (after a one-line deprecation warning on stderr), else ``new_value``.

    Raises
    ------
    InputError
        Both names were given with different values.
    """
    if old_value is None or (isinstance(old_value, (list, tuple)) and not old_value):
        return new_value
    typer.echo(f"warning: {old} is deprecated, use {new} (same meaning); {old} will keep working.", err=True)
    if new_value != default and new_value != old_value:
        msg = f"{new} and its deprecated alias {old} were both given, with different values; keep {new} only."
        raise InputError(msg)
    return old_value


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    """A warning as one ``warning: ...`` line on stderr (no source path or code line)."""
    text = str(message)
    if "names are intersecting" in text or "names are not unique" in text or "pull_on_update" in text:  # mudata: shared feature names
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

