import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import perplexity


def test_uniform_model_has_perplexity_equal_to_vocabulary_size():
    assert perplexity(np.full(7, 1 / 50)) == pytest.approx(50, rel=1e-12)


def test_hand_example():
    # exp(-(ln 1/2 + ln 1/4) / 2) = sqrt(8)
    assert perplexity(np.array([0.5, 0.25])) == pytest.approx(math.sqrt(8), rel=1e-12)
    assert perplexity(np.array([1.0, 1.0])) == 1.0


def test_long_text_does_not_underflow():
    # the product 1e-3 ** 10000 is 0.0 in float64; the perplexity is 1000
    assert perplexity(np.full(10_000, 1e-3)) == pytest.approx(1000, rel=1e-9)


def test_returns_a_python_float():
    assert type(perplexity([0.5, 0.5])) is float


@pytest.mark.parametrize("bad", [[], [0.5, 0.0], [[0.5]], [-0.1]])
def test_rejects_invalid_input(bad):
    with pytest.raises(ValueError):
        perplexity(np.array(bad))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=30))
def test_is_the_inverse_geometric_mean_and_at_least_one(probabilities):
    result = perplexity(np.array(probabilities))
    expected = math.prod(probabilities) ** (-1 / len(probabilities))  # safe: at most 30 factors
    assert result == pytest.approx(expected, rel=1e-9)
    assert result >= 1.0 - 1e-12
