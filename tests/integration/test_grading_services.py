"""The claim, the conditional store and the sweeper, without a worker (grade_code is faked).

These pin down "exactly once" at the database level: a second claim, a stale
claim's store, a concurrent claim, and the sweeper's thresholds.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from grader.code_grading import GradeReport, TestReport
from grader.models import GradingRun, Submission
from grader.models import TestResult as ResultRow
from grader.services import runs as svc

from .conftest import CORRECT_SOFTMAX

pytestmark = pytest.mark.django_db


def _report(status="graded", points=Decimal("10")):
    tests = [
        TestReport(
            position=i,
            name_en=f"case {i}",
            name_zh=f"用例 {i}",
            passed=True,
            hidden=i == 2,
            points=points / 2,
            max_points=Decimal("5"),
            message_en="ok",
            message_zh="通过",
        )
        for i in (1, 2)
    ]
    return GradeReport(
        status=status,
        score=points,
        max_score=Decimal("10"),
        feedback_en="2 of 2",
        feedback_zh="2/2",
        seed=1,
        tests=tests,
    )


@pytest.fixture
def submission(student, softmax_exercise):
    from grader.services import submission_create

    return submission_create(user=student, exercise=softmax_exercise, code=CORRECT_SOFTMAX)


def _run(submission) -> GradingRun:
    return GradingRun.objects.filter(submission=submission).latest("id")


def test_it_claims_once(submission):
    assert svc.submission_claim(submission_id=submission.pk) == 1
    assert svc.submission_claim(submission_id=submission.pk) is None
    run = _run(submission)
    assert run.status == "running" and run.claim_count == 1 and run.started_at


def test_it_does_not_claim_a_missing_submission(db):
    assert svc.submission_claim(submission_id=987654321) is None


def test_it_stores_a_report_once(submission):
    attempt = svc.submission_claim(submission_id=submission.pk)
    assert svc.submission_store_report(submission_id=submission.pk, attempt=attempt, report=_report())
    assert not svc.submission_store_report(submission_id=submission.pk, attempt=attempt, report=_report())
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.score == Decimal("10") and submission.graded_at
    assert submission.current_run == _run(submission) and submission.current_run.status == "graded"
    assert ResultRow.objects.filter(run__submission=submission).count() == 2
    first = ResultRow.objects.get(run__submission=submission, position=1)
    assert (first.name_en, first.name_zh) == ("case 1", "用例 1")


def test_it_discards_the_grade_of_a_claim_the_sweeper_took_over(submission, settings):
    first = svc.submission_claim(submission_id=submission.pk)
    # The first worker is slow; past SWEEP_RUNNING_AFTER the sweeper presumes it dead.
    later = timezone.now() + timedelta(seconds=settings.SWEEP_RUNNING_AFTER + 1)
    assert svc.runs_sweep(now=later).redispatch == [submission.pk]
    second = svc.submission_claim(submission_id=submission.pk)
    assert second == first + 1
    assert svc.submission_store_report(submission_id=submission.pk, attempt=second, report=_report())
    # The slow first worker finishes: its grade, with different points, is not written.
    assert not svc.submission_store_report(
        submission_id=submission.pk, attempt=first, report=_report(points=Decimal("0"))
    )
    submission.refresh_from_db()
    assert submission.score == Decimal("10")
    assert ResultRow.objects.filter(run__submission=submission).count() == 2


def test_it_discards_a_stale_grade_while_the_submission_waits_in_the_queue(submission, settings):
    first = svc.submission_claim(submission_id=submission.pk)
    svc.runs_sweep(now=timezone.now() + timedelta(seconds=settings.SWEEP_RUNNING_AFTER + 1))
    assert not svc.submission_store_report(submission_id=submission.pk, attempt=first, report=_report())
    submission.refresh_from_db()
    assert submission.status == "queued" and not ResultRow.objects.filter(run__submission=submission).exists()


def test_the_sweeper_leaves_fresh_work_alone(submission):
    assert svc.runs_sweep().redispatch == []
    svc.submission_claim(submission_id=submission.pk)
    assert svc.runs_sweep().redispatch == []


def test_the_sweeper_resends_a_lost_message(submission, settings):
    later = timezone.now() + timedelta(seconds=settings.SWEEP_QUEUED_AFTER + 1)
    assert svc.runs_sweep(now=later).redispatch == [submission.pk]
    # Idempotent: still queued, so sent again next time, and nothing else changes.
    assert svc.runs_sweep(now=later).redispatch == [submission.pk]
    run = _run(submission)
    assert run.status == "queued" and run.claim_count == 0


def test_the_sweeper_closes_a_submission_out_of_attempts(submission, settings):
    GradingRun.objects.filter(submission=submission).update(
        status="running", claim_count=settings.GRADING_MAX_ATTEMPTS, started_at=timezone.now()
    )
    later = timezone.now() + timedelta(seconds=settings.SWEEP_RUNNING_AFTER + 1)
    result = svc.runs_sweep(now=later)
    assert result.failed == [submission.pk] and result.redispatch == []
    submission.refresh_from_db()
    assert submission.status == "internal_error"
    assert "staff" in submission.feedback_en and submission.feedback_zh


def test_an_infrastructure_failure_releases_the_claim_for_a_retry(submission, monkeypatch):
    from grader import code_grading
    from grader.sandbox import SandboxUnavailable

    def broken(**_kwargs):
        raise SandboxUnavailable("no bwrap")

    monkeypatch.setattr(code_grading, "grade_code", broken)
    with pytest.raises(svc.GradingInfrastructureError):
        svc.submission_grade(submission_id=submission.pk, last_try=False)
    run = _run(submission)
    assert run.status == "queued" and run.claim_count == 1
    # The last try stores internal_error, with feedback in both languages and the cause for staff.
    outcome = svc.submission_grade(submission_id=submission.pk, last_try=True)
    assert outcome.result == "failed"
    submission.refresh_from_db()
    run = _run(submission)
    assert submission.status == "internal_error" and run.claim_count == 2
    assert submission.feedback_en == svc.INTERNAL_ERROR_FEEDBACK_EN
    assert "SandboxUnavailable: no bwrap" in run.operator_detail
    assert "bwrap" not in submission.feedback_en + submission.feedback_zh


def test_a_student_crash_is_a_grade_not_a_retry(submission, monkeypatch):
    from grader import code_grading

    monkeypatch.setattr(code_grading, "grade_code", lambda **_kw: _report(status="crashed", points=Decimal("0")))
    outcome = svc.submission_grade(submission_id=submission.pk, last_try=False)
    assert outcome.result == "stored"
    submission.refresh_from_db()
    assert submission.status == "crashed" and submission.score == Decimal("0") and _run(submission).claim_count == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_let_exactly_one_through(submission):
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL's row locks (make test uses PostgreSQL)")
    barrier = threading.Barrier(8)
    results = []

    def claim():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(svc.submission_claim(submission_id=submission.pk))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results, key=lambda r: r is None) == [1] + [None] * 7


def test_a_bug_in_the_core_is_retried_then_closed(submission, monkeypatch):
    from grader import code_grading

    def buggy(**_kwargs):
        raise KeyError("a check that is half deployed")

    monkeypatch.setattr(code_grading, "grade_code", buggy)
    with pytest.raises(svc.GradingInfrastructureError):
        svc.submission_grade(submission_id=submission.pk, last_try=False)
    submission.refresh_from_db()
    assert submission.status == "queued"
    assert svc.submission_grade(submission_id=submission.pk, last_try=True).result == "failed"
    submission.refresh_from_db()
    assert submission.status == "internal_error"


def _graded_submission(student, exercise, monkeypatch, points: str):
    """A submission of `student`'s, graded through submission_grade with a report of `points`."""
    from grader import code_grading
    from grader.services import submission_create

    monkeypatch.setattr(code_grading, "grade_code", lambda **_kw: _report(points=Decimal(points)))
    made = submission_create(user=student, exercise=exercise, code=CORRECT_SOFTMAX)
    assert svc.submission_grade(submission_id=made.pk).result == "stored"
    return made


