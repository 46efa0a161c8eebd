"""Geometry of the plots, computed here and drawn by the SVG templates in templates/staff/charts/.

Pure (no Django): each function takes the numbers of a table and returns the
shapes in the SVG's own coordinates, so a template only places them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    peak: int


def histogram_chart(counts: list[int], *, width: int = 260, height: int = 120, margin: int = 18) -> Histogram:
    """Vertical bars for `counts` (bin i covers i/n…(i+1)/n of the points), scaled to the tallest."""
    peak = max(counts, default=0)
    usable = height - 2 * margin
    slot = (width - 2 * margin) / max(1, len(counts))
    bars = []
    for index, count in enumerate(counts):
        bar_height = usable * count / peak if peak else 0
        low, high = 100 * index // len(counts), 100 * (index + 1) // len(counts)
        bars.append(
            Bar(
                x=round(margin + index * slot + 1, 1), y=round(height - margin - bar_height, 1),
                width=round(slot - 2, 1), height=round(bar_height, 1), label=f"{low}–{high}%", value=count,
            )  # fmt: skip
        )
    return Histogram(width, height, height - margin, bars, peak)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label_x: float
    label: str
    facility: float
    discrimination: float
    # Written beside the point only where it overlaps no other label; every point keeps
    # its name in a tooltip, and the table below the plot lists them all.
    label_shown: bool = True
    label_anchor: str = "start"


@dataclass(frozen=True)
class Scatter:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    zero_y: float
    points: list[Point]


# The plot's labels are 10px (staff.css): about 6px a character, 12px a line.
_LABEL_CHAR_WIDTH = 6
_LABEL_HEIGHT = 12


def item_scatter(items, *, width: int = 420, height: int = 300, margin: int = 40) -> Scatter:
    """Facility (x, 0…1) against discrimination (y, −1…1) of the items that have both."""
    left, right, top, bottom = margin, width - margin // 2, margin // 2, height - margin

    def to_x(facility):
        return round(left + (right - left) * facility, 1)

    def to_y(discrimination):
        return round(bottom - (bottom - top) * (discrimination + 1) / 2, 1)

    plotted = [item for item in items if item.facility is not None and item.discrimination is not None]
    # Questions of a small class share a few values, so their labels pile up on one line.
    # The least discriminating are labelled first: they are the ones to look at.
    placed: list[tuple[float, float, float, float]] = []
    labels = {}
    for item in sorted(plotted, key=lambda item: (item.discrimination, item.facility)):
        x, y, text_width = to_x(item.facility), to_y(item.discrimination), len(item.key) * _LABEL_CHAR_WIDTH
        anchor = "start" if x + 5 + text_width <= width else "end"
        x0 = x + 5 if anchor == "start" else x - 5 - text_width
        box = (x0, y - _LABEL_HEIGHT / 2, x0 + text_width, y + _LABEL_HEIGHT / 2)
        shown = x0 >= 0 and not any(_overlap(box, other) for other in placed)
        if shown:
            placed.append(box)
        labels[id(item)] = (shown, anchor)
    points = [
        Point(
            to_x(item.facility), to_y(item.discrimination),
            to_x(item.facility) + (5 if labels[id(item)][1] == "start" else -5), item.key,
            item.facility, item.discrimination, *labels[id(item)],
        )  # fmt: skip
        for item in plotted
    ]
    return Scatter(width, height, left, right, top, bottom, to_y(0), points)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class Ranked:
    y: int
    text_y: int
    width: float
    value_x: float
    label: str
    value: float


@dataclass(frozen=True)
class RankedBars:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[Ranked]


def ranked_bars(pairs: list[tuple[str, float]], *, width: int = 520, label_width: int = 260, row: int = 22) -> RankedBars:
    """Horizontal bars, one per (label, value), longest first as given, scaled to the largest value."""
    peak = max((value for _, value in pairs), default=0)
    room = width - label_width - 50
    rows = [
        Ranked(
            y=index * row + 4, text_y=index * row + 16, width=bar, value_x=label_width + bar + 4, label=label, value=value
        )
        for index, (label, value) in enumerate(pairs)
        for bar in [round(room * value / peak, 1) if peak else 0]
    ]
    return RankedBars(width, max(row, len(pairs) * row + 8), label_width, row - 6, rows)


@dataclass(frozen=True)
class Box:
    y: int
    mid_y: int
    bottom_y: int
    text_y: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    width: float
    label: str


@dataclass(frozen=True)
class BoxPlot:
    width: int
    height: int
    label_width: int
    axis_y: int
    scale_max: float
    ticks: list[tuple[float, str]]
    boxes: list[Box]
    box_height: int


def box_plot(rows: list[tuple[str, object]], *, width: int = 560, label_width: int = 180, row: int = 28) -> BoxPlot:
    """One horizontal box (min, quartiles, max) per (label, Spread) with data; one shared axis from 0."""
    present = [(label, spread) for label, spread in rows if spread.count]
    scale_max = max((spread.high for _, spread in present), default=0) or 1.0
    room = width - label_width - 20
    box_height = row - 12

    def to_x(value):
        return round(label_width + room * value / scale_max, 1)

    boxes = [
        Box(
            y=index * row + 6, mid_y=index * row + 6 + box_height // 2, bottom_y=index * row + 6 + box_height,
            text_y=index * row + 18, low=to_x(s.low), q1=to_x(s.q1), median=to_x(s.median), q3=to_x(s.q3),
            high=to_x(s.high), width=round(to_x(s.q3) - to_x(s.q1), 1), label=label,
        )  # fmt: skip
        for index, (label, s) in enumerate(present)
    ]
    axis_y = len(boxes) * row + 8
    ticks = [(to_x(scale_max * i / 4), f"{scale_max * i / 4:.1f}") for i in range(5)]
    return BoxPlot(width, int(axis_y + 30), label_width, axis_y, scale_max, ticks, boxes, box_height)
