"""Reads for the staff pages: a course's assignments in syllabus order, and their titles.

The gradebook itself is grades.gradebook's, shared with the LMS's CSV.
"""

from courses.language import localized
from courses.models import Assignment, Course


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
