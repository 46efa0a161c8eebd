import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import cosine_similarity

FAST = settings(max_examples=60, deadline=None)


def test_hand_examples():
    assert cosine_similarity(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == 0.0
    np.testing.assert_allclose(cosine_similarity(np.array([1.0, 2.0]), np.array([2.0, 4.0])), 1.0)
    np.testing.assert_allclose(cosine_similarity(np.array([1.0, 0.0]), np.array([-3.0, 0.0])), -1.0)
    # 45 degrees
    np.testing.assert_allclose(cosine_similarity(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 1 / math.sqrt(2))
    # (1·4 + 2·5 + 3·6) / (sqrt(14) sqrt(77))
    np.testing.assert_allclose(cosine_similarity(np.array([1, 2, 3]), np.array([4, 5, 6])),
                               32 / math.sqrt(14 * 77), rtol=1e-12)


def test_zero_vector_gives_zero():
    result = cosine_similarity(np.zeros(3), np.array([1.0, 2.0, 3.0]))
    assert result == 0.0 and not np.isnan(result)
    np.testing.assert_array_equal(cosine_similarity(np.zeros((2, 3)), np.zeros(3)), [0.0, 0.0])


def test_shapes_and_types():
    one = cosine_similarity(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert np.ndim(one) == 0 and isinstance(one, np.float64)
    rng = np.random.default_rng(1)
    batch = cosine_similarity(rng.normal(size=(4, 1, 5)), rng.normal(size=(3, 5)))
    assert batch.shape == (4, 3) and batch.dtype == np.float64


def test_extreme_magnitudes_neither_overflow_nor_underflow():
    np.testing.assert_allclose(cosine_similarity(np.array([1e200, 1e200]), np.array([1e200, 0.0])), 1 / math.sqrt(2))
    np.testing.assert_allclose(cosine_similarity(np.array([1e-200, 1e-200]), np.array([3e-200, 0.0])), 1 / math.sqrt(2))


vectors = arrays(np.float64, st.integers(1, 6), elements=st.floats(-100, 100))


@FAST
@given(vectors, st.data())
def test_bounded_symmetric_and_matches_formula(a, data):
    b = data.draw(arrays(np.float64, a.shape, elements=st.floats(-100, 100)))
    result = cosine_similarity(a, b)
    assert -1.0 <= result <= 1.0
    assert result == cosine_similarity(b, a)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms > 1e-100:
        np.testing.assert_allclose(result, np.dot(a, b) / norms, rtol=1e-9, atol=1e-12)


@FAST
@given(vectors, st.data(), st.floats(1e-3, 1e3))
def test_scale_invariant(a, data, scale):
    b = data.draw(arrays(np.float64, a.shape, elements=st.floats(-100, 100)))
    assume(np.any(a != 0) and np.any(b != 0))
    base = cosine_similarity(a, b)
    np.testing.assert_allclose(cosine_similarity(scale * a, b), base, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cosine_similarity(a, -scale * b), -base, rtol=1e-9, atol=1e-12)


@FAST
@given(st.integers(0, 2**32 - 1))
def test_batched_equals_one_pair_at_a_time(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, 3, 4))
    batch = cosine_similarity(a, b)
    for i in range(3):
        np.testing.assert_allclose(batch[i], cosine_similarity(a[i], b[i]), rtol=1e-14)
