import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import causal_mask, scaled_dot_product_attention

FAST = settings(max_examples=40, deadline=None)


def loop_attention(q, k, v, mask=None):
    """Independent oracle: one query and one key at a time, no matrix products.

    q (Lq, d_k), k (Lk, d_k), v (Lk, d_v), mask (Lq, Lk) or None.
    """
    lq, d_k = q.shape
    lk, d_v = v.shape
    weights = np.zeros((lq, lk))
    output = np.zeros((lq, d_v))
    for i in range(lq):
        allowed = [j for j in range(lk) if mask is None or mask[i][j]]
        scores = {j: sum(q[i][t] * k[j][t] for t in range(d_k)) / math.sqrt(d_k) for j in allowed}
        top = max(scores.values())
        exps = {j: math.exp(s - top) for j, s in scores.items()}
        total = sum(exps.values())
        for j in allowed:
            weights[i][j] = exps[j] / total
            for c in range(d_v):
                output[i][c] += weights[i][j] * v[j][c]
    return output, weights


def test_d_k_64_divides_scores_by_8():
    # the text's example: raw scores 112 and 96, d_k = 64, scaled to 14 and 12
    q = np.zeros((1, 64))
    q[0, 0] = 1.0
    k = np.zeros((2, 64))
    k[0, 0], k[1, 0] = 112.0, 96.0
    v = np.eye(2)
    output, weights = scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(weights, [[0.8808, 0.1192]], atol=1e-4)
    np.testing.assert_allclose(weights[0, 0], 1 / (1 + math.exp(-2)), rtol=1e-12)
    np.testing.assert_allclose(output, weights)


def test_small_hand_computed_example():
    q = np.array([[1.0, 0.0], [0.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0, 2.0], [3.0, 4.0]])
    output, weights = scaled_dot_product_attention(q, k, v)
    # query 0 scores: 1/sqrt(2) and 0; query 1 scores: 0 and 0 (uniform)
    w = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1)
    np.testing.assert_allclose(weights, [[w, 1 - w], [0.5, 0.5]], rtol=1e-12)
    np.testing.assert_allclose(output, [[w + 3 * (1 - w), 2 * w + 4 * (1 - w)], [2.0, 3.0]], rtol=1e-12)


def test_causal_mask_first_query_sees_only_the_first_key():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 3, 4))
    output, weights = scaled_dot_product_attention(q, k, v, causal_mask(3))
    assert weights[0, 1] == 0.0 and weights[0, 2] == 0.0 and weights[1, 2] == 0.0
    assert weights[0, 0] == 1.0
    np.testing.assert_allclose(output[0], v[0])


def test_matches_loop_oracle_with_and_without_mask(rng):
    q, k = rng.normal(size=(2, 5, 3))
    v = rng.normal(size=(5, 2))
    mask = rng.random((5, 5)) < 0.6
    mask[np.arange(5), rng.integers(0, 5, 5)] = True  # no row entirely False
    for m in (None, mask):
        output, weights = scaled_dot_product_attention(q, k, v, m)
        expected_output, expected_weights = loop_attention(q, k, v, m)
        np.testing.assert_allclose(weights, expected_weights, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(output, expected_output, rtol=1e-10, atol=1e-12)


def test_rectangular_and_broadcast_batch_dims(rng):
    q = rng.normal(size=(2, 1, 4, 3))  # batch (2, 1)
    k = rng.normal(size=(3, 6, 3))     # batch (3,)
    v = rng.normal(size=(3, 6, 5))
    mask = rng.random((4, 6)) < 0.5
    mask[:, 0] = True
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    assert output.shape == (2, 3, 4, 5) and weights.shape == (2, 3, 4, 6)
    for a, b in itertools.product(range(2), range(3)):
        expected_output, expected_weights = loop_attention(q[a, 0], k[b], v[b], mask)
        np.testing.assert_allclose(weights[a, b], expected_weights, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(output[a, b], expected_output, rtol=1e-10, atol=1e-12)


def test_large_scores_stay_finite():
    q = np.array([[1e3, 1e3]])
    k = np.array([[1e3, 1e3], [-1e3, 1e3]])
    output, weights = scaled_dot_product_attention(q, k, np.eye(2))
    assert np.all(np.isfinite(output)) and np.all(np.isfinite(weights))
    np.testing.assert_allclose(weights, [[1.0, 0.0]])


@st.composite
def attention_cases(draw):
    batch = draw(st.sampled_from([(), (2,), (2, 3)]))
    lq, lk, d_k, d_v = (draw(st.integers(1, 5)) for _ in range(4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([0.1, 1.0, 30.0]))
    q = rng.normal(size=batch + (lq, d_k)) * scale
    k = rng.normal(size=batch + (lk, d_k)) * scale
    v = rng.normal(size=batch + (lk, d_v))
    mask = None
    if draw(st.booleans()):
        mask = rng.random(batch + (lq, lk)) < 0.5
        mask[..., rng.integers(0, lk)] = True
    return q, k, v, mask


@FAST
@given(attention_cases())
def test_weights_are_distributions_with_masked_entries_exactly_zero(case):
    q, k, v, mask = case
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    assert weights.shape == q.shape[:-1] + (k.shape[-2],)
    assert output.shape == q.shape[:-1] + (v.shape[-1],)
    assert np.all(weights >= 0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    if mask is not None:
        assert np.all(weights[~mask] == 0.0)
    np.testing.assert_allclose(output, weights @ v, rtol=1e-12, atol=1e-14)


@FAST
@given(attention_cases())
def test_agrees_with_loop_oracle(case):
    q, k, v, mask = case
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    for index in np.ndindex(q.shape[:-2]):
        m = None if mask is None else mask[index]
        expected_output, expected_weights = loop_attention(q[index], k[index], v[index], m)
        np.testing.assert_allclose(weights[index], expected_weights, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(output[index], expected_output, rtol=1e-9, atol=1e-12)
