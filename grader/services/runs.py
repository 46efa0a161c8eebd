"""Grading runs: claim one, grade it through the core, store its result once.

A GradingRun is one grading of one submission (the first, a retry after our
failure, a regrade). The Celery task (grader/tasks.py) is thin: it calls
`submission_grade` with a submission id, which grades that submission's one
pending run (a partial unique constraint allows at most one).

Exactly once, whatever the broker does:
- a claim is a conditional UPDATE on the run (queued → running, claim_count + 1);
  a second delivery of the same message, or a second worker, finds nothing to claim;
- the result is stored in one transaction, conditional on the claim still being
  the current one (status running AND claim_count equal to what this claim set),
  so a slow worker whose run the sweeper gave to another worker cannot write a
  second result or a second set of test rows;
- the same transaction points the submission at the run, copies its outcome
  there, and recomputes the student's grade (grades.services.grade_recompute);
- the sweeper (`runs_sweep`) gives back what a lost message or a dead worker
  left queued or running.
"""

import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from grader.models import (
    PENDING_RUN_STATUSES,
    STUDENT_OUTCOME_STATUSES,
    GradingRun,
    Submission,
    TestResult,
)
from grader.sweeping import sweep_cutoffs

logger = logging.getLogger(__name__)

# What grading a run reads with it: the exercise and assignment to grade and
# store against, and a regrade's request, which the grade change names.
_RUN_WITH = ("submission__exercise__assignment", "regrade_request__requested_by")

Status = GradingRun.Status

INTERNAL_ERROR_FEEDBACK_EN = (
    "The grader failed on our side, not because of your code. Your submission is kept and "
    "will be regraded by the course staff; you do not need to submit again."
)
INTERNAL_ERROR_FEEDBACK_ZH = "评分系统出现了故障，与你的代码无关。你的提交已保存，课程助教会重新评分，无需再次提交。"


class GradingInfrastructureError(Exception):
    """Grading could not happen for a reason that is not the student's: worth retrying."""


def _infrastructure_errors():
    from grader.sandbox import SandboxUnavailable

    # The soft time limit means the harness hung past every per-exercise limit the
    # sandbox enforces; a database that went away is ours too.
    return (SandboxUnavailable, SoftTimeLimitExceeded, OperationalError, InterfaceError)


def grading_warm_up() -> None:
    """Start this process's warm sandbox now (a prefork child, at start), not on a student's time."""
    from grader.sandbox import warm_up
    from grader.sandbox_settings import sandbox_config

    try:
        warm_up(sandbox_config())
    except Exception:  # the first submission starts it again, and retries if it still fails
        logger.exception("sandbox warm-up failed")


def run_create(*, submission: Submission, reason: str, regrade_request=None) -> GradingRun:
    """A queued run for `submission`. Raises IntegrityError if one is already pending."""
    from grader.code_grading import suite_version

    return GradingRun.objects.create(
        submission=submission,
        reason=reason,
        regrade_request=regrade_request,
        seed=submission.seed,
        suite_version=suite_version(submission.exercise),
    )


