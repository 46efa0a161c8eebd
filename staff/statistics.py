"""Item and score statistics, pure (no Django): tested against hand-worked examples.

Discrimination is the upper-lower index on the 27% groups (Kelley): rank the
students by their total on the quiz, take the top and bottom 27% (at least one
each), and subtract the lower group's mean fraction of the question's points
from the upper group's. It reads like a percentage-point gap, ranges −1…1, and
needs no assumption of a normal total; for small classes it is steadier than
a correlation. Facility is the mean fraction of the question's points earned.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

GROUP_SHARE = 0.27


def histogram(fractions: Sequence[float], *, bins: int = 10) -> list[int]:
    """Counts of `fractions` (0…1) in `bins` equal bins; 1.0 falls in the last bin, out-of-range values are clamped."""
    counts = [0] * bins
    for value in fractions:
        index = min(bins - 1, max(0, math.floor(value * bins)))
        counts[index] += 1
    return counts


@dataclass(frozen=True)
class ItemStatistics:
    key: str
    answered: int
    facility: float | None
    discrimination: float | None


def item_statistics(totals: Sequence[float], earned: Sequence[dict[str, float]], keys: Sequence[str]) -> list[ItemStatistics]:
    """Facility and upper-lower discrimination of each question `key`.

    `totals[i]` is student i's total (as a fraction of the quiz) and
    `earned[i][key]` the fraction of the question's points they earned
    (missing: the question was not in their attempt). Discrimination needs at
    least two students; it is None below that.
    """
    order = sorted(range(len(totals)), key=lambda i: totals[i])
    group = max(1, round(len(order) * GROUP_SHARE)) if len(order) >= 2 else 0
    lower, upper = order[:group], order[len(order) - group :] if group else []
    result = []
    for key in keys:
        answered = [earned[i][key] for i in range(len(earned)) if key in earned[i]]
        facility = sum(answered) / len(answered) if answered else None
        upper_values = [earned[i][key] for i in upper if key in earned[i]]
        lower_values = [earned[i][key] for i in lower if key in earned[i]]
        discrimination = None
        if group and upper_values and lower_values:
            discrimination = sum(upper_values) / len(upper_values) - sum(lower_values) / len(lower_values)
        result.append(ItemStatistics(key, len(answered), facility, discrimination))
    return result


@dataclass(frozen=True)
class Spread:
    count: int
    low: float | None
    q1: float | None
    median: float | None
    q3: float | None
    high: float | None


def spread(values: Sequence[float]) -> Spread:
    """Minimum, quartiles (inclusive method) and maximum of `values`; Nones when empty."""
    if not values:
        return Spread(0, None, None, None, None, None)
    ordered = sorted(values)
    if len(ordered) == 1:
        only = ordered[0]
        return Spread(1, only, only, only, only, only)
    q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return Spread(len(ordered), ordered[0], q1, median, q3, ordered[-1])
