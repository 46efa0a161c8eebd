"""Accepting a student's code for grading.

`submission_create` is the only way a Submission row comes into being, whatever
the channel (REST API, web form): every check a submission must pass lives
here, so a limit cannot be enforced in one channel and forgotten in another.
"""

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from courses.assignment_window import WindowRefusal, assignment_window_check
from courses.language import in_both_languages
from courses.models import Assignment, Enrollment, Extension
from grader.models import Exercise, GradingRun, Submission

__all__ = [
    "SubmissionRejected",
    "rate_limit_parse",
    "submission_code_decode",
    "submission_code_validate",
    "submission_create",
]

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"^\s*(?P<count>[0-9]+)\s*/\s*(?P<period>s|sec|second|m|min|minute|h|hour|d|day)\s*$")

# Each reason a submission is turned away, in the student's terms: English
# msgids whose Chinese is in locale/zh_Hans. Placeholders are filled from
# SubmissionRejected.params.
_MESSAGES = {
    "empty": gettext_noop("The code is empty. Submit a Python file that defines the required functions."),
    "too_large": gettext_noop("The code is %(size)s bytes in UTF-8; the limit is %(limit)s bytes (%(limit_kib)s KiB)."),
    "not_utf8": gettext_noop(
        "The code is not valid UTF-8 text (bytes that are not UTF-8, or an unpaired surrogate such as \\ud800). "
        "Save the file as UTF-8 and submit it again."
    ),
    "null_character": gettext_noop(
        "The code contains a NUL character (\\u0000), which a Python source file cannot contain."
    ),
    "not_enrolled": gettext_noop("You are not enrolled in the course of exercise '%(slug)s'."),
    "exercise_closed": gettext_noop("Exercise '%(slug)s' is closed and no longer accepts submissions."),
    "not_assigned": gettext_noop(
        "Exercise '%(slug)s' is not an assignment of its course yet, so it accepts no submissions."
    ),
    "not_open_yet": gettext_noop("Exercise '%(slug)s' opens for submissions at %(opens_at)s (UTC)."),
    "attempt_limit": gettext_noop("You have used all %(limit)s attempts for exercise '%(slug)s'."),
    "rate_limited": gettext_noop(
        "You are submitting too fast: the limit is %(count)s per %(period)s. Try again in %(retry_after)s s."
    ),
}

_PERIOD_NAMES = {
    1: gettext_lazy("second"),
    60: gettext_lazy("minute"),
    3600: gettext_lazy("hour"),
    86400: gettext_lazy("day"),
}


class SubmissionRejected(Exception):
    """A submission that is refused before anything is stored.

    `code` is stable and machine-readable (clients branch on it); the messages
    are for people. `retry_after` (seconds) is set only for "rate_limited".
    """

    def __init__(self, code: str, *, retry_after: int | None = None, **params):
        self.code = code
        self.retry_after = retry_after
        self.params = {**params, "retry_after": retry_after}
        self.message, self.message_zh = in_both_languages(_MESSAGES[code], **self.params)
        super().__init__(f"{code}: {self.message}")


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int


def rate_limit_parse(text: str) -> RateLimit | None:
    """ "10/m" -> RateLimit(10, 60); "" -> None (no limit). A bad value raises ValueError."""
    if not text.strip():
        return None
    match = _RATE_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a rate like '10/m' (N per s, m, h or d)")
    return RateLimit(count=int(match["count"]), seconds=_PERIOD_SECONDS[match["period"][0]])


def submission_code_validate(code: str) -> None:
    """What any code handed in must be, whatever the channel (API, `manage.py grade`, content files).

    Checks on the text alone; they need no database, so they come first.
    Raises SubmissionRejected.
    """
    if code == "":
        raise SubmissionRejected("empty")
    try:
        encoded = code.encode("utf-8")
    except UnicodeEncodeError:
        # Only lone surrogates get here: JSON's "\ud800" decodes to a str that
        # no UTF-8 file can hold, and PostgreSQL would refuse it anyway.
        raise SubmissionRejected("not_utf8") from None
    if len(encoded) > settings.SUBMISSION_MAX_BYTES:
        limit = settings.SUBMISSION_MAX_BYTES
        raise SubmissionRejected("too_large", size=len(encoded), limit=limit, limit_kib=f"{limit / 1024:g}")
    if "\x00" in code:
        # Valid UTF-8, but PostgreSQL text columns cannot store it and Python refuses it as source.
        raise SubmissionRejected("null_character")


