"""Writes of the students' pages: a precheck asked for, and a precheck run (in the worker)."""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from courses.language import in_both_languages
from courses.models import Enrollment
from grader.models import Exercise
from grader.services.submissions import rate_limit_parse, submission_code_validate
from web.models import Precheck

logger = logging.getLogger(__name__)

_MESSAGES = {
    "not_enrolled": gettext_noop("You are not enrolled in the course of exercise '%(slug)s'."),
    "rate_limited": gettext_noop(
        "You are running the visible tests too often: the limit is %(count)s per %(seconds)s s. Try again in %(retry_after)s s."
    ),
}
_FAILED = (
    "The visible tests could not be run just now (a problem on our side, not in your code). Try again in a moment.",
    "暂时无法运行公开测试（是我们这边的问题，与你的代码无关）。请稍后再试。",
)


class PrecheckRejected(Exception):
    """A precheck refused before anything is stored; `message` / `message_zh` are for the student."""

    def __init__(self, code: str, *, retry_after: int | None = None, **params):
        self.code = code
        self.retry_after = retry_after
        self.message, self.message_zh = in_both_languages(_MESSAGES[code], retry_after=retry_after, **params)
        super().__init__(f"{code}: {self.message}")


def _rate_limit_check(*, user_id: int) -> None:
    # Its own limit, apart from SUBMISSION_RATE_LIMIT: trying the visible tests
    # often is the point, but each one is a sandbox run.
    rate = rate_limit_parse(settings.PRECHECK_RATE_LIMIT)
    if rate is None:
        return
    now = timezone.now()
    recent = (
        Precheck.objects.filter(user_id=user_id, created_at__gt=now - timedelta(seconds=rate.seconds))
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)[max(rate.count - 1, 0) : max(rate.count, 1)]
    )
    oldest_counted = next(iter(recent), None)
    if rate.count == 0 or oldest_counted is not None:
        wait = rate.seconds if oldest_counted is None else (oldest_counted + timedelta(seconds=rate.seconds) - now).total_seconds()
        raise PrecheckRejected("rate_limited", retry_after=max(1, math.ceil(wait)), count=rate.count, seconds=rate.seconds)


def precheck_create(*, user: AbstractBaseUser, exercise: Exercise, code: str) -> Precheck:
    """Store `code` as a precheck of `exercise` by `user` and queue it for the worker.

    Raises SubmissionRejected for code any submission would be refused for
    (empty, too large, not UTF-8, NUL), PrecheckRejected when `user` is not
    enrolled in the course or is over PRECHECK_RATE_LIMIT. Costs no attempt.
    """
    from web.tasks import precheck_enqueue

    submission_code_validate(code)
    with transaction.atomic():
        # Serialises one student's concurrent prechecks, so the rate limit cannot be raced.
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        if not Enrollment.objects.filter(user_id=user.pk, course_id=exercise.chapter.course_id).exists():
            raise PrecheckRejected("not_enrolled", slug=exercise.slug)
        _rate_limit_check(user_id=user.pk)
        precheck = Precheck.objects.create(user_id=user.pk, exercise=exercise, code=code)
        transaction.on_commit(lambda: precheck_enqueue(precheck.pk), robust=True)
    return precheck


# A precheck takes well under a second; one still waiting after this was lost
# (a broker restarted, a worker killed). Nothing sends it again: the page stops
# asking and says to try again, which is cheaper than a sweeper for a result
# that counts for nothing.
PRECHECK_GIVE_UP_AFTER = timedelta(seconds=60)


def precheck_is_stale(precheck: Precheck) -> bool:
    """Whether a precheck still queued or running should no longer be waited for."""
    waiting = precheck.status in (Precheck.Status.QUEUED, Precheck.Status.RUNNING)
    return waiting and precheck.created_at < timezone.now() - PRECHECK_GIVE_UP_AFTER


def precheck_run(*, precheck_id: int) -> str:
    """Run a queued precheck's visible tests and store the result, once (a second delivery finds nothing to claim)."""
    from grader.code_grading import grade_code

    claimed = Precheck.objects.filter(pk=precheck_id, status=Precheck.Status.QUEUED).update(status=Precheck.Status.RUNNING)
    if not claimed:
        return "not_claimed"
    precheck = Precheck.objects.select_related("exercise").get(pk=precheck_id)
    try:
        report = grade_code(exercise=precheck.exercise, code=precheck.code, seed=precheck.seed, visible_only=True)
    except Exception:
        # Nothing is lost: the student asks again. Logged for the operator.
        logger.exception("precheck %s could not run", precheck_id)
        Precheck.objects.filter(pk=precheck_id).update(
            status=Precheck.Status.FAILED, feedback_en=_FAILED[0], feedback_zh=_FAILED[1], finished_at=timezone.now()
        )
        return "failed"
    tests = [
        {
            "name_en": test.name_en,
            "name_zh": test.name_zh,
            "passed": test.passed,
            "message_en": test.message_en,
            "message_zh": test.message_zh,
            "visible_data": test.visible_data,
        }
        for test in report.tests
        if not test.hidden  # grade_code ran none; kept as a second guard for what is stored
    ]
    Precheck.objects.filter(pk=precheck_id).update(
        status=Precheck.Status.DONE,
        outcome=report.status,
        passed=sum(1 for test in tests if test["passed"]),
        total=len(tests),
        feedback_en=report.feedback_en,
        feedback_zh=report.feedback_zh,
        tests=tests,
        finished_at=timezone.now(),
    )
    return report.status
