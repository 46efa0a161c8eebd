"""AGS grade push: an outbox row per grade change and LMS placement, sent by a task, exactly in order.

`ags_outbox_record` runs inside grades.services.grade_recompute's transaction,
right where the GradeChange is created, so a change and its outbox rows commit
together or not at all; the task is sent on commit. Costs one query when the
assignment is placed in no LMS.

Sending (`ags_outbox_send`) claims the row with a conditional UPDATE
(pending -> sending), so a message delivered twice sends once. Order: a newer
change marks the older row of the same (link, user) superseded while it is
still pending, and a row is not claimed while an older one of the same (link,
user) is being sent; when that one is done it sends its follower. Each score
carries its change's time to the millisecond, strictly increasing per (link,
user), and a 409 from the LMS (it holds a score at least as new) counts as done.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from grades.models import AGS_PROGRESS
from lti.adapter import SCORE_SCOPE, ScoreOutcome, ServiceRefused, ServiceUnavailable, ags_score_post
from lti.models import AgsScoreOutbox, LtiIdentity, LtiResourceLink

State = AgsScoreOutbox.State
_MILLISECOND = timedelta(milliseconds=1)



def ags_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as AGS asks."""
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _score_body(*, change, max_score, sub: str, at: datetime) -> dict:
    activity, grading = AGS_PROGRESS[change.new_state]
    body = {
        "userId": sub,
        "scoreMaximum": float(max_score),
        "activityProgress": activity,
        "gradingProgress": grading,
        "timestamp": ags_timestamp(at),
    }
    if change.new_state == "graded" and change.new_score is not None:
        body["scoreGiven"] = float(change.new_score)
    if change.new_state == "excused":
        # no scoreGiven: the LMS clears the result, as an excused grade counts for nothing
        body["comment"] = "Excused · 已免除"
    elif change.late and "scoreGiven" in body:
        body["comment"] = "Late penalty applied · 已扣迟交分"
    return body


def _last_timestamp(*, link_id: int, user_id: int) -> datetime | None:
    last = (
        AgsScoreOutbox.objects.filter(resource_link_id=link_id, user_id=user_id).order_by("-id").values_list("score", flat=True).first()
    )
    return datetime.fromisoformat(last["timestamp"].replace("Z", "+00:00")) if last else None


def ags_outbox_record(change) -> None:
    """Outbox rows for `change` (a GradeChange just created), one per AGS placement of its assignment the student has launched from."""
    grade = change.grade
    links = [
        (link_id, issuer)
        for link_id, issuer, scopes in LtiResourceLink.objects.filter(assignment_id=grade.assignment_id)
        .exclude(lineitem_url="")
        .values_list("id", "context__deployment__registration__issuer", "ags_scopes")
        if isinstance(scopes, list) and SCORE_SCOPE in scopes
    ]
    if not links:
        return
    subs = dict(
        LtiIdentity.objects.filter(user_id=grade.user_id, issuer__in={issuer for _, issuer in links}).values_list("issuer", "sub")
    )
    from lti.tasks import ags_score_enqueue

    for link_id, issuer in links:
        sub = subs.get(issuer)
        if sub is None:  # this student never came from that LMS: it has no user id to send
            continue
        at = change.created_at
        last = _last_timestamp(link_id=link_id, user_id=grade.user_id)
        if last is not None and at <= last:
            at = last + _MILLISECOND  # two changes in one millisecond still reach the LMS in order
        AgsScoreOutbox.objects.filter(resource_link_id=link_id, user_id=grade.user_id, state=State.PENDING).update(
            state=State.SUPERSEDED
        )
        row = AgsScoreOutbox.objects.create(
            resource_link_id=link_id,
            user_id=grade.user_id,
            grade_change=change,
            score=_score_body(change=change, max_score=grade.max_score, sub=sub, at=at),
            next_attempt_at=timezone.now(),
        )
        transaction.on_commit(lambda row_id=row.pk: ags_score_enqueue(row_id))


def ags_retry_delay(attempts: int) -> float:
    """Seconds before try number attempts+1: exponential, capped, with jitter so a fleet does not retry in step."""
    return min(settings.LTI_AGS_RETRY_BASE * 2 ** min(attempts, 30), settings.LTI_AGS_RETRY_MAX) * random.uniform(0.9, 1.1)


@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent | already_newer | failed | retry | busy | not_pending
    retry_in: float | None = None
    follower_id: int | None = None  # a pending score of the same (link, user) to send next


