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
