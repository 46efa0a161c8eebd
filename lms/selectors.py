"""Reads for the LMS endpoints, each scoped to one course and to its students' published grades.

Every list is one query per page whatever its size: the student's LMS id
(lti_sub), SIS id and the time of the grade's last change are correlated
subqueries on unique indexes, not queries per row.
"""

from datetime import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery

from courses.models import Assignment, Course, Enrollment
from grades.models import Grade, GradeChange
from lti.models import LtiIdentity, PlatformRegistration


def _lti_sub(*, course: Course, user_ref: str) -> Subquery:
    """The user's `sub` at an LMS registered for this course (the oldest identity, if several)."""
    issuers = PlatformRegistration.objects.filter(course=course).values("issuer")
    return Subquery(
        LtiIdentity.objects.filter(user_id=OuterRef(user_ref), issuer__in=issuers).order_by("id").values("sub")[:1]
    )


def lms_assignment_list(*, course: Course) -> QuerySet:
    """The course's published assignments by slug, with what their titles come from."""
    return (
        Assignment.objects.filter(course=course, published=True)
        .select_related("exercise", "quiz")
        .only(
            "id", "slug", "kind", "points", "opens_at", "due_at", "updated_at", "course_id",
            "exercise__title_en", "exercise__title_zh", "quiz__title_en", "quiz__title_zh",
        )  # fmt: skip
        .order_by("slug")
    )


def lms_assignment_exists(*, course: Course, slug: str) -> bool:
    return Assignment.objects.filter(course=course, published=True, slug=slug).exists()


def lms_roster(*, course: Course) -> QuerySet:
    """Everyone enrolled in the course, by role then username."""
    return (
        Enrollment.objects.filter(course=course)
        .select_related("user")
        .only("id", "role", "sis_user_id", "created_at", "user__username", "user__first_name", "user__last_name")
        .annotate(lti_sub=_lti_sub(course=course, user_ref="user_id"))
        .order_by("role", "user__username", "id")
    )


FEED_FIELDS = (
    "sequence", "user_id", "user__username", "assignment__slug", "score", "max_score", "state", "late",
    "override_reason", "changed_at", "lti_sub", "sis_user_id",
)  # fmt: skip


def lms_grade_feed(
    *,
    course: Course,
    after_sequence: int = 0,
    assignment_slug: str | None = None,
    student_id: int | None = None,
    changed_since: datetime | None = None,
) -> QuerySet:
    """The course's students' grades on published assignments changed after `after_sequence`, oldest change first.

    Rows are tuples in the order of FEED_FIELDS (tuples: a thousand dicts a page cost more). Grade.sequence is taken under a lock held to
    commit (grades.sequence), so the sequences a reader can see are always a
    prefix: nothing committed later can carry a number at or below one already
    seen. A grade changed again moves to its new number, with its new state.
    """
    grades = (
        # One filter() call: the enrollment joined here is the one whose sis_user_id is read below.
        Grade.objects.filter(
            assignment__course=course,
            assignment__published=True,
            sequence__gt=after_sequence,
            user__enrollments__course=course,
            user__enrollments__role=Enrollment.Role.STUDENT,
        )
        .annotate(
            changed_at=Subquery(GradeChange.objects.filter(sequence=OuterRef("sequence")).values("created_at")[:1]),
            lti_sub=_lti_sub(course=course, user_ref="user_id"),
            sis_user_id=F("user__enrollments__sis_user_id"),
        )
        .order_by("sequence")
    )
    if assignment_slug is not None:
        grades = grades.filter(assignment__slug=assignment_slug)
    if student_id is not None:
        grades = grades.filter(user_id=student_id)
    if changed_since is not None:
        grades = grades.filter(changed_at__gte=changed_since)
    return grades.values_list(*FEED_FIELDS)
