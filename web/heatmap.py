"""An attention-weights heatmap as plain data for an SVG template: no script, no style attribute (the CSP allows neither).

Expected and returned weights side by side; a returned cell outside the
test's tolerance is marked. Colours are SVG `fill` attributes, which are
presentation attributes and not inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass

CELL = 40  # px
GAP = 24  # px between the two grids
LABEL = 22  # px above each grid for its title


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    text: str
    fill: str
    ink: str
    differs: bool


@dataclass(frozen=True)
class Grid:
    cells: list[Cell]
    x: int
    width: int
    height: int


@dataclass(frozen=True)
class Heatmap:
    expected: Grid
    actual: Grid | None
    width: int
    height: int
    differing: int
    rows: int
    columns: int


def _fill(value: float | None) -> tuple[str, str]:
    """White (0) to a dark blue (1); black or white text, whichever reads better on it."""
    if value is None:
        return "#b00020", "#ffffff"  # NaN or infinity: a warning colour
    t = min(max(value, 0.0), 1.0)
    red, green, blue = (round(255 + (end - 255) * t) for end in (8, 48, 107))
    # Relative luminance decides the ink: dark text on light cells, white on dark ones.
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return f"#{red:02x}{green:02x}{blue:02x}", ("#000000" if luminance > 140 else "#ffffff")


def _text(value: float | None) -> str:
    return "NaN" if value is None else f"{value:.2f}"


def _differs(actual: float | None, expected: float | None, rtol: float, atol: float) -> bool:
    if actual is None or expected is None:
        return actual is not expected
    return abs(actual - expected) > atol + rtol * abs(expected)


def heatmap_from(data: dict) -> Heatmap | None:
    """The drawing for a test row's visible_data (grader.visible_data), or None when it holds no weights."""
    expected = data.get("expected") if isinstance(data, dict) else None
    if not expected:
        return None
    actual = data.get("actual")
    rtol, atol = float(data.get("rtol", 0.0)), float(data.get("atol", 0.0))
    rows, columns = len(expected), len(expected[0])
    grid_width, grid_height = columns * CELL, rows * CELL
    differing = 0

    def grid(matrix, x0, compare):
        nonlocal differing
        cells = []
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                differs = compare and _differs(value, expected[i][j], rtol, atol)
                differing += differs
                fill, ink = _fill(value)
                cells.append(Cell(x=x0 + j * CELL, y=LABEL + i * CELL, text=_text(value), fill=fill, ink=ink, differs=differs))
        return Grid(cells=cells, x=x0, width=grid_width, height=grid_height)

    expected_grid = grid(expected, 0, False)
    actual_grid = grid(actual, grid_width + GAP, True) if actual else None
    width = grid_width * (2 if actual_grid else 1) + (GAP if actual_grid else 0)
    return Heatmap(
        expected=expected_grid,
        actual=actual_grid,
        width=width,
        height=LABEL + grid_height,
        differing=differing,
        rows=rows,
        columns=columns,
    )
