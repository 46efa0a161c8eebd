"""The sample course and its people for the students' pages.

Personas (DESIGN.md): alice owns what is under test, bob is her classmate,
charlie studies another course, teacher instructs alice's course; anonymous
is the test client before any login. These tests use the plain `db` fixture:
a submission's enqueue (on commit) never runs, so no worker is needed; the
browser tests and web/test_precheck_worker.py run the real one.
"""

import pytest
from django.contrib.auth import get_user_model

from courses.models import Course, Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


def person(username, course, role=Enrollment.Role.STUDENT):
    user = get_user_model().objects.create_user(username=username, password=f"{username}-pw-9z")
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def alice(sample_course):
    return person("alice", sample_course)


@pytest.fixture
def bob(sample_course):
    return person("bob", sample_course)


@pytest.fixture
def charlie(db):
    other = Course.objects.create(slug="other-course", title_en="Other", title_zh="其他")
    return person("charlie", other)


@pytest.fixture
def teacher(sample_course):
    return person("teacher", sample_course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
