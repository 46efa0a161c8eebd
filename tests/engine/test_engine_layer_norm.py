import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import layer_norm

FAST = settings(max_examples=50, deadline=None)


def test_hand_example():
    # mean 2.5, biased variance 1.25
    x = np.array([1.0, 2.0, 3.0, 4.0])
    denom = math.sqrt(1.25 + 1e-5)
    expected = [(-1.5) / denom, (-0.5) / denom, 0.5 / denom, 1.5 / denom]
    np.testing.assert_allclose(layer_norm(x, np.ones(4), np.zeros(4)), expected, rtol=1e-12)


def test_gamma_and_beta_are_applied_per_feature():
    x = np.array([[1.0, 3.0], [0.0, 10.0]])
    gamma, beta = np.array([2.0, 3.0]), np.array([0.5, -1.0])
    z = 1 / math.sqrt(1 + 1e-5)  # both rows normalise to (-z, z)
    np.testing.assert_allclose(layer_norm(x, gamma, beta),
                               [[-2 * z + 0.5, 3 * z - 1], [-2 * 5 / math.sqrt(25 + 1e-5) + 0.5,
                                                           3 * 5 / math.sqrt(25 + 1e-5) - 1]],
                               rtol=1e-12)


def test_constant_row_gives_beta_not_nan():
    out = layer_norm(np.full((2, 3), 7.0), np.ones(3), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out, [[1, 2, 3], [1, 2, 3]])


def test_custom_eps_and_shape():
    x = np.random.default_rng(3).normal(size=(2, 3, 5))
    out = layer_norm(x, np.ones(5), np.zeros(5), eps=0.5)
    assert out.shape == x.shape and out.dtype == np.float64
    var = x.var(axis=-1, keepdims=True)
    np.testing.assert_allclose(out, (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(var + 0.5), rtol=1e-12)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(2, 8), st.sampled_from([0.1, 1.0, 100.0]), st.floats(-50, 50))
def test_mean_zero_and_variance_one_when_gamma_one_beta_zero(seed, d, spread, offset):
    x = np.random.default_rng(seed).normal(size=(3, d)) * spread + offset
    out = layer_norm(x, np.ones(d), np.zeros(d))
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-9)
    var = x.var(axis=-1)
    # exactly var / (var + eps), which is 1 up to eps
    np.testing.assert_allclose(out.var(axis=-1), var / (var + 1e-5), rtol=1e-9)
    spread_out = var > 1e-3  # eps is negligible there
    np.testing.assert_allclose(out.var(axis=-1)[spread_out], 1.0, rtol=1e-2)
