"""An instructor's reference check, asked for in admin and answered by a worker.

The sandbox never runs in the web process: admin stores a pending
ReferenceCheck and queues `grader.tasks.check_reference`; the worker grades the
reference solution and writes the answer on the row, which admin shows.

A check answers for what it checked, recorded as a fingerprint: the reference
solution, the known-wrong solutions and the suite version (the suite's source,
parameters, points, required functions, limits). Once any of these changes the
exercise's fingerprint differs and the check is out of date: it no longer lets
the exercise be published (review.publishing) and admin says so.
"""

import hashlib
import json
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from grader.models import Exercise, ReferenceCheck

logger = logging.getLogger(__name__)


def reference_check_fingerprint(*, exercise: Exercise) -> str:
    """The hash of what a reference check of `exercise` checks, as the exercise is now."""
    from grader.code_grading import suite_version
    from grader.known_wrong import exercise_known_wrong_solutions

    checked = {
        "reference": exercise.reference_solution,
        "known_wrong": [[name, code] for name, _mistake, code in exercise_known_wrong_solutions(exercise=exercise)],
        "suite_version": suite_version(exercise),
    }
    return hashlib.sha256(json.dumps(checked, sort_keys=True).encode("utf-8")).hexdigest()


def reference_check_is_current(*, check: ReferenceCheck, exercise: Exercise | None = None) -> bool:
    """True when the check checked the exercise as it is now (pass `exercise` to spare reading it again)."""
    return check.fingerprint == reference_check_fingerprint(exercise=exercise or check.exercise)


def reference_check_request(*, exercise: Exercise, requested_by: AbstractBaseUser | None) -> ReferenceCheck:
    from grader.tasks import REFERENCE_CHECK_PRIORITY, check_reference

    with transaction.atomic():
        check = ReferenceCheck.objects.create(
            exercise=exercise, requested_by=requested_by, fingerprint=reference_check_fingerprint(exercise=exercise)
        )
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
    # What this worker grades is the exercise as read now, which an edit since the request may have
    # changed: the answer is stored under that fingerprint, so it never vouches for a version it did not see.
    fingerprint = reference_check_fingerprint(exercise=check.exercise)
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
        status=status, runs=runs, problems=problems, finished_at=timezone.now(), fingerprint=fingerprint
    )
    return status
