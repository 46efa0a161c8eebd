"""Grading a saved submission: claim it, grade it through the core, store the grade once.

The Celery tasks (grader/tasks.py) are thin: they call these with an id.

Exactly once, whatever the broker does:
- a claim is a conditional UPDATE (queued → running, attempts + 1); a second
  delivery of the same message, or a second worker, finds nothing to claim;
- the grade is stored in one transaction, conditional on the claim still being
  the current one (status running AND attempts equal to what this claim set),
  so a slow worker whose submission the sweeper gave to another worker cannot
  write a second grade or a second set of test rows;
- the sweeper (`submissions_sweep`) gives back what a lost message or a dead
  worker left queued or running.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from grader.models import Submission, TestResult

logger = logging.getLogger(__name__)

Status = Submission.Status

INTERNAL_ERROR_FEEDBACK_EN = (
    "The grader failed on our side, not because of your code. Your submission is kept and "
    "will be regraded by the course staff; you do not need to submit again."
)
INTERNAL_ERROR_FEEDBACK_ZH = "评分系统出现了故障，与你的代码无关。你的提交已保存，课程助教会重新评分，无需再次提交。"

# A report's status is stored as the submission's status; anything else is a bug in the core.
_REPORT_STATUSES = {
    Status.GRADED,
    Status.ERROR,
    Status.TIMEOUT,
    Status.MEMORY_LIMIT,
    Status.OUTPUT_LIMIT,
    Status.CRASHED,
}


class GradingInfrastructureError(Exception):
    """Grading could not happen for a reason that is not the student's: worth retrying."""


def _infrastructure_errors():
    from grader.sandbox import SandboxUnavailable

    # The soft time limit means the harness hung past every per-exercise limit the
    # sandbox enforces; a database that went away is ours too.
    return (SandboxUnavailable, SoftTimeLimitExceeded, OperationalError, InterfaceError)


def grading_warm_up() -> None:
    """Start this process's warm sandbox now (a prefork child, at start), not on a student's time."""
    if settings.GRADING_COLD_SANDBOX:
        return
    from grader.sandbox import warm_up
    from grader.sandbox_settings import sandbox_config

    try:
        warm_up(sandbox_config())
    except Exception:  # the first submission starts it again, and retries if it still fails
        logger.exception("sandbox warm-up failed")


def _submission_claim_and_load(*, submission_id: int) -> Submission | None:
    """The claim, and the claimed row with its exercise, in one short transaction."""
    with transaction.atomic():
        claimed = Submission.objects.filter(
            pk=submission_id,
            status=Status.QUEUED,
            attempts__lt=settings.GRADING_MAX_ATTEMPTS,
        ).update(status=Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1)
        if not claimed:
            return None
        # The row stays locked by our UPDATE until commit: this reads our own attempts.
        return Submission.objects.select_related("exercise").get(pk=submission_id)


def submission_claim(*, submission_id: int) -> int | None:
    """Take a queued submission for grading. Returns the claim's attempt number, or None.

    None means another worker has it, it is already graded, it does not exist,
    or it has used up its attempts (the sweeper closes those).
    """
    submission = _submission_claim_and_load(submission_id=submission_id)
    return None if submission is None else submission.attempts


def submission_store_report(*, submission_id: int, attempt: int, report) -> bool:
    """Store a GradeReport, once. False (and nothing written) if this claim is no longer current."""
    if report.status not in _REPORT_STATUSES:
        raise ValueError(f"grade report status {report.status!r} is not a submission status")
    with transaction.atomic():
        # The UPDATE comes first: it locks the row, so a concurrent store waits and
        # then finds the status already changed.
        stored = Submission.objects.filter(pk=submission_id, status=Status.RUNNING, attempts=attempt).update(
            status=report.status,
            score=report.score,
            max_score=report.max_score,
            feedback_en=report.feedback_en,
            feedback_zh=report.feedback_zh,
            graded_at=timezone.now(),
        )
        if not stored:
            return False
        TestResult.objects.filter(submission_id=submission_id).delete()
        TestResult.objects.bulk_create(
            [
                TestResult(
                    submission_id=submission_id,
                    position=test.position,
                    name=test.name_en[:200],
                    name_zh=test.name_zh[:200],
                    hidden=test.hidden,
                    passed=test.passed,
                    points=test.points,
                    max_points=test.max_points,
                    message_en=test.message_en,
                    message_zh=test.message_zh,
                    mistake=test.mistake[:64],
                )
                for test in report.tests
            ]
        )
    return True


def submission_release(*, submission_id: int, attempt: int) -> bool:
    """Give a claim back (running → queued) so a retry can claim it again."""
    return bool(
        Submission.objects.filter(pk=submission_id, status=Status.RUNNING, attempts=attempt).update(
            status=Status.QUEUED
        )
    )


