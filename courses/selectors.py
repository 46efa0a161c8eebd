"""Reads about courses and who belongs to them."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from courses.models import Enrollment


def course_ids_instructed_by(*, user: AbstractBaseUser) -> QuerySet:
    """The ids of the courses `user` teaches, as a subquery (not evaluated here)."""
    return Enrollment.objects.filter(user_id=user.pk, role=Enrollment.Role.INSTRUCTOR).values("course_id")
