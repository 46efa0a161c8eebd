import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import causal_mask, multi_head_attention, scaled_dot_product_attention

FAST = settings(max_examples=30, deadline=None)


def loop_multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """Independent oracle for one sequence x (L, d_model): explicit column blocks
    per head, one query and one key at a time, heads concatenated in order."""
    length, d_model = x.shape
    d_head = d_model // num_heads
    q_all, k_all, v_all = x @ w_q, x @ w_k, x @ w_v
    head_outputs = []
    for h in range(num_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        q, k, v = q_all[:, cols], k_all[:, cols], v_all[:, cols]
        out = np.zeros((length, d_head))
        for i in range(length):
            allowed = [j for j in range(length) if mask is None or mask[i][j]]
            scores = [float(np.dot(q[i], k[j])) / math.sqrt(d_head) for j in allowed]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            for j, e in zip(allowed, exps):
                out[i] += e / sum(exps) * v[j]
        head_outputs.append(out)
    return np.concatenate(head_outputs, axis=1) @ w_o


def random_weights(rng, d_model):
    return [rng.normal(size=(d_model, d_model)) / math.sqrt(d_model) for _ in range(4)]


def test_matches_loop_oracle(rng):
    x = rng.normal(size=(5, 8))
    weights = random_weights(rng, 8)
    for heads in (1, 2, 4, 8):
        for mask in (None, causal_mask(5)):
            np.testing.assert_allclose(
                multi_head_attention(x, *weights, heads, mask),
                loop_multi_head(x, *weights, heads, mask),
                rtol=1e-9, atol=1e-12,
            )


def test_batched_input_equals_each_sequence_alone(rng):
    x = rng.normal(size=(3, 4, 6))
    weights = random_weights(rng, 6)
    masks = rng.random((3, 4, 4)) < 0.6
    masks[:, :, 0] = True
    for mask in (None, causal_mask(4), masks):
        out = multi_head_attention(x, *weights, 3, mask)
        assert out.shape == x.shape
        for b in range(3):
            m = mask if mask is None or mask.ndim == 2 else mask[b]
            np.testing.assert_allclose(out[b], loop_multi_head(x[b], *weights, 3, m), rtol=1e-9, atol=1e-12)


def test_head_h_uses_a_contiguous_column_block(rng):
    # zero every column of w_v except head 1's block: only head 1 contributes,
    # and it lands in the same block of the concatenation (w_o = identity)
    x = rng.normal(size=(4, 6))
    w_q, w_k, _, _ = random_weights(rng, 6)
    w_v = np.zeros((6, 6))
    w_v[:, 2:4] = rng.normal(size=(6, 2))
    out = multi_head_attention(x, w_q, w_k, w_v, np.eye(6), 3)
    assert np.all(out[:, :2] == 0) and np.all(out[:, 4:] == 0)
    expected, _ = scaled_dot_product_attention((x @ w_q)[:, 2:4], (x @ w_k)[:, 2:4], (x @ w_v)[:, 2:4])
    np.testing.assert_allclose(out[:, 2:4], expected, rtol=1e-12)


def test_num_heads_must_divide_d_model(rng):
    x = rng.normal(size=(2, 6))
    with pytest.raises(ValueError):
        multi_head_attention(x, *random_weights(rng, 6), 4)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 6), st.booleans())
def test_one_head_is_single_attention_after_projections(seed, length, d_model, masked):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(length, d_model))
    w_q, w_k, w_v, w_o = random_weights(rng, d_model)
    mask = causal_mask(length) if masked else None
    single, _ = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, mask)
    np.testing.assert_allclose(multi_head_attention(x, w_q, w_k, w_v, w_o, 1, mask), single @ w_o,
                               rtol=1e-10, atol=1e-12)


@FAST
@given(st.integers(0, 2**32 - 1), st.sampled_from([(1, 1), (2, 2), (2, 4), (3, 6), (4, 8)]),
       st.integers(1, 4), st.booleans())
def test_agrees_with_loop_oracle_property(seed, heads_and_width, length, masked):
    num_heads, d_model = heads_and_width
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(length, d_model)) * 3
    weights = random_weights(rng, d_model)
    mask = causal_mask(length) if masked else None
    np.testing.assert_allclose(multi_head_attention(x, *weights, num_heads, mask),
                               loop_multi_head(x, *weights, num_heads, mask), rtol=1e-9, atol=1e-12)
