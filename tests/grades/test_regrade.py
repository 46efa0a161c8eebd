"""Regrading: choices, idempotence, low priority, progress in admin, and the grade's history."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grader.models import GradingRun, RegradeRequest, Submission, TestResult
from grader.tasks import LIVE_PRIORITY, REGRADE_PRIORITY
from grades.models import Grade, GradeChange

from grades_helpers import grade_pending_run

pytestmark = pytest.mark.django_db


def regrade(*args) -> dict:
    out = StringIO()
    call_command("regrade", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def sent(monkeypatch):
    """The grading messages sent, as (submission id, priority), instead of a broker."""
    from grader import tasks

    messages = []
    monkeypatch.setattr(
        tasks.grade_submission, "apply_async", lambda args, priority=None, **kw: messages.append((args[0], priority))
    )
    monkeypatch.setattr(tasks.regrade_fan_out, "delay", lambda request_id: tasks.regrade_fan_out.run(request_id))
    return messages


@pytest.fixture
def graded(alice, bob, assignment, exercise, submit_and_grade):
    return [submit_and_grade(alice, exercise, "10"), submit_and_grade(bob, exercise, "6")]


def test_a_dry_run_counts_and_queues_nothing(graded, exercise):
    assert regrade("--exercise", exercise.slug, "--dry-run") | {"regrade_request": None} == {
        "submissions": 2, "queued": 0, "dry_run": True, "regrade_request": None, "scope": f"exercise {exercise.slug}",
    }  # fmt: skip
    assert not GradingRun.objects.filter(reason="regrade").exists() and not RegradeRequest.objects.exists()


def test_asking_twice_grades_once(graded, exercise, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = regrade("--exercise", exercise.slug)
    with django_capture_on_commit_callbacks(execute=True):
        second = regrade("--exercise", exercise.slug)
    assert (first["submissions"], first["queued"]) == (2, 2)
    assert (second["submissions"], second["queued"]) == (2, 0)
    assert GradingRun.objects.filter(reason="regrade", status="queued").count() == 2
    # Behind every live submission: the lowest priority.
    assert sorted(sent) == sorted((s.pk, REGRADE_PRIORITY) for s in graded)


def test_live_submissions_keep_the_first_priority(alice, assignment, exercise, sent, django_capture_on_commit_callbacks, submit_and_grade):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_and_grade(alice, exercise, None)
    assert sent == [(submission.pk, LIVE_PRIORITY)]


def test_a_regrade_adds_a_run_and_the_grade_says_why(alice, graded, exercise, client_for_api):
    submission = graded[0]
    old_run = submission.current_run
    regrade("--submission", str(submission.pk))
    # While it waits, the student still sees the last result.
    submission.refresh_from_db()
    assert (submission.status, submission.current_run_id) == ("graded", old_run.pk)

    grade_pending_run(submission, "4")
    submission.refresh_from_db()
    assert submission.current_run_id != old_run.pk and submission.score == 4
    # Nothing is deleted: the first run and its test rows stay.
    assert TestResult.objects.filter(run=old_run).count() == 2
    assert GradingRun.objects.filter(submission=submission).count() == 2
    change = GradeChange.objects.filter(grade__user=alice).latest("sequence")
    assert (change.cause, change.old_score, change.new_score) == ("regraded", 20, 8)
    detail = client_for_api(alice).get(f"/api/v1/submissions/{submission.pk}/").json()
    assert detail["runs"] == 2 and detail["score"] == 4.0
    history = client_for_api(alice).get("/api/v1/grades/?lang=zh").json()["results"][0]["history"]
    assert history[-1]["cause"] == "regraded" and "重新评分" in history[-1]["message"]


def test_one_student_and_only_the_outdated(alice, bob, graded, exercise):
    assert regrade("--exercise", exercise.slug, "--student", "bob")["queued"] == 1
    assert GradingRun.objects.get(reason="regrade").submission.user == bob
    grade_pending_run(graded[1], "6")
    # bob's newest run was graded under today's checks; alice's too: nothing is outdated.
    assert regrade("--exercise", exercise.slug, "--outdated", "--dry-run")["submissions"] == 0
    # An instructor changes the check parameters: every run is now out of date.
    exercise.check_params = {"hidden_cases": 2}
    exercise.save()
    assert regrade("--exercise", exercise.slug, "--outdated")["queued"] == 2


def test_admin_shows_the_progress(admin_client, graded, exercise):
    regrade("--exercise", exercise.slug)
    grade_pending_run(graded[0], "10")
    request = RegradeRequest.objects.get()
    page = admin_client.get("/admin/grader/regraderequest/").content.decode()
    assert "1 / 2" in page
    assert request.runs.count() == 2


def test_admin_regrades_an_exercise(admin_client, graded, exercise, django_capture_on_commit_callbacks, sent):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/grader/exercise/", {"action": "regrade_exercises", "_selected_action": [exercise.pk]}, follow=True
        )
    assert "2 of 2 submission(s) queued" in response.content.decode()
    assert len(sent) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--exercise", "nope"], "no exercise"), (["--submission", "999999"], "no submission"),
     (["--exercise", "grades-softmax", "--student", "nobody"], "no user"),
     (["--submission", "1", "--outdated"], "go with --exercise")],
)  # fmt: skip
def test_bad_choices_are_clear_errors_and_change_nothing(graded, args, message):
    before = GradingRun.objects.count(), Grade.objects.count()
    with pytest.raises(CommandError, match=message):
        regrade(*args)
    assert (GradingRun.objects.count(), Grade.objects.count()) == before
    assert Submission.objects.count() == 2
