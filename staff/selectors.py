"""Reads for the staff pages: the gradebook matrix of a course.

Each read is a fixed number of queries whatever the size of the class: the
rows come back as tuples and are put together here, not fetched per student.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from courses.language import localized
from courses.models import Assignment, Course, Enrollment
from grades.models import Grade, GradeState


def assignments_of_course(*, course: Course) -> list[Assignment]:
    """The course's assignments in syllabus order (chapter, position, slug), with their exercise or quiz. One query."""
    assignments = list(
        Assignment.objects.filter(course=course).select_related("exercise__chapter", "quiz__chapter").order_by("slug")
    )

    def syllabus_order(assignment):
        item = assignment.exercise or assignment.quiz
        chapter = item.chapter if item is not None else None
        position = getattr(item, "position", 0)
        # Quizzes close their chapter, after its exercises.
        return (chapter.number if chapter else 0, assignment.kind == Assignment.Kind.QUIZ, position, assignment.slug)

    return sorted(assignments, key=syllabus_order)


def assignment_title(assignment: Assignment, *, language: str | None = None) -> str:
    item = assignment.exercise or assignment.quiz
    return localized(item, "title", language=language) if item is not None else assignment.slug


@dataclass(slots=True)
class GradebookCell:
    grade_id: int | None
    score: Decimal | None
    state: str
    late: bool

    @property
    def excused(self) -> bool:
        return self.state == GradeState.EXCUSED


_NO_GRADE = GradebookCell(None, None, GradeState.NOT_SUBMITTED, False)


@dataclass(frozen=True)
class GradebookRow:
    student_id: int
    username: str
    full_name: str
    cells: list[GradebookCell]


@dataclass(frozen=True)
class Gradebook:
    course: Course
    assignments: list[Assignment]
    rows: list[GradebookRow]


def gradebook_for_course(*, course: Course) -> Gradebook:
    """Students (by username) × assignments (syllabus order): the score that counts, its state and lateness. Three queries."""
    assignments = assignments_of_course(course=course)
    students = list(
        get_user_model()
        .objects.filter(enrollments__course=course, enrollments__role=Enrollment.Role.STUDENT)
        .order_by("username")
        .values_list("pk", "username", "first_name", "last_name")
    )
    cells: dict[tuple[int, int], GradebookCell] = {
        (user_id, assignment_id): GradebookCell(pk, score, state, late)
        for pk, user_id, assignment_id, score, state, late in Grade.objects.filter(assignment__course=course)
        .order_by()
        .values_list("pk", "user_id", "assignment_id", "score", "state", "late")
    }
    rows = [
        GradebookRow(
            student_id=pk,
            username=username,
            full_name=f"{first} {last}".strip(),
            cells=[cells.get((pk, assignment.pk), _NO_GRADE) for assignment in assignments],
        )
        for pk, username, first, last in students
    ]
    return Gradebook(course=course, assignments=assignments, rows=rows)