@pytest.mark.parametrize("history", [1, 6])
def test_claim_and_store_cost_the_same_whatever_the_students_history(
    student, softmax_exercise, monkeypatch, django_assert_max_num_queries, history
):
    from grader.services import submission_create

    for _ in range(history):
        _graded_submission(student, softmax_exercise, monkeypatch, "10")
    latest = submission_create(user=student, exercise=softmax_exercise, code=CORRECT_SOFTMAX)
    # Claim: the conditional UPDATE, the run with its submission, exercise and assignment, the status
    # mirror, and the claim's commit setting. Store: the conditional UPDATE, the test rows, the
    # submission's copy, the grade's row locked, the result that counts. Plus the test's savepoints.
    with django_assert_max_num_queries(14):
        assert svc.submission_grade(submission_id=latest.pk).result == "stored"


def test_a_lower_result_leaves_a_best_attempt_grade_alone_and_a_higher_one_moves_it(student, softmax_exercise, monkeypatch):
    from grades.models import Grade, GradeChange

    best = _graded_submission(student, softmax_exercise, monkeypatch, "8")
    changes = GradeChange.objects.count()
    _graded_submission(student, softmax_exercise, monkeypatch, "6")
    _graded_submission(student, softmax_exercise, monkeypatch, "8")  # equal, later: the earlier one still counts
    grade = Grade.objects.get(user=student)
    assert (grade.score, grade.source_submission_id, GradeChange.objects.count()) == (Decimal("8.000"), best.pk, changes)

    better = _graded_submission(student, softmax_exercise, monkeypatch, "9")
    grade.refresh_from_db()
    assert (grade.score, grade.source_submission_id) == (Decimal("9.000"), better.pk)
    assert GradeChange.objects.latest("sequence").new_score == Decimal("9.000")


def test_a_policy_changed_while_grading_counts_for_the_stored_result(student, softmax_exercise, monkeypatch):
    from courses.models import Assignment
    from grader import code_grading
    from grader.services import submission_create
    from grades.models import Grade

    _graded_submission(student, softmax_exercise, monkeypatch, "8")
    latest = submission_create(user=student, exercise=softmax_exercise, code=CORRECT_SOFTMAX)

    def grade_while_the_policy_changes(**_kw):
        # The run and its assignment were read by the claim, before this change.
        Assignment.objects.filter(exercise=softmax_exercise).update(grade_policy=Assignment.GradePolicy.LAST)
        return _report(points=Decimal("6"))

    monkeypatch.setattr(code_grading, "grade_code", grade_while_the_policy_changes)
    assert svc.submission_grade(submission_id=latest.pk).result == "stored"
    grade = Grade.objects.get(user=student)
    assert (grade.score, grade.source_submission_id) == (Decimal("6.000"), latest.pk)
