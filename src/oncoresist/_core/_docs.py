"""Docstring fragments: text shared by many docstrings is written once (as scanpy's ``_doc_params``).

A docstring holds a placeholder line such as ``    {doc_ax}``; :func:`doc_params` replaces it with the
fragment, indented like the placeholder. Other braces (dicts in examples) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["DOC_AX", "DOC_IMPORT_RETURNS", "DOC_MU_COPY", "DOC_PP_COPY", "DOC_PP_DATA", "DOC_PP_LAYER", "DOC_RETURNS_FIGURE",
           "doc_params"]

F = TypeVar("F", bound=Callable[..., object])

#: ``ax`` parameter of a figure function, and its Returns section.
DOC_AX = """\
ax
    Axes to draw into (default: a new figure).

Returns
-------
matplotlib.figure.Figure
    The figure drawn into."""

#: Returns section of a figure function without ``ax``.
DOC_RETURNS_FIGURE = """\
Returns
-------
matplotlib.figure.Figure
    The figure drawn into."""

#: ``copy`` / ``overwrite`` parameters and the Returns section of a pp function.
DOC_PP_COPY = """\
copy
    Return a changed copy.
overwrite
    Replace a layer / column of the same name that this function did not write (e.g. the user's own).

Returns
-------
MuData, AnnData or None
    The copy when ``copy=True``."""


#: ``copy`` parameter and the Returns section of a function that changes a MuData.
DOC_MU_COPY = """\
copy
    Return a changed copy instead of changing the cohort.

Returns
-------
MuData or None
    The copy when ``copy=True``."""


#: Returns section of a knowledge-base importer (CIViC, MOAlmanac).
DOC_IMPORT_RETURNS = """\
Returns
-------
(pandas.DataFrame, ImportReport)
    Evidence records (the columns :func:`~oncoresist.kb.load_curated_core` returns) and
    the report of what was kept and dropped."""


#: ``data`` / ``mod`` parameters of a pp function (a cohort or one AnnData).
DOC_PP_DATA = """\
data
    Cohort or AnnData.
mod
    Modality of a cohort."""


#: ``layer`` parameter of a pp function that reads one matrix of the layer.
DOC_PP_LAYER = """\
layer
    Input layer (default ``X``)."""


def doc_params(**fragments: str) -> Callable[[F], F]:
    r"""Fill ``{name}`` placeholder lines of a docstring with the given fragments.

    Parameters
    ----------
    **fragments
        Placeholder name -> text (unindented; each line is indented like the placeholder).

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @doc_params(doc_x="x\n    A number.")
    ... def f(x):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {doc_x}
    ...     '''
    >>> "A number." in f.__doc__
    True
    """

    def decorate(obj: F) -> F:
        if obj.__doc__:
            lines: list[str] = []
            for line in obj.__doc__.splitlines():
                key = line.strip()
                if key.startswith("{") and key.endswith("}") and key[1:-1] in fragments:
                    indent = line[: len(line) - len(line.lstrip())]
                    lines.extend((indent + f) if f else f for f in fragments[key[1:-1]].splitlines())
                else:
                    lines.append(line)
            obj.__doc__ = "\n".join(lines)
        return obj

    return decorate
