"""Reads of grades. A student reads only their own."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from grades.models import Grade, GradeChange


def grade_list_for_student(*, user: AbstractBaseUser) -> QuerySet:
    """`user`'s own grades on published assignments, each with its history oldest first (3 queries a page)."""
    history = GradeChange.objects.order_by("sequence").only(
        "grade_id", "cause", "old_score", "new_score", "old_state", "new_state", "late", "reason", "created_at", "sequence"
    )
    return (
        Grade.objects.filter(user_id=user.pk, assignment__published=True)
        .select_related("assignment__course")
        .prefetch_related(Prefetch("changes", queryset=history))
        .order_by("assignment__course__slug", "assignment__slug")
    )


# The history a student's page shows: newest first, enough for any real grade
# (a change is recorded only when something the student sees moves), and capped
# so the page stays one bounded query.
GRADE_HISTORY_LENGTH = 50

# What the student's own work does to a grade. Every other cause is an action of
# the course staff (a regrade, an override, an extension, an excusal, a late policy).
OWN_CAUSES = (GradeChange.Cause.SUBMITTED, GradeChange.Cause.GRADED)


def grade_history_for_student(*, user: AbstractBaseUser, assignment) -> tuple[Grade | None, list[GradeChange]]:
    """`user`'s own grade on `assignment` and its changes newest first, in one query.

    The grade comes joined to its changes: grade_recompute writes a Grade only
    with a GradeChange (and the migration that made the first grades did the
    same), so a grade without a change does not exist and no second query is
    needed. Only `user`'s own rows are read: a classmate's never reach the page.
    The actor is not read: as in GET /api/v1/grades/, a student is told what
    the course staff did and why, not which member of it did it.
    """
    if not user.is_authenticated or assignment is None:
        return None, []
    changes = list(
        GradeChange.objects.filter(grade__user_id=user.pk, grade__assignment_id=assignment.pk)
        .select_related("grade")
        .order_by("-sequence")[:GRADE_HISTORY_LENGTH]
    )
    if not changes:
        return None, []
    grade = changes[0].grade
    grade.assignment = assignment  # the caller's row: reading it again would be a query
    return grade, changes
