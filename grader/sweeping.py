"""What every sweeper of lost grading work shares: when a claim or a message is presumed lost.

Two kinds of work go through the "grading" queue under a claim: a submission's
run (grader.services.runs.runs_sweep) and a mutant of a mutation report
(review.services.mutation_sweep). A message can be lost (Redis restarted without
persistence) and a worker can die with a claim; the beat-scheduled sweepers send
again what waited too long and close what used up its claims. The thresholds
are the SWEEP_* settings, read here once for both.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class SweepCutoffs:
    now: datetime
    # Claimed before this, still unfinished: past the hard time limit, so the worker that claimed it is dead.
    running: datetime
    # Live work queued before this, never claimed: its message was lost.
    queued: datetime
    # Work at the regrade priority waits behind live work for minutes by design: only older than this is lost.
    regrade_queued: datetime
    # A claim past this many is not given: the work is closed as the grader's failure for staff to see.
    max_claims: int
    # Rows looked at per kind and per sweep, so one sweep stays short however much was lost.
    batch: int


def sweep_cutoffs(*, now: datetime | None = None) -> SweepCutoffs:
    now = now or timezone.now()
    return SweepCutoffs(
        now=now,
        running=now - timedelta(seconds=settings.SWEEP_RUNNING_AFTER),
        queued=now - timedelta(seconds=settings.SWEEP_QUEUED_AFTER),
        regrade_queued=now - timedelta(seconds=settings.SWEEP_REGRADE_QUEUED_AFTER),
        max_claims=settings.GRADING_MAX_ATTEMPTS,
        batch=settings.SWEEP_BATCH,
    )
