"""POST /api/v1/auth/token/, logout, logout-all: tokens that expire, are stored hashed, rotate and can be revoked."""

from datetime import timedelta

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue

from api_helpers import SUBMISSIONS_URL, TOKEN_URL, assert_error

LOGOUT_URL = "/api/v1/auth/logout/"
LOGOUT_ALL_URL = "/api/v1/auth/logout-all/"


def _login(username, password=None):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password or f"{username}-pw"}, format="json")


def _client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token) -> bool:
    return _client(token).get(SUBMISSIONS_URL).status_code == 200


def test_it_works(alice):
    response = _login("alice")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert _works(body["token"])
    expiry = parse_datetime(body["expiry"])
    expected = timezone.now() + timedelta(days=7)
    assert abs((expiry - expected).total_seconds()) < 60


def test_the_token_is_stored_only_as_a_hash(alice):
    token = _login("alice").json()["token"]
    row = AuthToken.objects.get(user=alice)
    # Only a 15-character lookup prefix and a SHA-512 digest are kept: a copy of
    # the database does not hold a usable token.
    assert token not in (row.digest, row.token_key) and len(token) == 64
    assert row.token_key == token[:15] and len(row.digest) == 128


def test_each_login_issues_a_new_token_and_earlier_ones_stay_valid(alice):
    first = _login("alice").json()["token"]
    second = _login("alice").json()["token"]
    assert first != second
    assert _works(first) and _works(second)


def test_past_the_per_user_maximum_the_oldest_token_is_revoked(alice, settings):
    settings.API_TOKENS_PER_USER = 3
    tokens = [_login("alice").json()["token"] for _ in range(4)]
    assert not _works(tokens[0])
    assert all(_works(token) for token in tokens[1:])
    assert AuthToken.objects.filter(user=alice).count() == 3


def test_an_expired_token_is_refused_and_deleted(alice):
    token = _login("alice").json()["token"]
    AuthToken.objects.filter(user=alice).update(expiry=timezone.now() - timedelta(seconds=1))
    response = _client(token).get(SUBMISSIONS_URL)
    assert_error(response, 401, "authentication_failed")
    assert not AuthToken.objects.filter(user=alice).exists()


def test_logout_revokes_only_the_token_it_came_with(alice):
    laptop, lab = _login("alice").json()["token"], _login("alice").json()["token"]
    assert _client(laptop).post(LOGOUT_URL).status_code == 204
    assert not _works(laptop)
    assert _works(lab)
    # The same token again is simply no longer a credential.
    assert_error(_client(laptop).post(LOGOUT_URL), 401, "authentication_failed")


def test_logout_all_revokes_every_token_of_the_user_and_no_one_elses(alice, bob):
    alice_tokens = [_login("alice").json()["token"] for _ in range(2)]
    bob_token = _login("bob").json()["token"]
    assert _client(alice_tokens[0]).post(LOGOUT_ALL_URL).status_code == 204
    assert not any(_works(token) for token in alice_tokens)
    assert _works(bob_token)


def test_logout_needs_a_token(db):
    assert_error(APIClient().post(LOGOUT_URL), 401, "not_authenticated")
    assert_error(APIClient().post(LOGOUT_ALL_URL), 401, "not_authenticated")


def test_a_password_change_revokes_every_token(alice, bob):
    alice_token, bob_token = _login("alice").json()["token"], _login("bob").json()["token"]
    alice.set_password("a-new-passphrase")
    alice.save()
    assert not _works(alice_token)
    assert _works(bob_token)
    assert _login("alice", "a-new-passphrase").status_code == 200


def test_a_password_set_in_admin_revokes_every_token(alice):
    token = _login("alice").json()["token"]
    form = AdminPasswordChangeForm(alice, {"password1": "Another-pass-9", "password2": "Another-pass-9"})
    assert form.is_valid(), form.errors
    form.save()
    assert not _works(token)


def test_saving_a_user_without_a_new_password_keeps_the_tokens(alice):
    token = _login("alice").json()["token"]
    alice.first_name = "Alice"
    alice.save()
    type(alice).objects.get(pk=alice.pk).save()  # a fresh load, saved unchanged
    assert _works(token)


def test_a_deactivated_user_token_is_refused(alice):
    token = _login("alice").json()["token"]
    alice.is_active = False
    alice.save()
    assert_error(_client(token).get(SUBMISSIONS_URL), 401, "authentication_failed")


def test_a_token_works_only_for_its_owner(alice, bob, exercise, make_submission):
    submission = make_submission(alice, exercise)
    bob_token = _login("bob").json()["token"]
    assert_error(_client(bob_token).get(f"{SUBMISSIONS_URL}{submission.id}/"), 404, "not_found")


def test_it_accepts_a_form_post(alice):
    # What `curl -d username=... -d password=...` sends.
    body = "username=alice&password=alice-pw"
    response = APIClient().post(TOKEN_URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}).status_code == 200  # multipart


def test_it_rejects_a_wrong_password(alice, bob):
    response = _login("alice", "bob-pw")
    error = assert_error(response, 400, "invalid_input")
    assert error["message"] == "Unable to log in with provided credentials."
    assert error["message_zh"] == "无法使用提供的认证信息登录。"
    assert not AuthToken.objects.exists()


def test_it_rejects_an_unknown_user_with_the_same_answer(alice):
    unknown = _login("nobody", "x").json()
    wrong = _login("alice", "x").json()
    assert unknown == wrong


def test_it_rejects_an_inactive_user(alice):
    alice.is_active = False
    alice.save()
    assert_error(_login("alice"), 400, "invalid_input")
    assert not AuthToken.objects.exists()


def test_it_rejects_missing_fields(db):
    error = assert_error(APIClient().post(TOKEN_URL, {"username": "alice"}, format="json"), 400, "invalid_input")
    assert error["fields"]["password"][0]["code"] == "required"


def test_it_rejects_malformed_json(db):
    response = APIClient().post(TOKEN_URL, data=b'{"username": ', content_type="application/json")
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("username", ["al\x00ice", "a" * 151])
def test_it_rejects_a_username_the_database_could_not_hold(db, username):
    # Refused by validation, never sent to the database (PostgreSQL would raise).
    assert_error(_login(username, "x"), 400, "invalid_input")


def test_it_rejects_a_lone_surrogate_in_the_password(alice):
    response = APIClient().post(
        TOKEN_URL, data=b'{"username": "alice", "password": "\\ud800"}', content_type="application/json"
    )
    assert_error(response, 400, "not_utf8")
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        b"Token not-a-real-token",
        b"Token " + b"0" * 64,
        b"Token " + b"\x00" * 64,
        b"Token " + b"\xff" * 64,
        b"Token " + b"A" * 64,
        b"Token",
        b"Token a b",
    ],
)
def test_a_bad_token_is_401_never_500(alice, header):
    _login("alice")
    client = APIClient()
    # As a WSGI server passes it: the header's bytes as Latin-1 text.
    client.credentials(HTTP_AUTHORIZATION=header.decode("latin-1"))
    response = client.get(SUBMISSIONS_URL)
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_from_the_service_is_also_accepted(alice):
    token, expiry = api_token_issue(user=alice)
    assert _works(token) and expiry > timezone.now()
