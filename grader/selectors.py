"""Reads of grader rows. Who may see a submission is decided here, once.

Every view and API that shows a submission gets it through
`submission_get_for_user`; nothing else filters submissions by permission.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import slug_re
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from courses.models import Enrollment
from courses.selectors import course_ids_instructed_by
from grader.models import STUDENT_OUTCOME_STATUSES, Exercise, Submission


def exercise_get_by_slug(*, slug: str) -> Exercise:
    """The exercise with this slug, with its chapter (its course id is needed for enrollment).

    Raises Exercise.DoesNotExist for an unknown slug, and also for text that
    cannot be a slug at all: such text (a NUL byte, say) never reaches the
    database, which would refuse it with an error rather than "no row".
    """
    if not isinstance(slug, str) or not slug_re.match(slug):
        raise Exercise.DoesNotExist(f"no exercise {slug!r}")
    return Exercise.objects.select_related("chapter").get(slug=slug)


def exercises_visible_to(*, user: AbstractBaseUser) -> QuerySet:
    """The exercises `user` may open: published ones of the courses they study, all of the courses they teach.

    Anonymous visitors and users of other courses see none. "Published" is
    the exercise's assignment's flag; this is the one place that reads it for display.
    """
    if not user.is_authenticated:
        return Exercise.objects.none()
    if user.is_superuser:
        return Exercise.objects.all()
    studied = Enrollment.objects.filter(user_id=user.pk, role=Enrollment.Role.STUDENT).values("course_id")
    return Exercise.objects.filter(
        Q(chapter__course_id__in=course_ids_instructed_by(user=user)) | Q(chapter__course_id__in=studied, assignment__published=True)
    )


def exercise_get_visible(*, user: AbstractBaseUser, slug: str) -> Exercise:
    """The exercise with this slug if `user` may open it (see exercises_visible_to), with chapter, course and assignment.

    Anyone else gets Http404, exactly as for a slug that does not exist, so an
    unpublished exercise's slug does not leak.
    """
    if not isinstance(slug, str) or not slug_re.match(slug):
        raise Http404("No such exercise.")
    exercise = exercises_visible_to(user=user).select_related("chapter__course", "assignment").filter(slug=slug).first()
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


def submission_get_for_user(*, user: AbstractBaseUser, submission_id: int) -> Submission:
    """The submission if `user` may see it: its owner, or an instructor of its course.

    Anyone else gets Http404, exactly as for an id that does not exist, so a
    classmate cannot learn which ids are taken. Test results are prefetched in
    their order; `graded_runs` counts the runs that produced a result.
    """
    if not user.is_authenticated:
        raise Http404("No such submission.")
    visible = Q(user_id=user.pk) | Q(exercise__chapter__course_id__in=course_ids_instructed_by(user=user))
    submission = (
        Submission.objects.filter(visible, pk=submission_id)
        .select_related("exercise", "current_run")
        .prefetch_related("current_run__test_results")
        .annotate(graded_runs=Count("runs", filter=Q(runs__status__in=STUDENT_OUTCOME_STATUSES)))
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    return submission


def submission_list_for_user(*, user: AbstractBaseUser, exercise_slug: str | None = None) -> QuerySet:
    """`user`'s own submissions, newest first, optionally for one exercise.

    Raises Exercise.DoesNotExist for an unknown `exercise_slug` (a typo should
    say so, not look like an empty history). Returns a lazy queryset for the
    caller to paginate; the exercise is joined, so a page costs one query
    however many rows it has.
    """
    submissions = Submission.objects.filter(user_id=user.pk).select_related("exercise").order_by("-created_at", "-id")
    if exercise_slug is not None:
        submissions = submissions.filter(exercise=exercise_get_by_slug(slug=exercise_slug))
    return submissions