def submission_code_decode(raw: bytes) -> str:
    """Code read from a file, as the text `submission_code_validate` accepts; SubmissionRejected otherwise."""
    try:
        code = raw.decode("utf-8")
    except UnicodeDecodeError:
        if len(raw) > settings.SUBMISSION_MAX_BYTES:
            # The size is the first thing to say, as for text.
            limit = settings.SUBMISSION_MAX_BYTES
            raise SubmissionRejected("too_large", size=len(raw), limit=limit, limit_kib=f"{limit / 1024:g}") from None
        raise SubmissionRejected("not_utf8") from None
    submission_code_validate(code)
    return code


@dataclass(frozen=True)
class _Standing:
    """What decides whether one student may submit to one exercise now, read in one query."""

    role: str | None  # in the exercise's course; None: not enrolled
    assignment: Assignment | None
    extension: Extension | None


def _standing_read(*, user_id: int, exercise: Exercise) -> _Standing:
    # One round trip on every submit: the assignment, with the student's enrollment
    # and extension beside it; the enrollment alone only when there is no assignment.
    role = Subquery(
        Enrollment.objects.filter(user_id=user_id, course_id=exercise.chapter.course_id).values("role")[:1]
    )
    extension = Extension.objects.filter(assignment_id=OuterRef("pk"), user_id=user_id)
    assignment = (
        Assignment.objects.filter(exercise_id=exercise.pk)
        .annotate(
            student_role=role,
            extension_id=Subquery(extension.values("pk")[:1]),
            extension_due_at=Subquery(extension.values("due_at")[:1]),
            extension_closes_at=Subquery(extension.values("closes_at")[:1]),
            extension_extra_attempts=Subquery(extension.values("extra_attempts")[:1]),
        )
        .first()
    )
    if assignment is None:
        enrollment = Enrollment.objects.filter(user_id=user_id, course_id=exercise.chapter.course_id).first()
        return _Standing(enrollment.role if enrollment else None, None, None)
    extension = None
    if assignment.extension_id is not None:
        # Built from the columns read beside the assignment, so the window rule reads no row again.
        extension = Extension(
            pk=assignment.extension_id, assignment=assignment, user_id=user_id, due_at=assignment.extension_due_at,
            closes_at=assignment.extension_closes_at, extra_attempts=assignment.extension_extra_attempts,
        )  # fmt: skip
    return _Standing(assignment.student_role, assignment, extension)


def _assignment_window_check(*, standing: _Standing, user_id: int, exercise: Exercise) -> Assignment:
    """The exercise's assignment, if it accepts this student's submission now; else SubmissionRejected.

    The rule is courses.assignment_window's, shared with quiz attempts; only
    the counting (a grader failure costs no attempt) and the wording are here.
    """
    assignment = standing.assignment
    if assignment is None:
        raise SubmissionRejected("not_assigned", slug=exercise.slug)
    try:
        assignment_window_check(
            assignment=assignment,
            user_id=user_id,
            is_instructor=standing.role == Enrollment.Role.INSTRUCTOR,
            # A grader failure is ours, not the student's: it does not cost an attempt.
            attempts_used=lambda: Submission.objects.filter(user_id=user_id, exercise=exercise)
            .exclude(status=Submission.Status.INTERNAL_ERROR)
            .count(),
            default_attempt_limit=settings.SUBMISSION_DEFAULT_ATTEMPT_LIMIT,
            extension=standing.extension,
        )
    except WindowRefusal as refusal:
        raise SubmissionRejected(_WINDOW_CODES[refusal.reason], slug=exercise.slug, **refusal.params) from None
    return assignment


