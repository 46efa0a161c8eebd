"""The tables behind the staff pages' plots: shown under each plot and downloaded as CSV, from the same rows."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from staff import analytics
from staff.selectors import assignment_title


@dataclass(frozen=True)
class Table:
    name: str  # also the CSV's file name
    header: list
    rows: list[list]


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def score_table(distributions: list[analytics.ScoreDistribution]) -> Table:
    rows = []
    for distribution in distributions:
        bins = len(distribution.counts)
        for index, count in enumerate(distribution.counts):
            rows.append([
                distribution.assignment.slug, assignment_title(distribution.assignment),
                100 * index // bins, 100 * (index + 1) // bins, count,
            ])  # fmt: skip
    return Table(
        "score-distribution",
        [_("Assignment"), _("Title"), _("From % of points"), _("To % of points"), _("Students")],
        rows,
    )


def question_table(quizzes: list[analytics.QuizStatistics]) -> Table:
    rows = [
        [quiz.assignment.slug, item.key, item.answered, _ratio(item.facility), _ratio(item.discrimination)]
        for quiz in quizzes
        for item in quiz.questions
    ]
    return Table("quiz-questions", [_("Quiz"), _("Question"), _("Students"), _("Facility"), _("Discrimination")], rows)


def test_table(troubles: list[analytics.ExerciseTroubles]) -> Table:
    rows = [
        [exercise.assignment.slug, test.name, test.count, exercise.submissions]
        for exercise in troubles
        for test in exercise.tests_failed
    ]
    return Table("tests-failed", [_("Exercise"), _("Test"), _("Failed in"), _("Graded submissions")], rows)


def mistake_table(troubles: list[analytics.ExerciseTroubles]) -> Table:
    rows = [
        [exercise.assignment.slug, mistake.name, mistake.count, exercise.submissions]
        for exercise in troubles
        for mistake in exercise.mistakes
    ]
    return Table("known-mistakes", [_("Exercise"), _("Known mistake"), _("Seen in"), _("Graded submissions")], rows)


def time_table(times: list[analytics.TimeToFullMarks]) -> Table:
    rows = [
        [
            row.assignment.slug, row.tried, row.hours.count, _hours(row.hours.low), _hours(row.hours.q1),
            _hours(row.hours.median), _hours(row.hours.q3), _hours(row.hours.high),
        ]  # fmt: skip
        for row in times
    ]
    header = [
        _("Exercise"), _("Students who submitted"), _("Reached full marks"), _("Fastest (hours)"),
        _("First quartile (hours)"), _("Median (hours)"), _("Third quartile (hours)"), _("Slowest (hours)"),
    ]  # fmt: skip
    return Table("time-to-full-marks", header, rows)


TABLE_NAMES = ("score-distribution", "quiz-questions", "tests-failed", "known-mistakes", "time-to-full-marks")


@dataclass(slots=True)
class ShownCell:
    text: str
    css: str
    url: str
    note: str

    def html(self) -> str:
        # Built here, not in the template: a class of 1,000 students has 20,000 cells,
        # and the template engine would spend most of a second on them.
        note = f' title="{self.note}"' if self.note else ""
        hidden = f'<span class="visually-hidden"> ({self.note})</span>' if self.note else ""
        inner = f'<a href="{self.url}"{note}>{self.text}</a>' if self.url else f"<span{note}>{self.text}</span>"
        return f'<td class="{self.css}">{inner}{hidden}</td>'


def _score_text(score) -> str:
    return format(score.normalize(), "f") if score is not None else ""


def gradebook_cells(gradebook, *, history_url: str) -> list[tuple[object, list[ShownCell]]]:
    """Each row with its cells ready to show: the score (or a mark), a class, the link to its history.

    `history_url` is the history page of a grade with "0" for its id: one
    reverse() for the page rather than one per cell.
    """
    prefix, _slash, suffix = history_url.rpartition("/0/")
    # Translated once for the page; escaped once, as they go into attributes.
    excused, late, pending, none = (escape(_(text)) for text in ("excused", "late", "being graded", "not submitted"))
    # A class has few distinct scores: format each once (Decimal formatting is slow).
    texts: dict = {}

    def score_text(score) -> str:
        text = texts.get(score)
        if text is None:
            text = texts[score] = _score_text(score)
        return text

    shown = []
    for row in gradebook.rows:
        cells = []
        for cell in row.cells:
            if cell is None:  # no grade row yet: nothing handed in
                cells.append(ShownCell("–", "none", "", none))
                continue
            url = f"{prefix}/{cell.grade_id}/{suffix}"
            if cell.state == "excused":
                cells.append(ShownCell("EX", "excused", url, excused))
            elif cell.state == "pending":
                cells.append(ShownCell("…", "pending", url, pending))
            elif cell.score is None:
                cells.append(ShownCell("–", "none", url, none))
            elif cell.late:
                cells.append(ShownCell(score_text(cell.score), "late", url, late))
            else:
                cells.append(ShownCell(score_text(cell.score), "graded", url, ""))
        shown.append((row, cells))
    return shown


def gradebook_rows_html(shown) -> list[str]:
    """One <tr> per student: the name (escaped) and the cells, whose parts are ours (numbers, marks, admin URLs)."""
    rows = []
    for row, cells in shown:
        name = escape(row.student.username)
        full_name = f"{row.student.first_name} {row.student.last_name}".strip()
        full = f' <span class="muted">{escape(full_name)}</span>' if full_name else ""
        body = "".join(cell.html() for cell in cells)
        rows.append(mark_safe(f'<tr id="student-{name}"><th scope="row">{name}{full}</th>{body}</tr>'))
    return rows
