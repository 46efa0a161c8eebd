import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from engine import softmax

FAST = settings(max_examples=60, deadline=None)


def test_worked_example_from_the_text():
    # 112 and 96 divided by sqrt(64) = 8 give 14 and 12
    expected = [math.exp(2) / (math.exp(2) + 1), 1 / (math.exp(2) + 1)]
    np.testing.assert_allclose(softmax(np.array([14.0, 12.0])), expected, rtol=1e-12)
    np.testing.assert_allclose(softmax(np.array([112.0, 96.0]) / 8), [0.8808, 0.1192], atol=1e-4)


def test_uniform_for_equal_scores():
    np.testing.assert_allclose(softmax(np.zeros(4)), [0.25] * 4)


def test_large_inputs_do_not_overflow():
    out = softmax(np.array([1000.0, 999.0, -1000.0, 1e308]))
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [0, 0, 0, 1])
    np.testing.assert_allclose(softmax(np.array([1000.0, 998.0])), softmax(np.array([2.0, 0.0])))


def test_minus_infinity_gets_exactly_zero_weight():
    out = softmax(np.array([[0.0, -np.inf, 0.0], [-np.inf, 5.0, -np.inf]]))
    assert out[0, 1] == 0.0 and out[1, 0] == 0.0 and out[1, 2] == 0.0
    np.testing.assert_allclose(out, [[0.5, 0, 0.5], [0, 1, 0]])


def test_axis_argument_including_negative():
    x = np.arange(24, dtype=float).reshape(2, 3, 4) / 7
    for axis in range(-3, 3):
        out = softmax(x, axis=axis)
        np.testing.assert_allclose(out.sum(axis=axis), 1.0)
        expected = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
        np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_returns_float64_shaped_like_input_and_leaves_input_alone():
    x = np.array([[1, 2], [3, 4]])
    copy = x.copy()
    out = softmax(x, axis=0)
    assert out.dtype == np.float64 and out.shape == (2, 2)
    np.testing.assert_array_equal(x, copy)


def test_scalar_is_rejected():
    with pytest.raises(ValueError):
        softmax(np.float64(3.0))


def arrays_with_axis(low=-1e3, high=1e3):
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=elements).flatmap(
        lambda x: st.tuples(st.just(x), st.integers(-x.ndim, x.ndim - 1))
    )


@FAST
@given(arrays_with_axis())
def test_slices_are_distributions(case):
    x, axis = case
    out = softmax(x, axis=axis)
    assert out.shape == x.shape
    assert np.all(out >= 0) and np.all(out <= 1)
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-12)


@FAST
@given(arrays_with_axis(), st.floats(-100, 100))
def test_shift_invariance(case, shift):
    x, axis = case
    np.testing.assert_allclose(softmax(x + shift, axis=axis), softmax(x, axis=axis), rtol=1e-9, atol=1e-12)


@FAST
@given(arrays_with_axis(low=-30, high=30))
def test_matches_the_textbook_formula_where_it_cannot_overflow(case):
    x, axis = case
    expected = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(softmax(x, axis=axis), expected, rtol=1e-10, atol=1e-300)