def submission_fail(*, submission_id: int, attempt: int | None = None, from_status: str = Status.RUNNING) -> bool:
    """Close a submission as internal_error: the grader failed, staff will regrade it.

    Conditional like a store: only the current claim (or, from the sweeper, the
    state it saw) can close it.
    """
    rows = Submission.objects.filter(pk=submission_id, status=from_status)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    return bool(
        rows.update(
            status=Status.INTERNAL_ERROR,
            score=None,
            feedback_en=INTERNAL_ERROR_FEEDBACK_EN,
            feedback_zh=INTERNAL_ERROR_FEEDBACK_ZH,
            graded_at=timezone.now(),
        )
    )


@dataclass
class GradeOutcome:
    # "stored" | "not_claimed" | "superseded" (claim taken over before the store) | "failed"
    result: str
    attempt: int | None = None
    status: str = ""


def submission_grade(*, submission_id: int, last_try: bool = True) -> GradeOutcome:
    """Claim, grade and store one submission.

    A failure that is not the student's (the sandbox cannot start, the database
    went away, a bug in the checks) releases the claim and raises
    GradingInfrastructureError for the caller to retry, unless `last_try`, when
    the submission is stored as internal_error instead. A student's crash or
    timeout is a grade, not an exception.
    """
    from grader.grading import grade_code

    submission = _submission_claim_and_load(submission_id=submission_id)
    if submission is None:
        return GradeOutcome("not_claimed")
    attempt = submission.attempts
    try:
        report = grade_code(
            exercise=submission.exercise,
            code=submission.code,
            seed=submission.seed,
            cold=settings.GRADING_COLD_SANDBOX,
        )
        stored = submission_store_report(submission_id=submission_id, attempt=attempt, report=report)
    except Exception as exc:
        # grade_code turns everything the student does into a report, so whatever
        # raises here is ours: the sandbox could not start, the database went
        # away, or a bug in the checks (a half-finished deploy). All are retried,
        # a bounded number of times; the last try closes it as internal_error.
        if isinstance(exc, _infrastructure_errors()):
            logger.warning("submission %s attempt %s: infrastructure failure: %r", submission_id, attempt, exc)
        else:
            logger.exception("submission %s attempt %s: grading raised", submission_id, attempt)
        try:
            if last_try:
                submission_fail(submission_id=submission_id, attempt=attempt)
                return GradeOutcome("failed", attempt, Status.INTERNAL_ERROR)
            submission_release(submission_id=submission_id, attempt=attempt)
        except (OperationalError, InterfaceError):
            # The database is gone too: the row stays running and the sweeper gets it back.
            logger.warning("submission %s: could not release the claim; left for the sweeper", submission_id)
        raise GradingInfrastructureError(repr(exc)) from exc
    if not stored:
        logger.info("submission %s attempt %s: claim superseded, grade discarded", submission_id, attempt)
        return GradeOutcome("superseded", attempt)
    return GradeOutcome("stored", attempt, report.status)


@dataclass
class SweepResult:
    redispatch: list[int] = field(default_factory=list)  # ids to send to the grading queue again
    failed: list[int] = field(default_factory=list)  # ids closed as internal_error (out of attempts)


def submissions_sweep(*, now=None) -> SweepResult:
    """Find what a lost message or a dead worker left behind. Idempotent; bounded per call.

    - running since longer than SWEEP_RUNNING_AFTER (beyond the hard time limit,
      so the worker that claimed it is dead): back to queued, to be sent again;
    - queued since longer than SWEEP_QUEUED_AFTER (its message was lost, e.g.
      Redis restarted without persistence): sent again;
    - either, out of attempts: closed as internal_error.
    Sending a message twice is harmless: the claim lets one through.
    """
    now = now or timezone.now()
    result = SweepResult()
    max_attempts = settings.GRADING_MAX_ATTEMPTS
    batch = settings.SWEEP_BATCH

    running_cutoff = now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER)
    stale_running = (
        Submission.objects.filter(status=Status.RUNNING, started_at__lt=running_cutoff)
        .order_by("started_at")
        .values_list("pk", "attempts")[:batch]
    )
    for pk, attempts in stale_running:
        if attempts >= max_attempts:
            if submission_fail(submission_id=pk, attempt=attempts):
                logger.error("submission %s: out of attempts after %s claims; internal_error", pk, attempts)
                result.failed.append(pk)
        elif submission_release(submission_id=pk, attempt=attempts):
            logger.warning("submission %s: running since before %s, worker presumed dead; queued again", pk, running_cutoff)
            result.redispatch.append(pk)

    queued_cutoff = now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER)
    stale_queued = (
        Submission.objects.filter(status=Status.QUEUED, created_at__lt=queued_cutoff)
        # One given back by a retry waits for its retry, not for the sweeper.
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=queued_cutoff))
        .exclude(pk__in=result.redispatch)
        .order_by("created_at")
        .values_list("pk", "attempts")[:batch]
    )
    for pk, attempts in stale_queued:
        if attempts >= max_attempts:
            if submission_fail(submission_id=pk, attempt=attempts, from_status=Status.QUEUED):
                result.failed.append(pk)
        else:
            result.redispatch.append(pk)
    return result
