"""An instructor's reference check, asked for in admin and answered by a worker.

The sandbox never runs in the web process: admin stores a pending
ReferenceCheck and queues `grader.tasks.check_reference`; the worker grades the
reference solution and writes the answer on the row, which admin shows.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from grader.models import Exercise, ReferenceCheck

logger = logging.getLogger(__name__)


def reference_check_request(*, exercise: Exercise, requested_by: AbstractBaseUser | None) -> ReferenceCheck:
    from grader.tasks import REFERENCE_CHECK_PRIORITY, check_reference

    with transaction.atomic():
        check = ReferenceCheck.objects.create(exercise=exercise, requested_by=requested_by)
        transaction.on_commit(
            lambda: check_reference.apply_async((check.pk,), priority=REFERENCE_CHECK_PRIORITY), robust=True
        )
    return check


def reference_check_run(*, reference_check_id: int) -> str:
    """Grade the reference on a few seeds and store the verdict. Idempotent: a finished check is left alone."""
    from grader.exercise_verification import exercise_check_reference
    from grader.sandbox import SandboxUnavailable

    check = ReferenceCheck.objects.select_related("exercise").filter(pk=reference_check_id).first()
    if check is None or check.status != ReferenceCheck.Status.PENDING:
        return "not_pending"
    try:
        result = exercise_check_reference(exercise=check.exercise)
    except SandboxUnavailable as exc:
        status, runs, problems = ReferenceCheck.Status.ERROR, 0, f"The sandbox is unavailable · 沙箱不可用: {exc}"
        logger.error("reference check %s: sandbox unavailable: %s", check.pk, exc)
    except Exception as exc:  # noqa: BLE001 - a bad check suite or parameter, shown to its author
        status, runs, problems = ReferenceCheck.Status.ERROR, 0, f"The checks failed to run · 检查无法运行: {exc!r}"
        logger.exception("reference check %s: the checks raised", check.pk)
    else:
        status = ReferenceCheck.Status.PASSED if result.ok else ReferenceCheck.Status.FAILED
        runs, problems = result.runs, "\n".join(result.problems)
    ReferenceCheck.objects.filter(pk=check.pk, status=ReferenceCheck.Status.PENDING).update(
        status=status, runs=runs, problems=problems, finished_at=timezone.now()
    )
    return status
