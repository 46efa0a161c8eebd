"""The path of a submission through a real worker, and "graded exactly once" under faults.

Each test commits rows (transaction=True) so the worker subprocess sees them,
then waits on the database for the outcome. Every wait is bounded.
"""

import time
import uuid
from decimal import Decimal

import pytest

from .conftest import CORRECT_SOFTMAX, redis_restart_without_persistence, slow_softmax, wait_for

# xdist_group: with `-n N --dist loadgroup` these share one worker process and one Redis db.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery")]

FINAL = {"graded", "error", "timeout", "memory_limit", "output_limit", "crashed", "internal_error"}


def _submit(user, exercise, code):
    from grader.services import submission_create

    return submission_create(user=user, exercise=exercise, code=code)


def _all_final(ids):
    from grader.models import Submission

    rows = list(Submission.objects.filter(pk__in=ids).values_list("status", flat=True))
    return len(rows) == len(ids) and all(status in FINAL for status in rows)


def _assert_graded_once_full_marks(submission_id, exercise):
    from grader.models import Submission, TestResult

    sub = Submission.objects.select_related("current_run").get(pk=submission_id)
    assert sub.status == "graded", (sub.status, sub.feedback_en)
    assert sub.score == sub.max_score == Decimal(exercise.points)
    assert sub.graded_at is not None and sub.current_run.started_at is not None
    # One run, one set of rows.
    assert sub.runs.count() == 1
    results = list(TestResult.objects.filter(run__submission=sub).values_list("position", "passed"))
    # One set of rows: positions 1..n, each once, all passed.
    assert results, "no per-test rows"
    assert sorted(position for position, _ in results) == list(range(1, len(results) + 1))
    assert all(passed for _, passed in results)
    return sub


def test_it_grades_a_submission_end_to_end(worker, student, softmax_exercise):
    submission = _submit(student, softmax_exercise, CORRECT_SOFTMAX)
    wait_for(lambda: _all_final([submission.pk]), timeout=30, message="the grade")
    sub = _assert_graded_once_full_marks(submission.pk, softmax_exercise)
    assert sub.current_run.claim_count == 1
    assert sub.feedback_en and sub.feedback_zh


def test_it_grades_through_the_http_api(worker, student, softmax_exercise):
    from django.urls import NoReverseMatch, reverse
    from rest_framework.test import APIClient

    try:
        url = reverse("api:submission-list")
    except NoReverseMatch:
        url = "/api/v1/submissions/"
    client = APIClient()
    client.force_authenticate(student)
    response = client.post(url, {"exercise": softmax_exercise.slug, "code": CORRECT_SOFTMAX}, format="json")
    assert response.status_code == 201, response.content
    submission_id = response.json()["id"]
    wait_for(lambda: _all_final([submission_id]), timeout=30, message="the grade")
    _assert_graded_once_full_marks(submission_id, softmax_exercise)
    detail = client.get(f"{url}{submission_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "graded"


def test_it_grades_once_when_the_same_message_is_delivered_twice(worker, student, softmax_exercise):
    from grader.models import GradingRun, Submission
    from grader.services import run_create
    from grader.tasks import grade_submission

    # Rows made directly: no on_commit enqueue, we send every message ourselves.
    subs = [
        Submission.objects.create(user=student, exercise=softmax_exercise, code=slow_softmax(0.3), code_sha256="x")
        for _ in range(3)
    ]
    for sub in subs:
        run = run_create(submission=sub, reason=GradingRun.Reason.FIRST)
        Submission.objects.filter(pk=sub.pk).update(current_run=run)
    for sub in subs:
        # The very same message twice (same task id), and once more under a new id:
        # with two prefork children, two of these run at the same moment.
        task_id = str(uuid.uuid4())
        grade_submission.apply_async((sub.pk,), task_id=task_id)
        grade_submission.apply_async((sub.pk,), task_id=task_id)
        grade_submission.apply_async((sub.pk,))
    ids = [sub.pk for sub in subs]
    wait_for(lambda: _all_final(ids), timeout=40, message="all grades")
    # Let every duplicate message be consumed before judging.
    time.sleep(1.5)
    for sub in subs:
        graded = _assert_graded_once_full_marks(sub.pk, softmax_exercise)
        assert graded.current_run.claim_count == 1, "a duplicate delivery claimed it again"


def test_it_grades_each_once_after_the_worker_is_killed_mid_grade(worker, student, softmax_exercise):
    from grader.models import Submission

    subs = [_submit(student, softmax_exercise, slow_softmax(1.5)) for _ in range(3)]
    ids = [sub.pk for sub in subs]
    # Kill only once a grade is under way: the sandbox is sleeping inside the student's module.
    wait_for(
        lambda: Submission.objects.filter(pk__in=ids, status="running").exists(),
        timeout=20,
        message="a submission to be running",
    )
    time.sleep(0.4)
    running_at_kill = set(Submission.objects.filter(pk__in=ids, status="running").values_list("pk", flat=True))
    assert running_at_kill, "the kill did not land mid-grade"
    worker.kill_worker()
    # Nothing is graded by a dead worker.
    time.sleep(0.5)
    assert set(Submission.objects.filter(pk__in=running_at_kill, status="running").values_list("pk", flat=True)) == (
        running_at_kill
    )
    worker.start_worker()
    # running → queued after SWEEP_RUNNING_AFTER (11 s here), then graded again.
    wait_for(lambda: _all_final(ids), timeout=45, message="all grades after the restart")
    time.sleep(1.5)
    for pk in ids:
        graded = _assert_graded_once_full_marks(pk, softmax_exercise)
        if pk in running_at_kill:
            assert graded.current_run.claim_count >= 2


def test_it_grades_everything_after_redis_restarts_without_persistence(worker, redis_guard, student, softmax_exercise):
    subs = [_submit(student, softmax_exercise, slow_softmax(0.4)) for _ in range(6)]
    ids = [sub.pk for sub in subs]
    from grader.models import Submission

    # Most are still messages in Redis (two in flight): all of those are lost.
    lost = set(Submission.objects.filter(pk__in=ids, status="queued").values_list("pk", flat=True))
    redis_restart_without_persistence()
    assert lost, "nothing was waiting in Redis: the test did not lose a message"
    # The worker reconnects; the sweeper (beat) re-sends what is still queued.
    wait_for(lambda: _all_final(ids), timeout=45, message="all grades after the Redis restart")
    for pk in ids:
        _assert_graded_once_full_marks(pk, softmax_exercise)
    # And the pipeline still works afterwards, by the normal path.
    after = _submit(student, softmax_exercise, CORRECT_SOFTMAX)
    wait_for(lambda: _all_final([after.pk]), timeout=20, message="a grade after recovery")
    _assert_graded_once_full_marks(after.pk, softmax_exercise)