_WINDOW_CODES = {"closed": "exercise_closed", "not_open_yet": "not_open_yet", "attempt_limit": "attempt_limit"}


def _rate_limit_check(*, user_id: int) -> None:
    rate = rate_limit_parse(settings.SUBMISSION_RATE_LIMIT)
    if rate is None:
        return
    now = timezone.now()
    window_start = now - timedelta(seconds=rate.seconds)
    if rate.count == 0:
        raise SubmissionRejected("rate_limited", retry_after=rate.seconds, **_rate_params(rate))
    # Counted from the rows themselves, not a cache: exact across any number of
    # web processes. The count-th newest row in the window is the one whose
    # ageing out frees the next slot.
    recent = (
        Submission.objects.filter(user_id=user_id, created_at__gt=window_start)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)[rate.count - 1 : rate.count]
    )
    oldest_counted = next(iter(recent), None)
    if oldest_counted is not None:
        wait = (oldest_counted + timedelta(seconds=rate.seconds) - now).total_seconds()
        raise SubmissionRejected("rate_limited", retry_after=max(1, math.ceil(wait)), **_rate_params(rate))


def _rate_params(rate: RateLimit) -> dict:
    return {"count": rate.count, "period": _PERIOD_NAMES[rate.seconds]}


def _enqueue_grading(submission_id: int) -> None:
    # Imported here: grader.tasks imports the grading services from this
    # package, so a module-level import would be circular.
    from grader.tasks import grading_enqueue

    grading_enqueue(submission_id)


def submission_create(*, user: AbstractBaseUser, exercise: Exercise, code: str) -> Submission:
    """Store `code` as `user`'s attempt at `exercise` and queue it for grading.

    Raises SubmissionRejected (and stores nothing) when the code is empty, not
    UTF-8, larger than SUBMISSION_MAX_BYTES or contains NUL; when the user is
    not enrolled in the exercise's course; when the exercise is no assignment,
    not published, not open yet or closed (for this student: an extension's
    close time counts); when the attempt limit (the assignment's plus the
    extension's extra attempts, else SUBMISSION_DEFAULT_ATTEMPT_LIMIT;
    0 = unlimited) is used up; or when SUBMISSION_RATE_LIMIT is exceeded.
    The submission comes with its first GradingRun, and the student's grade
    turns pending in the same transaction.
    """
    from grader.services.runs import run_create
    from grades.services import grade_submission_queued

    submission_code_validate(code)
    with transaction.atomic():
        # Locking the student's own row serialises all their concurrent
        # submits, whatever the course: the second waits here until the first
        # has committed, so the counts below include the first and neither a
        # per-exercise attempt limit nor the rate limit (which spans courses)
        # can be slipped past in parallel. (A lock on the enrollment would
        # serialise one course only.)
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        standing = _standing_read(user_id=user.pk, exercise=exercise)
        if standing.role is None:
            raise SubmissionRejected("not_enrolled", slug=exercise.slug)
        # The permanent refusals first: no point telling someone to wait 30 s
        # and then that they have no attempts left.
        assignment = _assignment_window_check(standing=standing, user_id=user.pk, exercise=exercise)
        _rate_limit_check(user_id=user.pk)

        submission = Submission.objects.create(
            user_id=user.pk,
            exercise=exercise,
            code=code,
            code_sha256=hashlib.sha256(code.encode("utf-8")).hexdigest(),
            status=Submission.Status.QUEUED,
        )
        run = run_create(submission=submission, reason=GradingRun.Reason.FIRST)
        Submission.objects.filter(pk=submission.pk).update(current_run=run)
        submission.current_run = run
        grade_submission_queued(student=user.pk, assignment=assignment)
        # Only after commit: a worker must never look for a row that is not
        # visible yet. robust: if the broker is down the row is already
        # durable and stays queued (logged) rather than turning into a 500.
        transaction.on_commit(lambda: _enqueue_grading(submission.id), robust=True)
    return submission
