"""GET /api/v1/grades/: a student's own grades with their history; persona tests (DESIGN.md)."""

from decimal import Decimal

import pytest

from courses.models import Assignment
from grader.services import submission_create
from grades.services import grade_override

from api_helpers import GOOD_CODE, assert_error

GRADES_URL = "/api/v1/grades/"

pytestmark = pytest.mark.django_db


def _submit(user, exercise):
    return submission_create(user=user, exercise=exercise, code=GOOD_CODE)


@pytest.fixture
def alice_graded(alice, teacher, exercise):
    """alice submitted (pending), then an instructor set her grade with a reason."""
    _submit(alice, exercise)
    grade_override(
        student=alice, assignment=exercise.assignment, score=Decimal("7.5"), actor=teacher, reason="oral exam"
    )


def test_it_works(client_for, alice, alice_graded, exercise):
    response = client_for(alice).get(GRADES_URL)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    grade = body["results"][0]
    assert {k: grade[k] for k in ("assignment", "course", "score", "max_score", "state", "late")} == {
        "assignment": exercise.slug, "course": "api-test-course", "score": 7.5, "max_score": 10.0,
        "state": "graded", "late": False,
    }  # fmt: skip
    history = grade["history"]
    assert [(h["cause"], h["old"], h["new"], h["new_state"]) for h in history] == [
        ("submitted", None, None, "pending"),
        ("override", None, 7.5, "graded"),
    ]
    assert history[1]["reason"] == "oral exam" and history[1]["message"] == "An instructor set this grade."
    assert history[0]["time"] and history[0]["sequence"] < history[1]["sequence"]


def test_it_says_why_in_chinese(client_for, alice, alice_graded):
    for response in (
        client_for(alice).get(GRADES_URL + "?lang=zh"),
        client_for(alice).get(GRADES_URL, HTTP_ACCEPT_LANGUAGE="zh-CN"),
    ):
        assert response.json()["results"][0]["history"][1]["message"] == "教师调整了此成绩。"
    assert_error(client_for(alice).get(GRADES_URL + "?lang=fr"), 400, "unsupported_language")


def test_it_rejects_other_students(client_for, alice, bob, alice_graded):
    # bob, a classmate, sees his own grades (none), never alice's.
    response = client_for(bob).get(GRADES_URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_it_rejects_strangers(client_for, charlie, alice_graded):
    response = client_for(charlie).get(GRADES_URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_instructors_see_only_their_own_grades_here(client_for, teacher, alice_graded):
    assert client_for(teacher).get(GRADES_URL).json()["results"] == []


def test_it_requires_authentication(client_for, alice_graded):
    assert_error(client_for().get(GRADES_URL), 401, "not_authenticated")


def test_unpublished_assignments_are_not_listed(client_for, alice, alice_graded, exercise):
    Assignment.objects.filter(exercise=exercise).update(published=False)
    assert client_for(alice).get(GRADES_URL).json()["count"] == 0


def test_it_costs_a_fixed_number_of_queries(
    client_for, alice, exercise, other_exercise, django_assert_max_num_queries
):
    _submit(alice, exercise)
    client = client_for(alice)
    with django_assert_max_num_queries(6) as one:
        client.get(GRADES_URL)
    _submit(alice, other_exercise)
    _submit(alice, exercise)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(GRADES_URL).json()["count"] == 2
