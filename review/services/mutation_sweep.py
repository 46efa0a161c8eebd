"""The sweeper of mutation reports: what a lost message or a dead worker left pending.

Each mutant is one message on "grading" at the regrade priority (see
review.services.mutation). If Redis loses messages (a restart without
persistence) or a worker dies with a claim, rows would stay pending for ever and
the report would never finish. On beat, this finds them, with the thresholds the
submissions' sweeper uses (grader.sweeping):
  - a row claimed longer ago than SWEEP_RUNNING_AFTER (past the hard limit, so its
    worker is dead): the claim is given back and the row sent again;
  - a row unclaimed since its message went out SWEEP_REGRADE_QUEUED_AFTER ago
    (mutants wait behind live work by design, like a regrade): sent again;
  - either, out of claims (GRADING_MAX_ATTEMPTS): closed as a grader failure,
    with the reason on the row for staff, and the report finished if it was the last;
  - a report still pending SWEEP_QUEUED_AFTER after it was asked for (its
    preparation message was lost): its preparation is sent again;
  - a running report with no pending row (its last worker died between storing
    the row and finishing): finished.
Idempotent: sending twice is harmless (a claim lets one through), every change
is a conditional UPDATE on what the sweep saw, and a row sent again counts its
wait from then. Bounded: at most SWEEP_BATCH of each kind per sweep.
"""

import logging
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from grader.sweeping import sweep_cutoffs
from review.models import MutantResult, MutationReport
from review.services.mutation import mutation_report_finish

logger = logging.getLogger(__name__)

Outcome = MutantResult.Outcome
OUT_OF_CLAIMS_STATUS = "internal_error"


@dataclass
class MutationSweepResult:
    resend: list[int] = field(default_factory=list)  # MutantResult ids to send to "grading" again
    prepare: list[int] = field(default_factory=list)  # MutationReport ids whose preparation to send again
    closed: list[int] = field(default_factory=list)  # MutantResult ids closed as a grader failure
    finished: list[int] = field(default_factory=list)  # MutationReport ids finished here


def _out_of_claims_reason(claims: int) -> str:
    return (
        f"Closed by the sweeper after {claims} claim(s) that never finished (a worker died or a message was lost "
        f"each time); not a verdict on the checks: ask for the report again once the workers are healthy. · "
        f"已尝试评分 {claims} 次均未完成（每次工作进程中断或消息丢失），已由清理任务关闭；这不是对检查的判定："
        f"请在工作进程恢复正常后重新请求报告。"
    )


def _close(result: MutationSweepResult, *, pk: int, report_id: int, claims: int, claimed_at, now) -> None:
    closed = MutantResult.objects.filter(
        pk=pk, outcome=Outcome.PENDING, claim_count=claims, claimed_at=claimed_at
    ).update(
        outcome=Outcome.ERROR, status=OUT_OF_CLAIMS_STATUS, reason=_out_of_claims_reason(claims), graded_at=now
    )  # fmt: skip
    if closed:
        logger.error("mutant result %s (report %s): out of claims after %s; closed as failed", pk, report_id, claims)
        result.closed.append(pk)
        if mutation_report_finish(report_id=report_id):
            result.finished.append(report_id)


def mutations_sweep(*, now=None) -> MutationSweepResult:
    """Find the mutation work a lost message or a dead worker left behind (see the module's docstring)."""
    cutoffs = sweep_cutoffs(now=now)
    result = MutationSweepResult()
    pending = MutantResult.objects.filter(outcome=Outcome.PENDING)
    columns = ("pk", "report_id", "claim_count", "claimed_at")

    # Claimed, and its worker gone: the claim back (conditional on the one seen), then sent again.
    stale_running = pending.filter(claimed_at__lt=cutoffs.running).order_by("claimed_at").values_list(*columns)
    for pk, report_id, claims, claimed_at in stale_running[: cutoffs.batch]:
        if claims >= cutoffs.max_claims:
            _close(result, pk=pk, report_id=report_id, claims=claims, claimed_at=claimed_at, now=cutoffs.now)
        elif MutantResult.objects.filter(pk=pk, outcome=Outcome.PENDING, claimed_at=claimed_at).update(
            claimed_at=None, queued_at=cutoffs.now
        ):
            logger.warning("mutant result %s: claimed at %s, worker presumed dead; sent again", pk, claimed_at)
            result.resend.append(pk)

    # Never claimed since its message went out long ago: the message was lost.
    stale_queued = (
        pending.filter(claimed_at__isnull=True, queued_at__lt=cutoffs.regrade_queued)
        .exclude(pk__in=result.resend)
        .order_by("queued_at")
        .values_list(*columns)
    )
    for pk, report_id, claims, claimed_at in stale_queued[: cutoffs.batch]:
        if claims >= cutoffs.max_claims:
            _close(result, pk=pk, report_id=report_id, claims=claims, claimed_at=None, now=cutoffs.now)
        elif MutantResult.objects.filter(pk=pk, outcome=Outcome.PENDING, claimed_at__isnull=True).update(
            queued_at=cutoffs.now
        ):
            result.resend.append(pk)

    # Asked for, never prepared: its preparation message was lost (preparing claims the report, so twice is harmless).
    unprepared = MutationReport.objects.filter(status=MutationReport.Status.PENDING, created_at__lt=cutoffs.queued)
    result.prepare = list(unprepared.order_by("created_at").values_list("pk", flat=True)[: cutoffs.batch])

    # Every row answered, the report never finished: its last worker died in between.
    unfinished = MutationReport.objects.filter(status=MutationReport.Status.RUNNING).filter(
        ~Exists(MutantResult.objects.filter(report_id=OuterRef("pk"), outcome=Outcome.PENDING))
    )
    for report_id in unfinished.values_list("pk", flat=True)[: cutoffs.batch]:
        if mutation_report_finish(report_id=report_id):
            result.finished.append(report_id)
    return result


def mutation_sweep_summary(result: MutationSweepResult) -> dict:
    return {
        "resent": len(result.resend), "prepared": len(result.prepare),
        "closed": len(result.closed), "finished": len(result.finished),
    }  # fmt: skip
