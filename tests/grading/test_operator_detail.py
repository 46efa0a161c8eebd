"""What the sandbox says about a failure is kept for staff; a status we do not know is our error, not a crash."""

import logging

import pytest

from grader.models import GradingRun
from grader.sandbox.types import RunOutcome
from grader.services import submission_create, submission_grade
from grader.services.runs import GradingInfrastructureError

ABORTS = "import os\nos.abort()\n"


@pytest.fixture
def alice(sample_course, django_user_model):
    from courses.models import Enrollment

    user = django_user_model.objects.create_user(username="alice")
    Enrollment.objects.create(user=user, course=sample_course)
    return user


def test_the_sandbox_detail_is_kept_on_the_run_and_logged_not_shown(alice, exercise, caplog):
    submission = submission_create(user=alice, exercise=exercise("softmax"), code=ABORTS)
    with caplog.at_level(logging.INFO, logger="grader.code_grading"):
        assert submission_grade(submission_id=submission.pk).result == "stored"
    run = GradingRun.objects.get(submission=submission)
    assert run.status == "crashed"
    assert run.operator_detail.startswith("killed by SIG"), run.operator_detail
    assert run.operator_detail in caplog.text
    # The student reads what happened in their terms, not the operator's account.
    submission.refresh_from_db()
    assert run.operator_detail not in submission.feedback_en + submission.feedback_zh


def test_an_unknown_run_status_is_our_error_retried_not_the_students_crash(alice, exercise, monkeypatch, caplog):
    from grader import code_grading

    def mystery(*, calls, **_kwargs):
        return RunOutcome(status="mystery", calls={}, detail="zygote answered 99")

    monkeypatch.setattr(code_grading, "run_in_sandbox", mystery)
    submission = submission_create(user=alice, exercise=exercise("softmax"), code=ABORTS)
    with caplog.at_level(logging.ERROR), pytest.raises(GradingInfrastructureError):
        submission_grade(submission_id=submission.pk, last_try=False)
    assert "mystery" in caplog.text and "zygote answered 99" in caplog.text
    run = GradingRun.objects.get(submission=submission)
    assert (run.status, run.claim_count) == ("queued", 1)  # given back for a retry

    assert submission_grade(submission_id=submission.pk, last_try=True).result == "failed"
    run.refresh_from_db()
    submission.refresh_from_db()
    assert run.status == submission.status == "internal_error"
    assert "mystery" in run.operator_detail and "mystery" not in submission.feedback_en
