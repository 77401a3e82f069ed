"""One executor for every embarrassingly parallel job (drugs x folds, curves, bootstraps).

Locally it uses joblib (processes, ``n_jobs`` workers); given a Dask scheduler address
(``tcp://host:8786``) or a :class:`distributed.Client`, the same call runs on the cluster.
Library code calls :func:`parallel_map` and never picks a backend itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ._core._errors import InputError
from ._core._utils import progress

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["default_n_jobs", "fork_map", "parallel_map"]


def default_n_jobs() -> int:
    """Number of workers used when ``n_jobs`` is not given: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def parallel_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    n_jobs: int | None = None,
    scheduler: Any = None,
    description: str = "working",
    quiet: bool = False,
) -> list[R]:
    """Apply ``func`` to every item, in parallel, and return the results in input order.

    Parameters
    ----------
    func
        A picklable function of one argument (a module-level function or a
        :func:`functools.partial` of one).
    items
        The work items.
    n_jobs
        Local workers (joblib). ``1`` runs in this process (easiest to debug); ``None`` uses
        every available CPU; ``-1`` as in joblib. Ignored when ``scheduler`` is given.
    scheduler
        ``None`` for local execution, or a Dask scheduler address (``"tcp://10.0.0.1:8786"``)
        or an existing :class:`distributed.Client`: tasks are then submitted to that cluster.
    description
        Label of the progress bar.
    quiet
        No progress bar.

    Returns
    -------
    list
        ``[func(item) for item in items]``.

    Examples
    --------
    >>> parallel_map(abs, [-1, 2, -3], n_jobs=1, quiet=True)
    [1, 2, 3]
    """
    items = list(items)
    if not items:
        return []
    if scheduler is not None:
        return _dask_map(func, items, scheduler, description=description, quiet=quiet)
    if n_jobs is None:
        n_jobs = default_n_jobs()
    if n_jobs == 1 or len(items) == 1:
        return [func(it) for it in progress(items, description=description, quiet=quiet)]
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=n_jobs, return_as="generator")
    gen = par(delayed(func)(it) for it in items)
    return list(progress(gen, description=description, total=len(items), quiet=quiet))


def fork_map(func: Callable[[T], R], items: Sequence[T], *, n_jobs: int | None = None) -> list[R]:
    """:func:`parallel_map` for work that reads a large, unpicklable object of this process.

    ``func`` (any callable, a closure over a :class:`mudata.MuData` included) runs in worker
    processes *forked* from this one, so they inherit its memory copy-on-write instead of
    receiving it pickled. Off Linux (fork is absent on Windows and unsafe on macOS) or with
    ``n_jobs=1`` the items run here, one after the other. Results must be picklable; warnings
    raised in a worker are raised again here.

    Parameters
    ----------
    func
        Function of one item.
    items
        The work items.
    n_jobs
        Worker processes (``None`` or ``0``: every available CPU; capped at the number of items).

    Returns
    -------
    list
        ``[func(item) for item in items]``, in input order.

    Examples
    --------
    >>> big = {"k": 3}  # stands for an object that does not pickle
    >>> fork_map(lambda x: x * big["k"], [1, 2, 3], n_jobs=2)
    [3, 6, 9]
    """
    import multiprocessing as mp
    import warnings

    items = list(items)
    n = min(len(items), default_n_jobs() if not n_jobs or n_jobs < 0 else int(n_jobs))
    if n <= 1 or not sys.platform.startswith("linux") or "fork" not in mp.get_all_start_methods():
        return [func(it) for it in items]  # fork is unsafe on macOS (system frameworks) and absent on Windows
    global _FORK_FUNC
    _FORK_FUNC = func
    try:
        with warnings.catch_warnings():  # Python >= 3.12 warns on forking a process with threads (joblib's)
            warnings.filterwarnings("ignore", message=r".*fork\(\).*", category=DeprecationWarning)
            with mp.get_context("fork").Pool(n) as pool:
                out = pool.map(_forked_call, items, chunksize=1)
    finally:
        _FORK_FUNC = None
    for _, caught in out:
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
    return [r for r, _ in out]


_FORK_FUNC: Any = None


def _forked_call(item: Any) -> tuple[Any, list[tuple[type[Warning], str]]]:
    """Run the function set by :func:`fork_map` in a forked worker, returning its warnings too."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _FORK_FUNC(item)
    return result, [(w.category, str(w.message)) for w in caught]


def _dask_map(func: Callable[[T], R], items: list[T], scheduler: Any, *, description: str, quiet: bool) -> list[R]:
    try:
        from distributed import Client, as_completed
    except ImportError as e:  # pragma: no cover - the [dask] extra (tests install it)
        msg = "a Dask scheduler was given but 'distributed' is not installed: pip install 'oncoresist[dask]'."
        raise InputError(msg) from e
    own = False
    if isinstance(scheduler, Client):
        client = scheduler
    elif isinstance(scheduler, str):
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as e:
            msg = f"cannot connect to the Dask scheduler at {scheduler!r}: {e}. Is it running and reachable?"
            raise InputError(msg) from e
        own = True
    else:
        msg = f"scheduler must be an address such as 'tcp://host:8786' or a distributed.Client, got {type(scheduler).__name__}."
        raise InputError(msg)
    try:
        futures = client.map(func, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for fut in progress(as_completed(futures), description=description, total=len(items), quiet=quiet):
            results[index[fut.key]] = fut.result()
        return results
    finally:
        if own:
            client.close()
