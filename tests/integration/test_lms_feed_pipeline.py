"""An LMS pulling a course's grades while a student submits, graded by a real worker.

A token is issued, the LMS pulls (nothing yet) and keeps the cursor; the
student submits over HTTP, the worker grades; the next pull returns just that
grade, graded, and the one after nothing.
"""

import pytest

from .conftest import CORRECT_SOFTMAX, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery")]


def test_the_next_pull_returns_just_the_new_grade(worker, student, softmax_exercise):
    from rest_framework.test import APIClient

    from grades.models import Grade
    from lms.tokens import lms_token_issue

    course = softmax_exercise.chapter.course
    lms = APIClient()
    lms.credentials(HTTP_AUTHORIZATION=f"Bearer {lms_token_issue(course=course, scopes=['grades:read'], name='it').token}")
    feed = f"/api/v1/courses/{course.slug}/grades/"
    first = lms.get(feed).json()
    assert first["results"] == [] and first["next"] is None

    browser = APIClient()
    browser.force_authenticate(student)
    response = browser.post("/api/v1/submissions/", {"exercise": softmax_exercise.slug, "code": CORRECT_SOFTMAX}, format="json")
    assert response.status_code == 201, response.content
    wait_for(lambda: Grade.objects.filter(user=student, state="graded").exists(), timeout=30, message="the grade")

    page = lms.get(feed, {"cursor": first["cursor"]}).json()
    assert [(row["student"]["username"], row["assignment"], row["score_given"], row["grading_progress"])
            for row in page["results"]] == [(student.username, softmax_exercise.slug, 10.0, "FullyGraded")]  # fmt: skip
    assert lms.get(feed, {"cursor": page["cursor"]}).json()["results"] == []
