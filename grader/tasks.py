"""Celery tasks: id-only, idempotent, thin (the work is in grader.services).

grade_submission and check_reference run on the "grading" queue
(settings.CELERY_TASK_ROUTES); sweep_submissions (beat, every SWEEP_INTERVAL
seconds) and regrade_fan_out on "default".

Live submissions go first: on Redis each message has a priority (0 first) and a
worker always takes the most urgent message waiting on "grading", so a regrade
of a whole class only uses the time live submissions leave.
"""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from grader.services.runs import GradingInfrastructureError, runs_sweep, submission_grade

logger = logging.getLogger(__name__)

LIVE_PRIORITY = 0
REFERENCE_CHECK_PRIORITY = 3
REGRADE_PRIORITY = 9

# Retries are for infrastructure only (the sandbox could not start, the
# database went away). A student's crash or timeout is a grade and never raises.
_RETRY_ON = (GradingInfrastructureError, OperationalError, InterfaceError)


def _backoff(retries: int) -> float:
    # 1, 2, 4, 8 s..., capped, with jitter so a fleet does not retry in lockstep.
    return min(2**retries, 30) * random.uniform(0.8, 1.2)


@shared_task(
    bind=True,
    name="grader.tasks.grade_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.GRADING_MAX_RETRIES,
    ignore_result=True,
)
def grade_submission(self, submission_id: int) -> str:
    """Grade a submission's pending run, by submission id. Safe to deliver twice: the claim lets one through.

    After the last retry the run is stored as internal_error (the student is
    told the grader failed and staff will regrade), rather than left for the
    sweeper to try for ever.
    """
    last_try = self.request.retries >= self.max_retries
    try:
        outcome = submission_grade(submission_id=submission_id, last_try=last_try)
    except _RETRY_ON as exc:
        if last_try:
            # Only reached when even the claim or the release failed (the database is
            # down): the run is queued or running, and the sweeper gets it back.
            logger.error("submission %s: giving up after %s retries: %r", submission_id, self.request.retries, exc)
            return "gave_up"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    return outcome.result


def grading_enqueue(submission_id: int, *, regrade: bool = False) -> None:
    grade_submission.apply_async((submission_id,), priority=REGRADE_PRIORITY if regrade else LIVE_PRIORITY)


@shared_task(name="grader.tasks.sweep_submissions", ignore_result=True)
def sweep_submissions() -> dict:
    """Send again what a lost message or a dead worker left queued or running."""
    result = runs_sweep()
    for submission_id in result.redispatch:
        grading_enqueue(submission_id, regrade=submission_id in result.regrades)
    if result.redispatch or result.failed:
        logger.warning("sweep: sent again %s, closed as internal_error %s", result.redispatch, result.failed)
    return {"redispatched": len(result.redispatch), "failed": len(result.failed)}


@shared_task(name="grader.tasks.regrade_fan_out", ignore_result=True)
def regrade_fan_out(regrade_request_id: int) -> int:
    """One low-priority grading message per queued run of the request. Sending twice is harmless."""
    from grader.models import GradingRun

    submission_ids = GradingRun.objects.filter(
        regrade_request_id=regrade_request_id, status=GradingRun.Status.QUEUED
    ).values_list("submission_id", flat=True)
    count = 0
    for submission_id in submission_ids.iterator():
        grading_enqueue(submission_id, regrade=True)
        count += 1
    return count


@shared_task(name="grader.tasks.check_reference", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def check_reference(reference_check_id: int) -> str:
    """Run an instructor's reference check (sandbox work: here, never in the web process)."""
    from grader.services.reference_checks import reference_check_run

    return reference_check_run(reference_check_id=reference_check_id)