def _claim(outbox_id: int) -> bool:
    sending_elsewhere = AgsScoreOutbox.objects.filter(
        resource_link_id=OuterRef("resource_link_id"), user_id=OuterRef("user_id"), state=State.SENDING
    )
    try:
        with transaction.atomic():
            return bool(
                AgsScoreOutbox.objects.filter(pk=outbox_id, state=State.PENDING)
                .exclude(Exists(sending_elsewhere))
                .update(state=State.SENDING, claimed_at=timezone.now())
            )
    except IntegrityError:  # another worker claimed a row of the same (link, user) at the same instant
        return False


def _follower(row: AgsScoreOutbox) -> int | None:
    return (
        AgsScoreOutbox.objects.filter(resource_link_id=row.resource_link_id, user_id=row.user_id, state=State.PENDING)
        .values_list("id", flat=True)
        .first()
    )


def _release_for_retry(row: AgsScoreOutbox, error: str) -> float:
    """Back to pending for a later try; superseded instead if a newer change is already waiting."""
    delay = ags_retry_delay(row.attempts)
    fields = {"attempts": row.attempts + 1, "last_error": error[:500], "claimed_at": None}
    try:
        with transaction.atomic():
            AgsScoreOutbox.objects.filter(pk=row.pk, state=State.SENDING).update(
                state=State.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay), **fields
            )
    except IntegrityError:
        AgsScoreOutbox.objects.filter(pk=row.pk, state=State.SENDING).update(state=State.SUPERSEDED, **fields)
        return 0.0
    return delay


def ags_outbox_send(*, outbox_id: int) -> SendResult:
    """Post one outbox row's score if it is still pending and nothing older of its (link, user) is in flight."""
    if not _claim(outbox_id):
        row = AgsScoreOutbox.objects.filter(pk=outbox_id).only("state").first()
        if row is not None and row.state == State.PENDING:
            return SendResult("busy")  # an older score is being sent; that task sends this one after it
        return SendResult("not_pending")
    row = AgsScoreOutbox.objects.select_related("resource_link__context__deployment__registration").get(pk=outbox_id)
    link = row.resource_link
    try:
        outcome = ags_score_post(
            registration=link.context.deployment.registration, lineitem_url=link.lineitem_url, score=row.score
        )
    except ServiceUnavailable as exc:
        delay = _release_for_retry(row, str(exc))
        if delay == 0.0:
            return SendResult("superseded", follower_id=_follower(row))
        return SendResult("retry", retry_in=delay)
    except ServiceRefused as exc:
        AgsScoreOutbox.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.FAILED, attempts=row.attempts + 1, last_error=str(exc)[:500]
        )
        return SendResult("failed", follower_id=_follower(row))
    AgsScoreOutbox.objects.filter(pk=row.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), attempts=row.attempts + 1, last_error=""
    )
    return SendResult("sent" if outcome == ScoreOutcome.ACCEPTED else "already_newer", follower_id=_follower(row))


@dataclass(frozen=True)
class SweepResult:
    resend: list[int]
    taken_back: int


def ags_outbox_sweep(*, batch: int = 500) -> SweepResult:
    """Rows a dead worker left sending go back to pending; pending rows overdue (a lost message) are sent again."""
    now = timezone.now()
    stale = AgsScoreOutbox.objects.filter(
        state=State.SENDING, claimed_at__lt=now - timedelta(seconds=settings.LTI_AGS_SENDING_STALE_AFTER)
    ).values_list("id", flat=True)[:batch]
    taken_back = 0
    for row_id in list(stale):
        try:
            with transaction.atomic():
                taken_back += AgsScoreOutbox.objects.filter(pk=row_id, state=State.SENDING).update(
                    state=State.PENDING, claimed_at=None, next_attempt_at=now
                )
        except IntegrityError:  # a newer change waits: it supersedes the one that may not have left
            AgsScoreOutbox.objects.filter(pk=row_id, state=State.SENDING).update(state=State.SUPERSEDED, claimed_at=None)
    overdue = AgsScoreOutbox.objects.filter(
        state=State.PENDING, next_attempt_at__lt=now - timedelta(seconds=settings.LTI_AGS_LOST_AFTER)
    ).order_by("next_attempt_at").values_list("id", flat=True)[:batch]
    return SweepResult(resend=list(overdue), taken_back=taken_back)
