"""Submitting outside the window or past the attempt limit: a clear 4xx, both languages, nothing stored."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import Assignment, Extension
from grader.models import GradingRun, Submission
from grades.models import Grade, GradeChange

from grades_helpers import CODE

pytestmark = pytest.mark.django_db


def _post(user, exercise):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/submissions/", {"exercise": exercise.slug, "code": CODE}, format="json")


def _nothing_stored():
    return not (Submission.objects.exists() or GradingRun.objects.exists() or Grade.objects.exists()
                or GradeChange.objects.exists())  # fmt: skip


def _assert_refused(response, code):
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["message_zh"]
    assert error["message"] != error["message_zh"]
    assert _nothing_stored()


def test_before_it_opens(alice, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=timezone.now() + timedelta(hours=2))
    _assert_refused(_post(alice, exercise), "not_open_yet")


def test_after_the_hard_close(alice, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    _assert_refused(_post(alice, exercise), "exercise_closed")


def test_an_unpublished_assignment(alice, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(published=False)
    _assert_refused(_post(alice, exercise), "exercise_closed")


def test_an_exercise_that_is_no_assignment(alice, exercise):
    _assert_refused(_post(alice, exercise), "not_assigned")


def test_an_extension_keeps_it_open_for_that_student_only(alice, bob, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(
        due_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() - timedelta(seconds=1)
    )
    Extension.objects.create(assignment=assignment, user=alice, closes_at=timezone.now() + timedelta(days=1))
    assert _post(alice, exercise).status_code == 201
    response = _post(bob, exercise)
    assert response.status_code == 409 and response.json()["error"]["code"] == "exercise_closed"
    assert not Submission.objects.filter(user=bob).exists()


def test_past_the_attempt_limit_with_the_extension_counted(alice, bob, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(attempt_limit=1)
    Extension.objects.create(assignment=assignment, user=alice, extra_attempts=1)
    assert _post(alice, exercise).status_code == 201
    assert _post(alice, exercise).status_code == 201
    assert _post(bob, exercise).status_code == 201
    for user in (alice, bob):
        before = Submission.objects.count(), GradingRun.objects.count(), GradeChange.objects.count()
        response = _post(user, exercise)
        assert response.status_code == 409 and response.json()["error"]["code"] == "attempt_limit"
        assert (Submission.objects.count(), GradingRun.objects.count(), GradeChange.objects.count()) == before


def test_an_instructor_submits_whatever_the_window(teacher, assignment, exercise):
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(days=1), attempt_limit=1)
    assert _post(teacher, exercise).status_code == 201
    assert _post(teacher, exercise).status_code == 201
