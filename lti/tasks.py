"""Celery tasks of the LTI app: id-only, idempotent, thin (the work is in lti.ags and lti.roster)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from lti.ags import ags_outbox_send, ags_outbox_sweep

logger = logging.getLogger(__name__)


def ags_score_enqueue(outbox_id: int, *, countdown: float | None = None) -> None:
    ags_score_push.apply_async((outbox_id,), countdown=countdown)


@shared_task(
    name="lti.tasks.ags_score_push",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.LTI_AGS_TASK_TIME_LIMIT - 5,
    time_limit=settings.LTI_AGS_TASK_TIME_LIMIT,
)
def ags_score_push(outbox_id: int) -> str:
    """Send one AGS score by outbox id. Delivered twice, it sends once (the claim); the LMS down, it comes back later.

    The retry is a new delayed message, not a bounded Celery retry: a score is
    never given up, and if that message is lost the sweeper sends the row again.
    """
    try:
        result = ags_outbox_send(outbox_id=outbox_id)
    except (OperationalError, InterfaceError) as exc:
        # the database went away mid-send: the row is pending or sending, and the sweeper gets it back
        logger.warning("AGS score %s: database unavailable: %r", outbox_id, exc)
        return "database_unavailable"
    if result.retry_in is not None:
        logger.info("AGS score %s: LMS unavailable, again in %.1f s", outbox_id, result.retry_in)
        ags_score_enqueue(outbox_id, countdown=result.retry_in)
    if result.follower_id is not None:
        ags_score_enqueue(result.follower_id)
    return result.outcome


@shared_task(name="lti.tasks.ags_sweep", ignore_result=True)
def ags_sweep() -> dict:
    """Beat: send again the scores whose message was lost, take back those a dead worker held."""
    result = ags_outbox_sweep()
    for outbox_id in result.resend:
        ags_score_enqueue(outbox_id)
    if result.resend or result.taken_back:
        logger.warning("AGS sweep: sent again %s, taken back %s", result.resend, result.taken_back)
    return {"resent": len(result.resend), "taken_back": result.taken_back}


@shared_task(
    name="lti.tasks.roster_sync",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.LTI_ROSTER_TIME_LIMIT - 10,
    time_limit=settings.LTI_ROSTER_TIME_LIMIT,
)
def roster_sync(context_id: int) -> dict:
    """Read the context's members over NRPS into accounts and enrollments. Running it twice changes nothing more."""
    from lti.roster import lti_roster_sync

    return lti_roster_sync(context_pk=context_id).as_dict()
