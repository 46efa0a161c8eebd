"""The pure statistics and plot geometry behind the analytics page, against hand-worked examples."""

import pytest

from staff import charts, statistics


def test_histogram_puts_full_marks_in_the_last_bin_and_clamps():
    assert statistics.histogram([0.0, 0.05, 0.1, 0.95, 1.0, 1.2, -0.1], bins=10) == [3, 1, 0, 0, 0, 0, 0, 0, 0, 3]


def test_item_statistics_by_hand():
    # Four students; 27% of 4 rounds to 1 in each group: top is d (1.0), bottom is a (0.0).
    totals = [0.0, 0.5, 0.5, 1.0]
    earned = [{"q1": 0.0, "q2": 1.0}, {"q1": 1.0, "q2": 0.0}, {"q1": 0.0}, {"q1": 1.0, "q2": 1.0}]
    q1, q2, q3 = statistics.item_statistics(totals, earned, ["q1", "q2", "q3"])
    assert (q1.answered, q1.facility, q1.discrimination) == (4, 0.5, 1.0)
    # q2: answered by three; upper d earned 1, lower a earned 1: no discrimination.
    assert (q2.answered, q2.facility, q2.discrimination) == (3, pytest.approx(2 / 3), 0.0)
    assert (q3.answered, q3.facility, q3.discrimination) == (0, None, None)


def test_one_student_has_a_facility_but_no_discrimination():
    (item,) = statistics.item_statistics([1.0], [{"q": 1.0}], ["q"])
    assert (item.facility, item.discrimination) == (1.0, None)


def test_a_question_the_weak_students_get_right_discriminates_negatively():
    totals = [0.1 * i for i in range(10)]
    earned = [{"q": 1.0 if i < 3 else 0.0} for i in range(10)]
    (item,) = statistics.item_statistics(totals, earned, ["q"])
    assert item.discrimination == -1.0  # 27% of 10 is 3 a side


def test_spread():
    assert statistics.spread([]).count == 0
    assert statistics.spread([2.0]) == statistics.Spread(1, 2.0, 2.0, 2.0, 2.0, 2.0)
    assert statistics.spread([4.0, 1.0, 3.0, 2.0, 5.0]) == statistics.Spread(5, 1.0, 2.0, 3.0, 4.0, 5.0)


def test_histogram_chart_scales_bars_to_the_tallest():
    chart = charts.histogram_chart([0, 2, 4], width=100, height=60, margin=10)
    assert [bar.height for bar in chart.bars] == [0, 20.0, 40.0]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert chart.bars[0].label == "0–33%"


def test_item_scatter_places_facility_across_and_discrimination_up():
    item = statistics.ItemStatistics("q", 5, 1.0, 0.0)
    missing = statistics.ItemStatistics("r", 0, None, None)
    scatter = charts.item_scatter([item, missing], width=240, height=200, margin=40)
    (point,) = scatter.points
    assert (point.x, point.y) == (scatter.right, scatter.zero_y)
    assert scatter.zero_y == (scatter.top + scatter.bottom) / 2



def test_item_scatter_writes_no_label_over_another():
    # A class of five: the questions share a few values, the way the demo course's do.
    items = [statistics.ItemStatistics(f"c1-question-{n}", 5, 0.2 * (n % 5), 1.0) for n in range(30)]
    items.append(statistics.ItemStatistics("c1-weak", 5, 0.6, -0.5))
    scatter = charts.item_scatter(items)
    assert len(scatter.points) == 31  # every question is drawn, labelled or not
    boxes = []
    for point in (p for p in scatter.points if p.label_shown):
        width = len(point.label) * 6
        x0 = point.label_x if point.label_anchor == "start" else point.label_x - width
        assert 0 <= x0 and x0 + width <= scatter.width, point
        boxes.append((x0, point.y - 6, x0 + width, point.y + 6))
    assert not any(charts._overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # The one that discriminates worst, the one to look at, is named.
    assert next(p for p in scatter.points if p.label == "c1-weak").label_shown
    # Five columns on one row: one label each fits at most, the rest are in the tooltip and the table.
    assert sum(p.label_shown for p in scatter.points) <= 6


def test_ranked_bars_and_box_plot():
    bars = charts.ranked_bars([("a", 4), ("b", 2)], width=400, label_width=100)
    assert [row.width for row in bars.rows] == [250.0, 125.0]
    plot = charts.box_plot([("x", statistics.spread([0.0, 1.0, 2.0])), ("empty", statistics.spread([]))], width=220, label_width=100)
    (box,) = plot.boxes
    assert (box.low, box.median, box.high) == (100.0, 150.0, 200.0) and box.label == "x"
