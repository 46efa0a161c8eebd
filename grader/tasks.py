"""Celery tasks: id-only, idempotent, thin (the work is in grader.services.grading).

grade_submission runs on the "grading" queue (settings.CELERY_TASK_ROUTES),
sweep_submissions on "default" (beat, every SWEEP_INTERVAL seconds).
"""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from grader.services.grading import GradingInfrastructureError, submission_grade, submissions_sweep

logger = logging.getLogger(__name__)

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
    """Grade one submission by id. Safe to deliver twice: the claim lets one through.

    After the last retry the submission is stored as internal_error (the
    student is told the grader failed and staff will regrade), rather than left
    for the sweeper to try for ever.
    """
    last_try = self.request.retries >= self.max_retries
    try:
        outcome = submission_grade(submission_id=submission_id, last_try=last_try)
    except _RETRY_ON as exc:
        if last_try:
            # Only reached when even the claim or the release failed (the database is
            # down): the row is queued or running, and the sweeper gets it back.
            logger.error("submission %s: giving up after %s retries: %r", submission_id, self.request.retries, exc)
            return "gave_up"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from None
    return outcome.result


@shared_task(name="grader.tasks.sweep_submissions", ignore_result=True)
def sweep_submissions() -> dict:
    """Send again what a lost message or a dead worker left queued or running."""
    result = submissions_sweep()
    for submission_id in result.redispatch:
        grade_submission.delay(submission_id)
    if result.redispatch or result.failed:
        logger.warning("sweep: sent again %s, closed as internal_error %s", result.redispatch, result.failed)
    return {"redispatched": len(result.redispatch), "failed": len(result.failed)}
