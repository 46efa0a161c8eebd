"""CSV files staff download: the gradebook in Canvas's import layout, and the tables behind the plots."""

import csv
import functools
import io
from collections.abc import Iterable, Sequence

from grades.models import GradeState
from staff.selectors import Gradebook, assignment_title

# Canvas reads these five columns, then one column per assignment, then a
# "Points Possible" row under the header.
CANVAS_FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# What Canvas's import reads as "excused".
CANVAS_EXCUSED = "EX"


def _cell_text(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell_text(name) for name in header])
    writer.writerows([_cell_text(value) for value in row] for row in rows)
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def _decimal_text(score) -> str:
    # A class has few distinct scores: format each once (Decimal formatting is slow).
    return format(score.normalize(), "f")


def _score_text(cell) -> str:
    if cell.state == GradeState.EXCUSED:
        return CANVAS_EXCUSED
    if cell.score is None:
        return ""
    return _decimal_text(cell.score)


def gradebook_canvas_csv(gradebook: Gradebook) -> str:
    """The gradebook as Canvas imports it: the student's login in "SIS Login ID", excused as "EX", blank for no grade.

    Canvas's own user id ("ID") and SIS user id are Canvas's to know: left
    blank, Canvas matches the rows on the login. Column headers are the
    English titles with the assignment's slug, so two equal titles stay apart.
    """
    header = [
        *CANVAS_FIXED_COLUMNS,
        *(f"{assignment_title(a, language='en')} ({a.slug})" for a in gradebook.assignments),
    ]
    points = ["Points Possible", "", "", "", "", *(format(a.points.normalize(), "f") for a in gradebook.assignments)]
    section = gradebook.course.slug
    rows = [points]
    rows += [
        [row.full_name or row.username, "", "", row.username, section, *(_score_text(cell) for cell in row.cells)]
        for row in gradebook.rows
    ]
    return csv_text(header, rows)
