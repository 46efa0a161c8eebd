import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import causal_mask, scaled_dot_product_attention


def test_three_by_three():
    expected = np.array([
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ])
    mask = causal_mask(3)
    assert mask.dtype == np.bool_ and mask.shape == (3, 3)
    np.testing.assert_array_equal(mask, expected)


def test_edge_lengths():
    assert causal_mask(0).shape == (0, 0)
    np.testing.assert_array_equal(causal_mask(1), [[True]])
    np.testing.assert_array_equal(causal_mask(np.int64(2)), [[True, False], [True, True]])


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 12))
def test_true_exactly_where_key_is_not_after_query(length):
    mask = causal_mask(length)
    i, j = np.indices((length, length))
    np.testing.assert_array_equal(mask, j <= i)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6))
def test_with_attention_the_future_cannot_change_the_past(seed, length):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(3, length, 3))
    cut = int(rng.integers(1, length))
    changed_k, changed_v = k.copy(), v.copy()
    changed_k[cut:] = rng.normal(size=changed_k[cut:].shape)
    changed_v[cut:] = rng.normal(size=changed_v[cut:].shape)
    before, _ = scaled_dot_product_attention(q, k, v, causal_mask(length))
    after, _ = scaled_dot_product_attention(q, changed_k, changed_v, causal_mask(length))
    np.testing.assert_allclose(after[:cut], before[:cut], rtol=1e-12)
