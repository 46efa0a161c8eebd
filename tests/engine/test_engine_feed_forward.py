import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import feed_forward


def test_hand_example_relu_clips_the_hidden_layer():
    x = np.array([[1.0, -1.0]])
    w1 = np.array([[1.0, 2.0, 0.0], [1.0, 1.0, 3.0]])  # x @ w1 = [0, 1, -3]
    b1 = np.array([0.5, 0.0, 1.0])                    # + b1   = [0.5, 1, -2] -> relu [0.5, 1, 0]
    w2 = np.array([[2.0, 0.0], [1.0, -4.0], [5.0, 5.0]])
    b2 = np.array([0.0, 1.0])
    # [0.5·2 + 1·1, 1·(-4)] + b2 = [2, -3]: the output layer is linear, negatives stay
    np.testing.assert_allclose(feed_forward(x, w1, b1, w2, b2), [[2.0, -3.0]])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(4,), (3, 4), (2, 3, 4)]), st.integers(1, 6))
def test_matches_a_loop_per_position(seed, shape, d_ff):
    rng = np.random.default_rng(seed)
    d_model = shape[-1]
    x = rng.normal(size=shape)
    w1, b1 = rng.normal(size=(d_model, d_ff)), rng.normal(size=d_ff)
    w2, b2 = rng.normal(size=(d_ff, d_model)), rng.normal(size=d_model)
    out = feed_forward(x, w1, b1, w2, b2)
    assert out.shape == x.shape
    for index in np.ndindex(shape[:-1]):
        hidden = [max(0.0, sum(x[index][m] * w1[m, f] for m in range(d_model)) + b1[f]) for f in range(d_ff)]
        expected = [sum(hidden[f] * w2[f, c] for f in range(d_ff)) + b2[c] for c in range(d_model)]
        np.testing.assert_allclose(out[index], expected, rtol=1e-10, atol=1e-12)
