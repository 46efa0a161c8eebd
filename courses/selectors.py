"""Reads about courses and who belongs to them.

Two words for two sets of courses: a user *teaches* the courses where they are
an instructor, and *staffs* those where they are an instructor or a teaching
assistant. Whatever only an instructor may do (authoring, overriding grades)
reads the first; what the whole teaching staff does (reading the class's work,
extensions, the gradebook and analytics) reads the second.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from courses.models import Course, Enrollment

STAFF_ROLES = (Enrollment.Role.INSTRUCTOR, Enrollment.Role.TEACHING_ASSISTANT)


def courses_taught_by(*, user: AbstractBaseUser) -> QuerySet:
    """The courses `user` teaches (an instructor enrollment), whatever their staff flags; none for anonymous users."""
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(pk__in=course_ids_instructed_by(user=user))


def course_ids_instructed_by(*, user: AbstractBaseUser) -> QuerySet:
    """The ids of the courses `user` teaches, as a subquery (not evaluated here)."""
    return Enrollment.objects.filter(user_id=user.pk, role=Enrollment.Role.INSTRUCTOR).values("course_id")


def courses_staffed_by(*, user: AbstractBaseUser) -> QuerySet:
    """The courses where `user` is an instructor or a teaching assistant; none for anonymous users."""
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(
        pk__in=Enrollment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).values("course_id")
    )


def staff_roles_of(*, user: AbstractBaseUser) -> dict[int, str]:
    """Course id -> `user`'s staff role there (instructor or ta), for the courses they staff. One query."""
    if not user.is_authenticated:
        return {}
    return dict(Enrollment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).values_list("course_id", "role"))


def course_list_for_catalogue() -> QuerySet:
    """Every course with its chapters and their exercises, in two queries' worth of prefetch."""
    from django.db.models import Prefetch

    from courses.models import Chapter, Course
    from grader.models import Exercise

    exercises = (
        Exercise.objects.order_by("position", "slug")
        .select_related("assignment")
        .only(
            "slug", "title_zh", "title_en", "points", "chapter_id", "position",
            "assignment__published", "assignment__closes_at",
        )  # fmt: skip
    )
    chapters = Chapter.objects.order_by("number").prefetch_related(Prefetch("exercises", queryset=exercises))
    return Course.objects.order_by("slug").prefetch_related(Prefetch("chapters", queryset=chapters))
