"""Deep linking: the instructor picks assignments of the course; the platform gets them as resource links with line items.

The deep-linking launch's settings wait in the instructor's own session under
a random key (views), so only the browser that made the launch can answer it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from courses.models import Assignment, Enrollment
from lti.adapter import DeepLinkItem, deep_link_response_jwt
from lti.models import PlatformRegistration


class DeepLinkInvalid(ValueError):
    pass


def deep_link_choices(*, course_id: int) -> QuerySet:
    """The course's published assignments, quizzes and exercises, with what their titles need."""
    return (
        Assignment.objects.filter(course_id=course_id, published=True)
        .select_related("exercise", "quiz")
        .order_by("kind", "slug")
    )


def assignment_title(assignment: Assignment) -> str:
    source = assignment.quiz if assignment.kind == Assignment.Kind.QUIZ else assignment.exercise
    return f"{source.title_en} · {source.title_zh}"


def assignment_path(assignment: Assignment) -> str:
    """Where a launch of this assignment lands."""
    if assignment.kind == Assignment.Kind.QUIZ:
        try:
            return reverse("quiz-detail", kwargs={"slug": assignment.slug})
        except NoReverseMatch:  # the quiz pages are not routed in this build: their agreed path
            return f"/quizzes/{assignment.slug}/"
    return reverse("exercise-detail", kwargs={"slug": assignment.slug})


def deep_link_user_may_answer(*, user, course_id: int) -> bool:
    return Enrollment.objects.filter(user_id=user.pk, course_id=course_id, role=Enrollment.Role.INSTRUCTOR).exists()


def deep_link_response(*, pending: dict, slugs: list[str], base_url: str) -> tuple[str, str]:
    """The platform's return URL and the signed LtiDeepLinkingResponse placing the chosen assignments.

    Raises DeepLinkInvalid for a slug that is not a published assignment of the
    course, or several when the platform accepts one.
    """
    chosen = list(dict.fromkeys(slugs))
    settings_claim = pending["settings"]
    if len(chosen) > 1 and not settings_claim.get("accept_multiple", True):
        raise DeepLinkInvalid("This LMS accepts one item at a time. · 该 LMS 一次只接受一项。")
    by_slug = {a.slug: a for a in deep_link_choices(course_id=pending["course_id"]).filter(slug__in=chosen)}
    unknown = [slug for slug in chosen if slug not in by_slug]
    if unknown:
        raise DeepLinkInvalid(f"Not an assignment of this course: {', '.join(unknown)[:200]} · 不是本课程的作业。")
    items = [
        DeepLinkItem(
            title=assignment_title(assignment),
            url=base_url.rstrip("/") + assignment_path(assignment),
            resource_id=assignment.slug,
            score_maximum=float(Decimal(assignment.points)),
            custom={"assignment": assignment.slug},
        )
        for assignment in (by_slug[slug] for slug in chosen)
    ]
    registration = PlatformRegistration.objects.get(pk=pending["registration_id"])
    token = deep_link_response_jwt(
        registration=registration, deployment_id=pending["deployment_id"], settings_claim=settings_claim, items=items
    )
    return settings_claim["deep_link_return_url"], token
