"""A course with one coding assignment, its people, and a way to grade without a sandbox.

The grader's own path (claim, store the report on the run) is used; only the
report is made here, so these tests are about what happens to grades.
"""

import pytest
from django.contrib.auth import get_user_model

from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise
from grader.services import submission_create

from grades_helpers import CODE, grade_pending_run


@pytest.fixture
def course(db):
    return Course.objects.create(slug="grades-course", title_en="Grades", title_zh="成绩")


@pytest.fixture
def exercise(course):
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    return Exercise.objects.create(
        slug="grades-softmax", chapter=chapter, title_en="Softmax", title_zh="Softmax",
        statement_en="Write it.", statement_zh="写出来。", reference_solution=CODE,
        required_functions=["softmax"], check_suite="softmax", points=10,
    )  # fmt: skip


@pytest.fixture
def assignment(course, exercise):
    return Assignment.objects.create(course=course, slug=exercise.slug, exercise=exercise, points=20)


def _person(username, course, role=Enrollment.Role.STUDENT):
    user = get_user_model().objects.create_user(username=username, password=username)
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def alice(course):
    return _person("alice", course)


@pytest.fixture
def bob(course):
    return _person("bob", course)


@pytest.fixture
def teacher(course):
    return _person("teacher", course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def submit_and_grade():
    def make(user, exercise, score: str | None, **kwargs):
        submission = submission_create(user=user, exercise=exercise, code=CODE)
        if score is not None:
            grade_pending_run(submission, score, **kwargs)
        submission.refresh_from_db()
        return submission

    return make


@pytest.fixture
def client_for_api():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
