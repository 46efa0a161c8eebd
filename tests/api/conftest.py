"""Fixtures for the REST API tests: one course, its people, and a way to act as each.

The personas (DESIGN.md): alice owns the submissions under test, bob is her
classmate, charlie is not enrolled at all, teacher instructs the course, and
other_teacher instructs a different course. Everything is built here; the
tests depend on no content files.

These tests use the plain `db` fixture: each test runs inside a transaction
that is rolled back, so `transaction.on_commit` callbacks (the enqueue of a
grading task) never run and no broker or worker is needed.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise, GradingRun, Submission, TestResult

from api_helpers import GOOD_CODE

def _exercise(chapter, slug, assignment=None, **fields):
    exercise = Exercise.objects.create(
        slug=slug,
        chapter=chapter,
        title_en=slug,
        title_zh=slug,
        statement_en="Write it.",
        statement_zh="写出来。",
        reference_solution=GOOD_CODE,
        required_functions=["softmax"],
        check_suite="softmax",
        **fields,
    )
    Assignment.objects.create(
        course=chapter.course, slug=slug, exercise=exercise, points=exercise.points, **(assignment or {})
    )
    return exercise


@pytest.fixture
def course(db):
    return Course.objects.create(slug="api-test-course", title_en="API test course", title_zh="接口测试课程")


@pytest.fixture
def chapter(course):
    return Chapter.objects.create(course=course, number=1, title_en="Basics", title_zh="基础")


@pytest.fixture
def exercise(chapter):
    return _exercise(chapter, "softmax-api")


@pytest.fixture
def other_exercise(chapter):
    return _exercise(chapter, "attention-api", position=1)


@pytest.fixture
def closed_exercise(chapter):
    return _exercise(chapter, "closed-api", position=2, assignment={"closes_at": timezone.now() - timedelta(hours=1)})


@pytest.fixture
def foreign_exercise(db):
    """An exercise of another course, in which only other_teacher is enrolled."""
    other = Course.objects.create(slug="other-course", title_en="Other", title_zh="其他")
    return _exercise(Chapter.objects.create(course=other, number=1, title_en="X", title_zh="X"), "foreign-api")


def _user(username, course=None, role=Enrollment.Role.STUDENT):
    user = get_user_model().objects.create_user(username=username, password=f"{username}-pw")
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def alice(course):
    return _user("alice", course)


@pytest.fixture
def bob(course):
    return _user("bob", course)


@pytest.fixture
def charlie(db):
    return _user("charlie")


@pytest.fixture
def teacher(course):
    return _user("teacher", course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def other_teacher(foreign_exercise):
    return _user("other_teacher", foreign_exercise.chapter.course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def client_for():
    """An API client authenticated the way a student's script is: `Authorization: Token <key>`."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = api_token_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


@pytest.fixture
def make_submission():
    """A submission row as the grader would leave it; written directly, not through the service."""

    def make(user, exercise, *, status=Submission.Status.GRADED, tests=2, **fields) -> Submission:
        graded = status not in (Submission.Status.QUEUED, Submission.Status.RUNNING)
        result = {
            "status": status,
            "score": Decimal("7.500") if graded else None,
            "max_score": Decimal("10.000") if graded else None,
            "feedback_en": "1 of 2 tests passed." if graded else "",
            "feedback_zh": "2 个测试中通过了 1 个。" if graded else "",
        }
        submission = Submission.objects.create(
            user=user, exercise=exercise, code=GOOD_CODE, code_sha256="0" * 64, **result, **fields
        )
        run = GradingRun.objects.create(submission=submission, seed=submission.seed, suite_version="test", **result)
        Submission.objects.filter(pk=submission.pk).update(current_run=run)
        submission.current_run = run
        for position in range(tests if graded else 0):
            hidden = position == tests - 1
            TestResult.objects.create(
                run=run,
                position=position,
                name_en=f"case {position}",
                name_zh=f"测试 {position}",
                hidden=hidden,
                passed=position == 0,
                points=Decimal("7.500") if position == 0 else Decimal("0"),
                max_points=Decimal("7.500") if position == 0 else Decimal("2.500"),
                message_en="" if position == 0 else "Values differ at [0, 1].",
                message_zh="" if position == 0 else "[0, 1] 处的值不同。",
            )
        return submission

    return make
