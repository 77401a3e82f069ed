"""Shared statistics of ``oncoresist._core._stats``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from oncoresist._core._stats import nanmedian_columns


@pytest.mark.parametrize("shape", [(1, 3), (2, 5), (7, 4), (8, 6), (120, 300), (0, 3), (5, 0)])
def test_nanmedian_columns_matches_numpy(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    A = rng.normal(size=shape)
    A[rng.random(shape) < 0.3] = np.nan
    if shape[0] > 2 and shape[1]:
        A[:, 0] = np.nan  # an all-missing column
    if shape[0] > 3 and shape[1] > 1:
        A[1, 1] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on all-NaN columns
        expected = np.nanmedian(A, axis=0)
    np.testing.assert_array_equal(nanmedian_columns(A), expected)


def test_nanmedian_columns_even_count_and_rejects_1d() -> None:
    A = np.array([[1.0, 5.0], [2.0, np.nan], [10.0, 7.0], [4.0, np.nan]])
    assert nanmedian_columns(A).tolist() == [3.0, 6.0]
    with pytest.raises(ValueError, match="2-D"):
        nanmedian_columns([1.0, 2.0])

