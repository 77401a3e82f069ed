from __future__ import annotations

import functools
import operator
import os

import pytest

from oncoresist import InputError
from oncoresist.parallel import parallel_map


def _square(x: int) -> int:
    return x * x


def test_local_joblib_keeps_order():
    assert parallel_map(_square, range(10), n_jobs=2, quiet=True) == [i * i for i in range(10)]
    assert parallel_map(_square, [], quiet=True) == []


def test_dask_local_cluster_same_results():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            f = functools.partial(operator.mul, 3)
            assert parallel_map(f, list(range(7)), scheduler=client, quiet=True) == [3 * i for i in range(7)]
            # an address string opens (and closes) its own client
            assert parallel_map(_square, [1, 2, 3], scheduler=cluster.scheduler_address, quiet=True) == [1, 4, 9]


def test_bad_scheduler():
    with pytest.raises(InputError, match="scheduler must be"):
        parallel_map(_square, [1], scheduler=3.5, quiet=True)


def test_fork_map_shares_unpicklable_state_and_reraises_warnings():
    import threading
    import warnings

    from oncoresist.parallel import fork_map

    lock = threading.Lock()  # a lock does not pickle: the workers must inherit it, not receive it

    def work(x: int) -> int:
        with lock:
            if x == 2:
                warnings.warn("two seen", UserWarning, stacklevel=1)
            return x * 10

    with pytest.warns(UserWarning, match="two seen"):
        assert fork_map(work, [1, 2, 3, 4], n_jobs=2) == [10, 20, 30, 40]
    pids = fork_map(lambda _: os.getpid(), [0, 1], n_jobs=2)
    assert os.getpid() not in pids  # ran in forked workers
    assert fork_map(work, [5], n_jobs=2) == [50]  # one item: runs here
    assert fork_map(work, [], n_jobs=2) == []
