"""CSV files of the tables behind the analytics plots. (The gradebook's CSV is grades.gradebook's.)"""

import csv
import io
from collections.abc import Iterable, Sequence


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
