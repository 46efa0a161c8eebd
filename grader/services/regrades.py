"""Regrading: new runs for submissions already graded, fanned out at low priority.

Idempotent: a submission with a run still pending gets no second one (the
partial unique constraint on GradingRun says so even under a race), so asking
twice grades once. The student's current result stays until the new run is
stored; then the grade is recomputed with the cause "regraded".
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from grader.models import PENDING_RUN_STATUSES, GradingRun, RegradeRequest, Submission


@dataclass
class RegradePlan:
    submissions: int  # how many submissions the choice covers
    queued: int  # how many runs were queued (0 on a dry run)
    request: RegradeRequest | None = None


def regrade_scope(*, exercise, submission_id: int | None = None, student=None, outdated: bool = False) -> QuerySet:
    """The graded submissions a choice covers: one submission, one student on the exercise, the whole
    exercise; with `outdated`, only those whose current run was graded under another suite version."""
    from grader.code_grading import suite_version

    submissions = Submission.objects.filter(exercise=exercise).exclude(current_run__isnull=True)
    if submission_id is not None:
        submissions = submissions.filter(pk=submission_id)
    if student is not None:
        submissions = submissions.filter(user=student)
    if outdated:
        submissions = submissions.exclude(current_run__suite_version=suite_version(exercise))
    return submissions.order_by("id")


def regrade_request_create(
    *, submissions: QuerySet, exercise, scope: str, requested_by: AbstractBaseUser | None, reason: str = "", dry_run: bool = False
) -> RegradePlan:
    """Queue one regrade run per covered submission that has none pending; fan out after commit."""
    from grader.code_grading import suite_version
    from grader.tasks import regrade_fan_out

    total = submissions.count()
    pending = GradingRun.objects.filter(submission=OuterRef("pk"), status__in=PENDING_RUN_STATUSES)
    todo = list(submissions.annotate(busy=Exists(pending)).filter(busy=False).values_list("id", "seed", "current_run__status"))
    if dry_run:
        return RegradePlan(submissions=total, queued=0)
    version = suite_version(exercise)
    with transaction.atomic():
        request = RegradeRequest.objects.create(
            exercise=exercise, scope=scope[:300], reason=reason[:500], requested_by=requested_by
        )
        runs = [
            GradingRun(
                submission_id=submission_id,
                # After our failure it is the grading the student never got, not a regrade.
                reason=GradingRun.Reason.RETRY if status == GradingRun.Status.INTERNAL_ERROR else GradingRun.Reason.REGRADE,
                regrade_request=request,
                seed=seed,
                suite_version=version,
            )
            for submission_id, seed, status in todo
        ]
        try:
            with transaction.atomic():
                GradingRun.objects.bulk_create(runs, batch_size=500)
        except IntegrityError:
            # Another request queued some of them meanwhile: one at a time, skipping those.
            for run in runs:
                try:
                    with transaction.atomic():
                        run.pk = None
                        run.save()
                except IntegrityError:
                    pass
        queued = GradingRun.objects.filter(regrade_request=request).count()
        RegradeRequest.objects.filter(pk=request.pk).update(total=queued)
        request.total = queued
        transaction.on_commit(lambda: regrade_fan_out.delay(request.pk), robust=True)
    return RegradePlan(submissions=total, queued=queued, request=request)
