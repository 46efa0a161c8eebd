"""grader.services.submission_create below the HTTP layer: limits under concurrency, enqueue, settings."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from courses.models import Assignment
from django.db import connection, connections

from grader.models import Submission
from grader.services import SubmissionRejected, rate_limit_parse, submission_create
from grader.services import submissions as submissions_module

from api_helpers import GOOD_CODE

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("10/m", 10, 60), ("3/s", 3, 1), (" 5 / hour ", 5, 3600), ("100/d", 100, 86400), ("1/min", 1, 60)],
)
def test_rate_limit_parse(text, count, seconds):
    rate = rate_limit_parse(text)
    assert (rate.count, rate.seconds) == (count, seconds)


def test_rate_limit_parse_empty_is_no_limit():
    assert rate_limit_parse("") is None


@pytest.mark.parametrize("text", ["10", "ten/m", "10/week", "-1/m", "10/m/s", "１０/m"])
def test_rate_limit_parse_rejects_nonsense(text):
    with pytest.raises(ValueError):
        rate_limit_parse(text)


def test_settings_refuse_a_bad_rate_limit_at_start():
    # A typo in the deployment must stop the process, not silently disable the limit.
    env = {**os.environ, "SUBMISSION_RATE_LIMIT": "10 per minute", "SECRET_KEY": "x", "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SUBMISSION_RATE_LIMIT" in result.stderr


def test_rejections_carry_both_languages_and_a_code(charlie, exercise):
    with pytest.raises(SubmissionRejected) as caught:
        submission_create(user=charlie, exercise=exercise, code=GOOD_CODE)
    assert caught.value.code == "not_enrolled"
    assert exercise.slug in caught.value.message and exercise.slug in caught.value.message_zh


def test_it_enqueues_the_id_after_commit(alice, exercise, monkeypatch, django_capture_on_commit_callbacks):
    # The enqueue itself is replaced here: this checks what is sent and when,
    # not the worker (the integration tests run the real pipeline).
    sent = []
    monkeypatch.setattr(submissions_module, "_enqueue_grading", sent.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submission_create(user=alice, exercise=exercise, code=GOOD_CODE)
    assert sent == []  # nothing before commit: a worker must not look for an invisible row
    for callback in callbacks:
        callback()
    assert sent == [submission.id]


def _race(*, threads: int, target) -> list:
    """Run `target` in `threads` threads released at the same instant; collect outcomes."""
    barrier = threading.Barrier(threads)
    outcomes = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            try:
                result = target()
            except SubmissionRejected as exc:
                result = exc.code
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has no SELECT ... FOR UPDATE)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("limit_kind", "allowed", "refusal"),
    [("attempts", 3, "attempt_limit"), ("rate", 2, "rate_limited")],
)
def test_parallel_submits_cannot_slip_past_a_limit(alice, exercise, settings, monkeypatch, limit_kind, allowed, refusal):
    # Real commits happen here, so the enqueue is replaced: no broker in these tests.
    sent = []
    monkeypatch.setattr(submissions_module, "_enqueue_grading", sent.append)
    if limit_kind == "attempts":
        Assignment.objects.filter(exercise=exercise).update(attempt_limit=allowed)
    else:
        settings.SUBMISSION_RATE_LIMIT = f"{allowed}/m"

    outcomes = _race(threads=8, target=lambda: submission_create(user=alice, exercise=exercise, code=GOOD_CODE))

    created = [outcome for outcome in outcomes if isinstance(outcome, Submission)]
    assert len(outcomes) == 8
    assert len(created) == allowed
    assert sorted(outcome for outcome in outcomes if isinstance(outcome, str)) == [refusal] * (8 - allowed)
    assert Submission.objects.count() == allowed
    assert sorted(sent) == sorted(submission.id for submission in created)
