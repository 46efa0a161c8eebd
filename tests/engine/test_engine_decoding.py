import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import greedy_next_token


def test_one_dimensional_gives_a_python_int():
    result = greedy_next_token(np.array([0.1, 2.5, -1.0, 2.0]))
    assert result == 1 and type(result) is int


def test_batched_gives_int64_per_row():
    logits = np.array([[[0.0, 1.0, 2.0], [5.0, 1.0, 2.0]], [[0.0, 0.0, -1.0], [1.0, 3.0, 3.0]]])
    result = greedy_next_token(logits)
    assert result.dtype == np.int64 and result.shape == (2, 2)
    np.testing.assert_array_equal(result, [[2, 0], [0, 1]])


def test_ties_go_to_the_lowest_id():
    assert greedy_next_token(np.array([3.0, 1.0, 3.0, 3.0])) == 0
    assert greedy_next_token(np.array([-np.inf, 2.0, 2.0])) == 1


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)),
              elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0])))
def test_picks_the_first_maximum_of_each_row(logits):
    result = greedy_next_token(logits)
    for row, token in zip(logits, result):
        assert row[token] == row.max()
        assert np.all(row[:token] < row.max())
