"""Two courses, their people, LMS tokens, and grades made through the real grade services.

Personas (DESIGN.md): alice and bob are students of the course, charlie is
enrolled nowhere, teacher instructs the course, other_teacher another course.
"""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from courses.models import Chapter, Course, Enrollment
from lms.models import Scope
from lms.tokens import lms_token_issue

from lms_helpers import exercise_with_assignment

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def course(db):
    return Course.objects.create(slug="lms-course", title_en="LMS course", title_zh="LMS 课程")


@pytest.fixture
def other_course(db):
    return Course.objects.create(slug="other-lms-course", title_en="Other", title_zh="其他")


@pytest.fixture
def chapter(course):
    return Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")


@pytest.fixture
def exercise(chapter):
    return exercise_with_assignment(chapter, "lms-softmax", points=20)


@pytest.fixture
def exercise2(chapter):
    return exercise_with_assignment(chapter, "lms-attention", points=10)


@pytest.fixture
def hidden_exercise(chapter):
    return exercise_with_assignment(chapter, "lms-unpublished", published=False)


@pytest.fixture
def make_exercise(chapter):
    return lambda slug, **kw: exercise_with_assignment(chapter, slug, **kw)


def _person(username, course=None, role=Enrollment.Role.STUDENT, **fields):
    user = get_user_model().objects.create_user(username=username, password=f"{username}-pw", **fields)
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def make_person():
    return _person


@pytest.fixture
def alice(course):
    user = _person("alice", course, first_name="Alice", last_name="Liddell")
    Enrollment.objects.filter(user=user).update(sis_user_id="S-001")
    return user


@pytest.fixture
def bob(course):
    return _person("bob", course)


@pytest.fixture
def charlie(db):
    return _person("charlie")


@pytest.fixture
def teacher(course):
    return _person("teacher", course, Enrollment.Role.INSTRUCTOR, is_staff=True)


@pytest.fixture
def other_teacher(other_course):
    return _person("other_teacher", other_course, Enrollment.Role.INSTRUCTOR, is_staff=True)


@pytest.fixture
def issue():
    """issue(course, scopes=ALL, **kw) -> the token string."""

    def make(course, scopes=None, **kwargs):
        kwargs.setdefault("name", "test LMS")
        return lms_token_issue(course=course, scopes=scopes or ALL_SCOPES, **kwargs).token

    return make


@pytest.fixture
def bearer():
    def make(token: str | None) -> APIClient:
        client = APIClient()
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def lms(course, issue, bearer):
    """A client with a token of the course holding every scope."""
    return bearer(issue(course))


@pytest.fixture
def knox_client():
    def make(user) -> APIClient:
        client = APIClient()
        token, _ = api_token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


@pytest.fixture
def session_client():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make
