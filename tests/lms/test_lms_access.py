"""Who may read each LMS endpoint: only a live token of the course holding the endpoint's scope.

Every endpoint × every persona (issue 10, item 5): a token of the course, of
another course, without the scope, revoked, expired; a student (token and
session), an instructor of the course (session and token), anonymous.
Instructors read the class through the staff gradebook, not here: these
endpoints are for machines, and take LMS tokens only.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from lms.models import LmsToken, Scope
from lms.tokens import lms_token_revoke

from lms_helpers import assert_error, course_url, submit_and_grade

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "assignments/": Scope.ASSIGNMENTS_READ,
    "grades/": Scope.GRADES_READ,
    "roster/": Scope.ROSTER_READ,
    "gradebook.csv": Scope.GRADES_READ,
}


@pytest.fixture(autouse=True)
def graded(alice, bob, exercise):
    submit_and_grade(alice, exercise, "8")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_of_the_course_reads(endpoint, course, issue, bearer):
    response = bearer(issue(course, [ENDPOINTS[endpoint]])).get(course_url(course.slug, endpoint))
    assert response.status_code == 200, response.content
    if endpoint == "gradebook.csv":
        assert b"Liddell, Alice" in response.content
        assert response.content.startswith(b"Student,ID,SIS User ID,SIS Login ID,Section")
    elif endpoint == "grades/":
        assert [row["student"]["username"] for row in response.json()["results"]] == ["alice"]
    else:
        assert response.json()["results"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_of_another_course_is_refused(endpoint, course, other_course, issue, bearer):
    client = bearer(issue(other_course))
    assert_error(client.get(course_url(course.slug, endpoint)), 403, "wrong_course")
    # A course that does not exist gets the same answer: the token learns nothing about other courses.
    assert_error(client.get(course_url("no-such-course", endpoint)), 403, "wrong_course")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_without_the_scope_is_refused(endpoint, course, issue, bearer):
    others = [scope for scope in Scope.values if scope != ENDPOINTS[endpoint]]
    error = assert_error(bearer(issue(course, others)).get(course_url(course.slug, endpoint)), 403, "insufficient_scope")
    assert ENDPOINTS[endpoint] in error["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_revoked_token_is_refused(endpoint, course, issue, bearer):
    token = issue(course)
    client = bearer(token)
    assert client.get(course_url(course.slug, endpoint)).status_code == 200
    lms_token_revoke(token=LmsToken.objects.get())
    response = client.get(course_url(course.slug, endpoint))
    assert_error(response, 401, "token_revoked")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_expired_token_is_refused(endpoint, course, issue, bearer):
    token = issue(course, expires_in_days=1)
    LmsToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(bearer(token).get(course_url(course.slug, endpoint)), 401, "token_expired")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_forged_or_altered_token_is_refused(endpoint, course, issue, bearer):
    token = issue(course)
    altered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (altered, "lms_x", "nonsense", token + "0"):
        assert_error(bearer(bad).get(course_url(course.slug, endpoint)), 401, "token_invalid")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_students_never_read_it(endpoint, course, alice, knox_client, session_client):
    assert_error(knox_client(alice).get(course_url(course.slug, endpoint)), 401, "lms_token_required")
    assert_error(session_client(alice).get(course_url(course.slug, endpoint)), 401, "lms_token_required")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_instructors_use_a_token_too(endpoint, course, teacher, other_teacher, knox_client, session_client):
    for person in (teacher, other_teacher):
        assert_error(session_client(person).get(course_url(course.slug, endpoint)), 401, "lms_token_required")
        assert_error(knox_client(person).get(course_url(course.slug, endpoint)), 401, "lms_token_required")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused(endpoint, course, bearer, charlie):
    response = bearer(None).get(course_url(course.slug, endpoint))
    assert_error(response, 401, "lms_token_required")
    assert response["WWW-Authenticate"] == 'Bearer realm="lms"'


def test_a_token_reads_nothing_but_get(course, lms):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(lms, method)(course_url(course.slug, "grades/")).status_code == 405
