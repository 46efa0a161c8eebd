"""An instructor's self-check (a reference check), asked for in admin and answered by a worker.

The sandbox never runs in the web process: admin stores a pending
ReferenceCheck and queues `grader.tasks.check_reference`; the worker grades the
reference solution on a few seeds and each known-wrong solution the exercise
ships (one KnownWrongGrading row each), and writes the answer on the row, which
admin shows. It passes when the reference earns full marks and every known-wrong
solution loses points; admin publishes an exercise only on a current passing one.

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

from grader.models import Exercise, KnownWrongGrading, ReferenceCheck, new_seed

logger = logging.getLogger(__name__)


# What a check does, in the fingerprint: checks made before it graded the known-wrong solutions
# did not vouch for them, so they are out of date, like any check of another version of the exercise.
SELF_CHECK_METHOD = "reference-and-known-wrong"


def reference_check_fingerprint(*, exercise: Exercise, known_wrong: list[tuple[str, str, str]] | None = None) -> str:
    """The hash of what a reference check of `exercise` checks, as the exercise is now.

    `known_wrong` (as exercise_known_wrong_solutions gives them) spares reading the files again.
    """
    from grader.code_grading import suite_version
    from grader.known_wrong import exercise_known_wrong_solutions

    if known_wrong is None:
        known_wrong = exercise_known_wrong_solutions(exercise=exercise)
    checked = {
        "method": SELF_CHECK_METHOD,
        "reference": exercise.reference_solution,
        "known_wrong": [[name, code] for name, _mistake, code in known_wrong],
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
    """Grade the reference on a few seeds and each known-wrong solution once, and store the verdict with
    one row per known-wrong solution. Idempotent: a finished check is left alone."""
    from grader.exercise_verification import exercise_check_reference, known_wrong_grade
    from grader.known_wrong import exercise_known_wrong_solutions
    from grader.sandbox import SandboxUnavailable

    check = ReferenceCheck.objects.select_related("exercise").filter(pk=reference_check_id).first()
    if check is None or check.status != ReferenceCheck.Status.PENDING:
        return "not_pending"
    exercise = check.exercise
    # What this worker grades is the exercise as read now, which an edit since the request may have
    # changed: the answer is stored under that fingerprint, so it never vouches for a version it did not see.
    known_wrong = exercise_known_wrong_solutions(exercise=exercise)
    fingerprint = reference_check_fingerprint(exercise=exercise, known_wrong=known_wrong)
    try:
        result = exercise_check_reference(exercise=exercise)
        reference_full_marks = result.ok
        # One seed for all of them: a new one each check, recorded on each row to grade it again.
        seed = new_seed()
        outcomes = [
            known_wrong_grade(exercise=exercise, name=name, mistake=mistake, code=code, seed=seed)
            for name, mistake, code in known_wrong
        ]
    except SandboxUnavailable as exc:
        status, runs, problems = ReferenceCheck.Status.ERROR, 0, f"The sandbox is unavailable · 沙箱不可用: {exc}"
        outcomes, reference_full_marks = [], None
        logger.error("reference check %s: sandbox unavailable: %s", check.pk, exc)
    except Exception as exc:  # noqa: BLE001 - a bad check suite or parameter, shown to its author
        status, runs, problems = ReferenceCheck.Status.ERROR, 0, f"The checks failed to run · 检查无法运行: {exc!r}"
        outcomes, reference_full_marks = [], None
        logger.exception("reference check %s: the checks raised", check.pk)
    else:
        missed = [outcome.problem for outcome in outcomes if not outcome.lost_points]
        passed = result.ok and not missed
        status = ReferenceCheck.Status.PASSED if passed else ReferenceCheck.Status.FAILED
        runs, problems = result.runs + len(outcomes), "\n".join([*result.problems, *missed])
    with transaction.atomic():
        stored = ReferenceCheck.objects.filter(pk=check.pk, status=ReferenceCheck.Status.PENDING).update(
            status=status, runs=runs, problems=problems, reference_full_marks=reference_full_marks,
            finished_at=timezone.now(), fingerprint=fingerprint,
        )  # fmt: skip
        if stored:  # a second delivery that graded too stores nothing: the first answer stands, rows and all
            KnownWrongGrading.objects.bulk_create(
                KnownWrongGrading(
                    reference_check_id=check.pk, position=position, name=outcome.name, mistake=outcome.mistake,
                    seed=outcome.seed, status=outcome.status, score=outcome.score, max_score=outcome.max_score,
                    lost_points=outcome.lost_points,
                )  # fmt: skip
                for position, outcome in enumerate(outcomes)
            )
    return status