def _claim_commit_without_waiting_for_disk() -> None:
    # A claim is a guard, never a result: if PostgreSQL itself crashed and lost
    # it, the run is back to queued with its previous claim count, the worker's
    # store (conditional on this claim) writes nothing, and the sweeper sends it
    # again. The store's own commit waits for the disk and flushes this one with
    # it, so only the wait (about one fsync, 5 ms here) is saved, on every grade.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _run_claim_and_load(*, submission_id: int) -> GradingRun | None:
    """The claim of the submission's pending run, and the claimed run with its exercise, in one short transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _claim_commit_without_waiting_for_disk()
        # At most one run of a submission is pending (one_pending_run_per_submission),
        # so the conditional UPDATE finds it without a read first.
        claimed = GradingRun.objects.filter(
            submission_id=submission_id, status=Status.QUEUED, claim_count__lt=settings.GRADING_MAX_ATTEMPTS
        ).update(status=Status.RUNNING, started_at=timezone.now(), claim_count=F("claim_count") + 1)
        if not claimed:
            return None
        # The row stays locked by our UPDATE until commit: this reads our own claim count.
        run = GradingRun.objects.select_related(*_RUN_WITH).get(
            submission_id=submission_id, status=Status.RUNNING
        )
        submission = run.submission
        # Only this run's own store moves current_run (it is the one pending run), so the row just read is current.
        if submission.current_run_id == run.pk:
            Submission.objects.filter(pk=submission.pk).update(status=Status.RUNNING)
            submission.status = Status.RUNNING
        return run


def submission_claim(*, submission_id: int) -> int | None:
    """Take a submission's queued run for grading. Returns the claim's number, or None.

    None means another worker has it, it is already graded, it does not exist,
    or it has used up its claims (the sweeper closes those).
    """
    run = _run_claim_and_load(submission_id=submission_id)
    return None if run is None else run.claim_count


def _submission_mirror_status(*, run_id: int, status: str) -> None:
    # Only a submission whose current run this is shows its progress; one being
    # regraded keeps showing its last result until the new one is stored.
    Submission.objects.filter(current_run_id=run_id).update(status=status)


def _pending_run_id(submission_id: int) -> int | None:
    return (
        GradingRun.objects.filter(submission_id=submission_id, status__in=PENDING_RUN_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )


def _submission_adopt_run(*, run: GradingRun, when) -> None:
    """Point the submission at `run` and copy its outcome there (the same transaction as the store)."""
    Submission.objects.filter(pk=run.submission_id).update(
        current_run=run,
        status=run.status,
        score=run.score,
        max_score=run.max_score,
        feedback_en=run.feedback_en,
        feedback_zh=run.feedback_zh,
        graded_at=when,
    )


def _grade_change_why(run: GradingRun) -> dict:
    """The cause of the grade change `run` makes; for a regrade, also who asked and why.

    A regrade is staff's decision (the checks changed): the grade's history
    names its request's author and reason, as it does for an override or an
    extension, not only "regraded".
    """
    if run.reason != GradingRun.Reason.REGRADE:
        return {"cause": "graded"}
    # Read with the run (_RUN_WITH), not once more per regraded submission.
    request = run.regrade_request
    if request is None:
        return {"cause": "regraded"}
    return {"cause": "regraded", "actor": request.requested_by, "reason": request.reason}


def _grade_follow(*, run: GradingRun) -> None:
    from grades.services import grade_recompute

    submission = run.submission
    assignment = getattr(submission.exercise, "assignment", None)
    if assignment is None:
        return
    grade_recompute(student=submission.user_id, assignment=assignment, **_grade_change_why(run))


def run_store_report(*, run_id: int, claim: int, report, claimed: GradingRun | None = None) -> bool:
    """Store a GradeReport on the run, once. False (and nothing written) if this claim is no longer current.

    `claimed` is the run as the claim loaded it (with its submission, exercise
    and assignment), which spares reading them again; without it they are read.
    """
    if report.status not in STUDENT_OUTCOME_STATUSES:
        raise ValueError(f"grade report status {report.status!r} is not a run status")
    if claimed is not None and claimed.pk != run_id:
        raise ValueError(f"run {claimed.pk} given for run {run_id}")
    now = timezone.now()
    outcome = {
        "status": report.status,
        "score": report.score,
        "max_score": report.max_score,
        "feedback_en": report.feedback_en,
        "feedback_zh": report.feedback_zh,
    }
    with transaction.atomic():
        # The UPDATE comes first: it locks the row, so a concurrent store waits and
        # then finds the status already changed.
        stored = GradingRun.objects.filter(pk=run_id, status=Status.RUNNING, claim_count=claim).update(
            **outcome, operator_detail=report.operator_detail, finished_at=now
        )
        if not stored:
            return False
        TestResult.objects.bulk_create(
            [
                TestResult(
                    run_id=run_id,
                    position=test.position,
                    name_en=test.name_en[:200],
                    name_zh=test.name_zh[:200],
                    hidden=test.hidden,
                    passed=test.passed,
                    points=test.points,
                    max_points=test.max_points,
                    message_en=test.message_en,
                    message_zh=test.message_zh,
                    mistake=test.mistake[:64],
                    check_key=test.check_key[:100],
                    # Never a hidden test's: its inputs and outputs stay off every page.
                    visible_data={} if test.hidden else test.visible_data,
                )
                for test in report.tests
            ]
        )
        if claimed is None:
            run = GradingRun.objects.select_related(*_RUN_WITH).get(pk=run_id)
        else:
            run = claimed
            for name, value in outcome.items():
                setattr(run, name, value)
            run.operator_detail, run.finished_at = report.operator_detail, now
        _submission_adopt_run(run=run, when=now)
        _grade_follow_stored(run=run, when=now)
    return True


def _grade_follow_stored(*, run: GradingRun, when) -> None:
    """The grade after a stored result; the submission row in memory is brought up to date first."""
    from grades.services import grade_submission_graded

    submission = run.submission
    for name in ("status", "score", "max_score", "feedback_en", "feedback_zh"):
        setattr(submission, name, getattr(run, name))
    submission.current_run_id, submission.graded_at = run.pk, when
    assignment = getattr(submission.exercise, "assignment", None)
    if assignment is None:
        return
    grade_submission_graded(submission=submission, assignment=assignment, **_grade_change_why(run))


def submission_store_report(*, submission_id: int, attempt: int, report) -> bool:
    """Store `report` on the submission's pending run under claim `attempt` (see run_store_report)."""
    run_id = _pending_run_id(submission_id)
    if run_id is None:
        return False
    return run_store_report(run_id=run_id, claim=attempt, report=report)


