"""What a visible test keeps for a page (grader.visible_data) and how the heatmap draws it (web.heatmap); no database."""

from types import SimpleNamespace

import numpy as np

from grader.sandbox.types import CallOutcome
from grader.visible_data import MAX_SIDE, weights_for_heatmap
from web.heatmap import heatmap_from


def _case(expected_weights, *, hidden=False, parts=("output", "weights")):
    return SimpleNamespace(hidden=hidden, parts=parts, expected=(np.zeros((2, 2)), expected_weights), rtol=1e-6, atol=1e-9)


def _returned(value):
    return CallOutcome(name="v01", kind="returned", value=value)


def test_a_visible_attention_case_keeps_both_weight_matrices():
    expected = np.array([[0.88, 0.12], [0.5, 0.5]])
    data = weights_for_heatmap(_case(expected), _returned((np.zeros((2, 2)), np.full((2, 2), 0.5))))
    assert data["expected"] == [[0.88, 0.12], [0.5, 0.5]]
    assert data["actual"] == [[0.5, 0.5], [0.5, 0.5]]
    assert data["rtol"] == 1e-6 and data["atol"] == 1e-9


def test_a_hidden_case_keeps_nothing():
    assert weights_for_heatmap(_case(np.eye(2), hidden=True), _returned((np.eye(2), np.eye(2)))) == {}


def test_a_case_without_weights_keeps_nothing():
    assert weights_for_heatmap(_case(np.eye(2), parts=()), _returned(np.eye(2))) == {}


def test_batched_weights_draw_the_first_matrix_and_big_ones_are_left_out():
    batched = np.arange(8.0).reshape(2, 2, 2) / 10
    assert weights_for_heatmap(_case(batched), _returned(None))["expected"] == [[0.0, 0.1], [0.2, 0.3]]
    assert weights_for_heatmap(_case(np.zeros((MAX_SIDE + 1, 2))), _returned(None)) == {}


def test_what_the_student_returned_is_dropped_when_it_is_not_weights_of_that_shape():
    for outcome in (_returned(np.eye(2)), _returned((np.eye(2), np.eye(3))), CallOutcome(name="v01", kind="raised")):
        data = weights_for_heatmap(_case(np.eye(2)), outcome)
        assert data["expected"] == [[1.0, 0.0], [0.0, 1.0]] and data["actual"] is None


def test_nan_and_infinity_are_stored_as_null_and_drawn_as_nan():
    data = weights_for_heatmap(_case(np.eye(2)), _returned((np.eye(2), np.array([[np.nan, 0.0], [np.inf, 1.0]]))))
    assert data["actual"] == [[None, 0.0], [None, 1.0]]
    drawing = heatmap_from(data)
    texts = [cell.text for cell in drawing.actual.cells]
    assert texts == ["NaN", "0.00", "NaN", "1.00"]
    assert drawing.differing == 2


def test_the_heatmap_marks_cells_outside_the_tolerance_only():
    data = {"expected": [[0.5, 0.5]], "actual": [[0.5 + 1e-12, 0.9]], "rtol": 1e-6, "atol": 1e-9}
    drawing = heatmap_from(data)
    assert [cell.differs for cell in drawing.actual.cells] == [False, True]
    assert [cell.differs for cell in drawing.expected.cells] == [False, False]
    assert drawing.width == 2 * 2 * 40 + 24


def test_dark_cells_get_white_ink_and_light_cells_black():
    drawing = heatmap_from({"expected": [[0.0, 1.0]], "actual": None})
    light, dark = drawing.expected.cells
    assert (light.fill, light.ink) == ("#ffffff", "#000000")
    assert dark.ink == "#ffffff"
    assert drawing.actual is None


def test_no_weights_no_drawing():
    assert heatmap_from({}) is None and heatmap_from({"expected": []}) is None
