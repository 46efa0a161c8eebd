import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import positional_encoding


def loop_encoding(length, d_model):
    pe = np.zeros((length, d_model))
    for p in range(length):
        for i in range(0, d_model, 2):
            angle = p / 10000 ** (i / d_model)  # i is the even index 2i
            pe[p, i] = math.sin(angle)
            if i + 1 < d_model:
                pe[p, i + 1] = math.cos(angle)
    return pe


def test_row_zero_alternates_zero_and_one():
    pe = positional_encoding(4, 8)
    assert pe.shape == (4, 8) and pe.dtype == np.float64
    np.testing.assert_array_equal(pe[0], [0, 1, 0, 1, 0, 1, 0, 1])


def test_hand_values():
    pe = positional_encoding(3, 4)
    np.testing.assert_allclose(pe[1, :2], [math.sin(1), math.cos(1)], rtol=1e-15)
    # pair i = 1: 10000 ** (2/4) = 100
    np.testing.assert_allclose(pe[2, 2:], [math.sin(2 / 100), math.cos(2 / 100)], rtol=1e-15)


def test_odd_width_ends_on_a_sin_column():
    pe = positional_encoding(5, 5)
    assert pe.shape == (5, 5)
    np.testing.assert_allclose(pe[:, 4], np.sin(np.arange(5) / 10000 ** (4 / 5)))
    np.testing.assert_allclose(pe, loop_encoding(5, 5), rtol=1e-14, atol=1e-15)


def test_invalid_sizes():
    with pytest.raises(ValueError):
        positional_encoding(3, 0)
    assert positional_encoding(0, 4).shape == (0, 4)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 24))
def test_matches_loop_and_pairs_lie_on_the_unit_circle(length, d_model):
    pe = positional_encoding(length, d_model)
    np.testing.assert_allclose(pe, loop_encoding(length, d_model), rtol=1e-13, atol=1e-15)
    even = d_model - d_model % 2
    np.testing.assert_allclose(pe[:, 0:even:2] ** 2 + pe[:, 1:even:2] ** 2, 1.0, rtol=1e-14)