def run_release(*, run_id: int, claim: int) -> bool:
    """Give a claim back (running → queued) so a retry can claim it again."""
    with transaction.atomic():
        released = GradingRun.objects.filter(pk=run_id, status=Status.RUNNING, claim_count=claim).update(
            status=Status.QUEUED
        )
        if released:
            _submission_mirror_status(run_id=run_id, status=Status.QUEUED)
    return bool(released)


def run_fail(*, run_id: int, claim: int | None = None, from_status: str = Status.RUNNING, detail: str = "") -> bool:
    """Close a run as internal_error: the grader failed, staff will regrade it.

    Conditional like a store: only the current claim (or, from the sweeper, the
    state it saw) can close it. A first run's failure is what the student sees;
    a failed regrade leaves the student's current result alone.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = GradingRun.objects.filter(pk=run_id, status=from_status)
        if claim is not None:
            rows = rows.filter(claim_count=claim)
        closed = rows.update(
            status=Status.INTERNAL_ERROR,
            score=None,
            feedback_en=INTERNAL_ERROR_FEEDBACK_EN,
            feedback_zh=INTERNAL_ERROR_FEEDBACK_ZH,
            operator_detail=detail[:4000],
            finished_at=now,
        )
        if not closed:
            return False
        run = GradingRun.objects.select_related(*_RUN_WITH).get(pk=run_id)
        if run.submission.current_run_id in (None, run.pk):
            _submission_adopt_run(run=run, when=now)
            _grade_follow(run=run)
    return True


@dataclass
class GradeOutcome:
    # "stored" | "not_claimed" | "superseded" (claim taken over before the store) | "failed"
    result: str
    attempt: int | None = None
    status: str = ""


def submission_grade(*, submission_id: int, last_try: bool = True) -> GradeOutcome:
    """Claim, grade and store the submission's pending run.

    A failure that is not the student's (the sandbox cannot start, the database
    went away, a status the core does not know, a bug in the checks) releases the
    claim and raises GradingInfrastructureError for the caller to retry, unless
    `last_try`, when the run is stored as internal_error instead. A student's
    crash or timeout is a grade, not an exception.
    """
    from grader import code_grading

    run = _run_claim_and_load(submission_id=submission_id)
    if run is None:
        return GradeOutcome("not_claimed")
    claim = run.claim_count
    submission = run.submission
    try:
        report = code_grading.grade_code(exercise=submission.exercise, code=submission.code, seed=run.seed)
        stored = run_store_report(run_id=run.pk, claim=claim, report=report, claimed=run)
    except Exception as exc:
        # grade_code turns everything the student does into a report, so whatever
        # raises here is ours. All are retried, a bounded number of times; the
        # last try closes the run as internal_error, with the cause for staff.
        if isinstance(exc, _infrastructure_errors()):
            logger.warning("run %s (submission %s) claim %s: infrastructure failure: %r", run.pk, submission_id, claim, exc)
        else:
            logger.exception("run %s (submission %s) claim %s: grading raised", run.pk, submission_id, claim)
        try:
            if last_try:
                run_fail(run_id=run.pk, claim=claim, detail=f"{type(exc).__name__}: {exc}")
                return GradeOutcome("failed", claim, Status.INTERNAL_ERROR)
            run_release(run_id=run.pk, claim=claim)
        except (OperationalError, InterfaceError):
            # The database is gone too: the row stays running and the sweeper gets it back.
            logger.warning("run %s: could not release the claim; left for the sweeper", run.pk)
        raise GradingInfrastructureError(repr(exc)) from exc
    if not stored:
        logger.info("run %s claim %s: claim superseded, result discarded", run.pk, claim)
        return GradeOutcome("superseded", claim)
    return GradeOutcome("stored", claim, report.status)


@dataclass
class SweepResult:
    redispatch: list[int] = field(default_factory=list)  # submission ids to send to the grading queue again
    failed: list[int] = field(default_factory=list)  # submission ids whose run closed as internal_error
    regrades: set[int] = field(default_factory=set)  # of redispatch, those whose run is a regrade (low priority)


def runs_sweep(*, now=None) -> SweepResult:
    """Find what a lost message or a dead worker left behind. Idempotent; bounded per call.

    - running since longer than SWEEP_RUNNING_AFTER (beyond the hard time limit,
      so the worker that claimed it is dead): back to queued, to be sent again;
    - queued since longer than SWEEP_QUEUED_AFTER (its message was lost, e.g.
      Redis restarted without persistence; SWEEP_REGRADE_QUEUED_AFTER for a
      regrade, which waits behind live work): sent again;
    - either, out of claims: closed as internal_error.
    Sending a message twice is harmless: the claim lets one through.
    """
    cutoffs = sweep_cutoffs(now=now)
    result = SweepResult()
    max_claims, batch = cutoffs.max_claims, cutoffs.batch

    running_cutoff = cutoffs.running
    stale_running = (
        GradingRun.objects.filter(status=Status.RUNNING, started_at__lt=running_cutoff)
        .order_by("started_at")
        .values_list("pk", "submission_id", "claim_count", "reason")[:batch]
    )
    for pk, submission_id, claims, reason in stale_running:
        if claims >= max_claims:
            if run_fail(run_id=pk, claim=claims, detail=f"out of claims after {claims}; the worker died each time"):
                logger.error("run %s (submission %s): out of claims after %s; internal_error", pk, submission_id, claims)
                result.failed.append(submission_id)
        elif run_release(run_id=pk, claim=claims):
            logger.warning("run %s: running since before %s, worker presumed dead; queued again", pk, running_cutoff)
            result.redispatch.append(submission_id)
            if reason == GradingRun.Reason.REGRADE:
                result.regrades.add(submission_id)

    queued_cutoff = cutoffs.queued
    # A regrade waits its turn behind live submissions for minutes by design: only
    # a much older one is presumed lost.
    regrade_cutoff = cutoffs.regrade_queued
    stale_queued = (
        GradingRun.objects.filter(status=Status.QUEUED)
        .filter(
            Q(queued_at__lt=regrade_cutoff) | (Q(queued_at__lt=queued_cutoff) & ~Q(reason=GradingRun.Reason.REGRADE))
        )
        # One given back by a retry waits for its retry, not for the sweeper.
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=queued_cutoff))
        .exclude(submission_id__in=result.redispatch)
        .order_by("queued_at")
        .values_list("pk", "submission_id", "claim_count", "reason")[:batch]
    )
    for pk, submission_id, claims, reason in stale_queued:
        if claims >= max_claims:
            if run_fail(run_id=pk, claim=claims, from_status=Status.QUEUED, detail=f"out of claims after {claims}"):
                result.failed.append(submission_id)
        else:
            result.redispatch.append(submission_id)
            if reason == GradingRun.Reason.REGRADE:
                result.regrades.add(submission_id)
    return result
