"""Issuing LMS tokens (manage.py issue_lms_token, admin), how they are stored, and revoking them."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lms.models import LmsToken
from lms.tokens import LmsTokenRefused, lms_token_authenticate

from lms_helpers import course_url

pytestmark = pytest.mark.django_db


def _issue(*args) -> list[str]:
    out = io.StringIO()
    call_command("issue_lms_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_prints_the_token_alone_on_the_last_line(course, bearer):
    lines = _issue("--course", course.slug, "--scopes", "grades:read,roster:read", "--expires", "30")
    token = lines[-1]
    row = LmsToken.objects.get()
    assert token.startswith("lms_") and token not in lines[0]
    assert row.scopes == ["grades:read", "roster:read"] and row.course == course
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    # Stored hashed: the token is nowhere in the row.
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row.__dict__)
    assert bearer(token).get(course_url(course.slug, "roster/")).status_code == 200
    assert bearer(token).get(course_url(course.slug, "assignments/")).status_code == 403


@pytest.mark.parametrize(
    "args, message",
    [
        (["--course", "nope", "--scopes", "grades:read"], "no course"),
        (["--course", "lms-course", "--scopes", "grades:write"], "Unknown scope grades:write"),
        (["--course", "lms-course", "--scopes", ","], "at least one scope"),
        (["--course", "lms-course", "--scopes", "grades:read", "--expires", "0"], "between 1 and"),
    ],
)
def test_the_command_refuses_bad_input_and_issues_nothing(course, args, message):
    with pytest.raises(CommandError, match=message):
        _issue(*args)
    assert not LmsToken.objects.exists()


def test_a_token_never_expires_unless_asked(course):
    _issue("--course", course.slug, "--scopes", "grades:read")
    assert LmsToken.objects.get().expires_at is None


def test_authentication_checks_the_whole_token(course):
    token = _issue("--course", course.slug, "--scopes", "grades:read")[-1]
    assert lms_token_authenticate(token).course == course
    key_part = token.rsplit("_", 1)[0]
    for forged in (f"{key_part}_{'0' * 64}", token.upper(), token[:-2]):
        with pytest.raises(LmsTokenRefused):
            lms_token_authenticate(forged)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "root-pw")


def test_a_superuser_issues_one_in_admin_and_sees_it_once(client, superuser, course, bearer):
    client.force_login(superuser)
    response = client.post(
        "/admin/lms/lmstoken/add/",
        {"course": course.pk, "name": "Canvas sync", "scopes": ["grades:read"], "expires_in_days": "7"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    token = next(word for message in shown for word in message.split() if word.startswith("lms_"))
    row = LmsToken.objects.get()
    assert (row.name, row.scopes, row.created_by) == ("Canvas sync", ["grades:read"], superuser)
    assert bearer(token).get(course_url(course.slug, "grades/")).status_code == 200
    # Its page never shows the token again.
    page = client.get(f"/admin/lms/lmstoken/{row.pk}/change/").content.decode()
    assert token not in page and f"lms_{row.key_id}_…" in page


def test_a_superuser_revokes_in_admin(client, superuser, course, issue, bearer):
    token = issue(course)
    client.force_login(superuser)
    client.post("/admin/lms/lmstoken/", {"action": "revoke", "_selected_action": [LmsToken.objects.get().pk]})
    assert LmsToken.objects.get().revoked_at is not None
    assert bearer(token).get(course_url(course.slug, "grades/")).status_code == 401


def test_instructors_cannot_see_or_issue_tokens(client, teacher, course, issue):
    issue(course)
    client.force_login(teacher)
    assert client.get("/admin/lms/lmstoken/").status_code == 403
    assert client.post("/admin/lms/lmstoken/add/", {"course": course.pk, "name": "x", "scopes": ["grades:read"]}).status_code == 403
    assert LmsToken.objects.count() == 1
