"""Exceptions raised for bad user input.

Every message names the file / column / sample, what was expected, what was found and how to
fix it, on one line, so the command line can print it as the single-line cause of a failure.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a file, column, sample, option or value that cannot be used.

    Subclasses :class:`ValueError` so library users can catch it as usual; the CLI prints its
    message as a one-line cause and exits with a non-zero code.
    """
