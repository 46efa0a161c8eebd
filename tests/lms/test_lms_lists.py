"""GET …/assignments/ and …/roster/: what each row holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Assignment
from lti.models import LtiIdentity, PlatformRegistration
from quizzes.models import Quiz

from lms_helpers import course_url

pytestmark = pytest.mark.django_db


def test_assignments(lms, course, exercise, hidden_exercise):
    due = timezone.now() + timedelta(days=7)
    Assignment.objects.filter(pk=exercise.assignment.pk).update(due_at=due)
    quiz = Quiz.objects.create(course=course, slug="lms-quiz", title_en="Quiz one", title_zh="测验一")
    Assignment.objects.create(course=course, slug="lms-quiz", kind="quiz", quiz=quiz, points=5)

    body = lms.get(course_url(course.slug, "assignments/")).json()

    assert body["count"] == 2  # the unpublished one is not listed
    quiz_row, coding_row = body["results"]
    assert quiz_row["slug"] == "lms-quiz" and quiz_row["kind"] == "quiz"
    assert quiz_row["title"] == {"zh": "测验一", "en": "Quiz one"} and quiz_row["score_maximum"] == 5.0
    assert coding_row == {
        "id": exercise.assignment.pk, "slug": "lms-softmax", "title": {"zh": "标题 lms-softmax", "en": "Title lms-softmax"},
        "kind": "coding", "score_maximum": 20.0, "opens_at": None,
        "due_at": due.isoformat().replace("+00:00", "Z"), "updated_at": coding_row["updated_at"],
    }  # fmt: skip
    assert coding_row["updated_at"]


def test_roster(lms, course, alice, bob, teacher, charlie):
    registration = PlatformRegistration.objects.create(
        name="Moodle", issuer="https://moodle.example", client_id="m", auth_login_url="https://moodle.example/a",
        auth_token_url="https://moodle.example/t", keyset_url="https://moodle.example/k", course=course,
    )  # fmt: skip
    LtiIdentity.objects.create(user=bob, issuer=registration.issuer, sub="moodle-42")

    rows = lms.get(course_url(course.slug, "roster/")).json()["results"]

    by_name = {row["username"]: row for row in rows}
    assert set(by_name) == {"alice", "bob", "teacher"}  # charlie is enrolled nowhere
    assert {k: by_name["alice"][k] for k in ("id", "name", "role", "lti_sub", "sis_user_id")} == {
        "id": alice.pk, "name": "Alice Liddell", "role": "student", "lti_sub": None, "sis_user_id": "S-001",
    }  # fmt: skip
    assert by_name["bob"]["lti_sub"] == "moodle-42" and by_name["teacher"]["role"] == "instructor"
