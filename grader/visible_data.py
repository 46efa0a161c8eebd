"""What a page may draw of a visible test beyond its message: the attention weights, expected and returned.

Pure (no Django, no sandbox): `weights_for_heatmap` takes a judged case and the
sandbox's outcome and returns plain lists for the run's stored test row. Only
visible cases qualify: a hidden case's inputs, expected values and the
student's outputs on them are never stored, so they can never reach a page.
"""

from __future__ import annotations

import numpy as np

# A heatmap wider or taller than this is unreadable on a phone; the worked
# example and the causal 4 x 4 case are well inside it.
MAX_SIDE = 12


def _matrix(value) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    # Batched weights (..., Lq, Lk): the first matrix of the batch is drawn.
    while array.ndim > 2:
        array = array[0]
    if array.ndim != 2 or not 0 < array.shape[0] <= MAX_SIDE or not 0 < array.shape[1] <= MAX_SIDE:
        return None
    return array


def _plain(array: np.ndarray) -> list[list[float | None]]:
    # JSON has no NaN or infinity: such an entry is stored as null and drawn as "not a number".
    return [[float(x) if np.isfinite(x) else None for x in row] for row in array]


def weights_for_heatmap(case, outcome) -> dict:
    """{"expected": rows, "actual": rows or None, "atol", "rtol"} for a visible case that returns attention weights; {} otherwise."""
    if case.hidden or "weights" not in getattr(case, "parts", ()):
        return {}
    index = case.parts.index("weights")
    expected = case.expected
    if not isinstance(expected, tuple) or len(expected) <= index:
        return {}
    expected_matrix = _matrix(expected[index])
    if expected_matrix is None:
        return {}
    actual_matrix = None
    value = outcome.value if outcome is not None and outcome.kind == "returned" else None
    if isinstance(value, (tuple, list)) and len(value) > index:
        actual_matrix = _matrix(value[index])
        if actual_matrix is not None and actual_matrix.shape != expected_matrix.shape:
            actual_matrix = None
    return {
        "expected": _plain(expected_matrix),
        "actual": None if actual_matrix is None else _plain(actual_matrix),
        "rtol": case.rtol,
        "atol": case.atol,
    }
