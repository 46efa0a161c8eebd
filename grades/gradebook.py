"""A course's gradebook: students × assignments, and the same as a CSV Canvas imports.

One builder for every surface that shows the whole class (the staff
gradebook page, the LMS's gradebook.csv): three queries whatever the size of
the class (assignments, student enrollments with their users, grades).
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from courses.models import Assignment, Course, Enrollment
from grades.models import Grade, GradeState


@dataclass(frozen=True)
class GradebookCell:
    grade_id: int
    score: Decimal | None
    state: str
    late: bool
    overridden: bool
    sequence: int

    @property
    def excused(self) -> bool:
        return self.state == GradeState.EXCUSED


@dataclass(frozen=True)
class GradebookStudent:
    user_id: int
    username: str
    first_name: str
    last_name: str
    sis_user_id: str

    @property
    def sortable_name(self) -> str:
        """Canvas's "Last, First"; the username when the account has no name."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.username


@dataclass(frozen=True)
class GradebookRow:
    student: GradebookStudent
    cells: tuple  # GradebookCell or None (no grade row yet), one per assignment, in column order


@dataclass(frozen=True)
class Gradebook:
    course: Course
    assignments: tuple  # Assignment rows, with exercise and quiz (for their titles)
    rows: tuple  # GradebookRow, by sortable name then username


def assignment_title(assignment: Assignment, language: str = "en") -> str:
    """The title of what the assignment points at (its exercise or quiz), or its slug."""
    target = assignment.exercise if assignment.kind == Assignment.Kind.CODING else assignment.quiz
    if target is None:
        return assignment.slug
    return getattr(target, f"title_{language}") or target.title_en or assignment.slug


def gradebook_for_course(*, course: Course, include_unpublished: bool = False) -> Gradebook:
    """Every student of `course` × its assignments (published ones unless asked), in 3 queries."""
    assignments = Assignment.objects.filter(course=course).select_related("exercise", "quiz").order_by("slug")
    if not include_unpublished:
        assignments = assignments.filter(published=True)
    assignments = tuple(
        assignments.only(
            "id", "slug", "kind", "points", "published", "opens_at", "due_at", "course_id",
            "exercise__title_en", "exercise__title_zh", "quiz__title_en", "quiz__title_zh",
        )  # fmt: skip
    )
    students = [
        GradebookStudent(*values)
        for values in Enrollment.objects.filter(course=course, role=Enrollment.Role.STUDENT)
        .order_by()
        .values_list("user_id", "user__username", "user__first_name", "user__last_name", "sis_user_id")
    ]
    students.sort(key=lambda s: (s.sortable_name.casefold(), s.username))
    column = {assignment.pk: index for index, assignment in enumerate(assignments)}
    cells: dict[int, list] = {student.user_id: [None] * len(assignments) for student in students}
    if assignments and students:
        # Grades of people who are not students of the course (staff trying an exercise) are fetched and dropped.
        grades = (
            Grade.objects.filter(assignment__in=[a.pk for a in assignments])
            .order_by()
            .values_list("id", "user_id", "assignment_id", "score", "state", "late", "override_score", "sequence")
        )
        for grade_id, user_id, assignment_id, score, state, late, override, sequence in grades:
            row = cells.get(user_id)
            if row is not None:
                row[column[assignment_id]] = GradebookCell(grade_id, score, state, late, override is not None, sequence)
    rows = tuple(GradebookRow(student, tuple(cells[student.user_id])) for student in students)
    return Gradebook(course=course, assignments=assignments, rows=rows)


# Spreadsheet programs run a cell that starts with one of these as a formula:
# a student named "=HYPERLINK(…)" must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _points(value: Decimal) -> str:
    # 7.500 → "7.5", 10.00 → "10": what a person would type into the gradebook.
    return format(value.normalize(), "f")


def canvas_gradebook_csv(course: Course) -> str:
    """The course's gradebook in Canvas's import format.

    Columns: Student, ID, SIS User ID, SIS Login ID, Section, then one per
    published assignment ("Title (slug)"); the second row is "Points
    Possible". A graded cell holds the score that counts, an excused one "EX"
    (Canvas's mark), anything else (not submitted, being graded) is empty, so
    an import leaves that cell alone. ID and SIS Login ID are Canvas's own
    numbers, which this service does not know: left empty, Canvas matches
    students by SIS User ID (set on the enrollment), then by name.
    """
    book = gradebook_for_course(course=course)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        + [_text(f"{assignment_title(a)} ({a.slug})") for a in book.assignments]
    )
    writer.writerow(["Points Possible", "", "", "", ""] + [_points(a.points) for a in book.assignments])
    for row in book.rows:
        values = [_text(row.student.sortable_name), "", _text(row.student.sis_user_id), "", ""]
        for cell in row.cells:
            if cell is None:
                values.append("")
            elif cell.excused:
                values.append("EX")
            elif cell.state == GradeState.GRADED and cell.score is not None:
                values.append(_points(cell.score))
            else:
                values.append("")
        writer.writerow(values)
    return out.getvalue()
