"""Password guessing is locked out per account and per address, before any password is hashed.

The same counters serve the API token endpoint and the admin login; they live
in the database, so every web process sees them.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

TOKEN_URL = "/api/v1/auth/token/"
ADMIN_LOGIN_URL = "/admin/login/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The real hasher costs ~0.5 s a call; what is measured here is whether it is called at all.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hasher_calls(monkeypatch):
    """How many times a password was hashed (checking a password hashes it; so does the unknown-user decoy)."""
    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="alice-secret-pw")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="staff", password="staff-secret-pw", is_staff=True)


def _token(username, password, address="203.0.113.7", **extra):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address, **extra
    )


def _fail(username, times, address="203.0.113.7"):
    for _ in range(times):
        response = _token(username, "wrong guess", address)
        assert response.status_code in (400, 429), response.content


def _assert_locked(response):
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "login_locked_out"
    assert "Try again in 15 minutes" in error["message"] and "15 分钟后重试" in error["message_zh"]
    assert response["Retry-After"] == "900" and error["retry_after"] == 900
    return error


def test_an_account_locks_after_five_failures(alice):
    for _ in range(4):
        assert _token("alice", "wrong guess").status_code == 400
    _assert_locked(_token("alice", "wrong guess"))  # the fifth failure locks
    # Locked: even the right password gets no token.
    _assert_locked(_token("alice", "alice-secret-pw"))
    assert not AuthToken.objects.exists()


def test_a_locked_out_attempt_does_not_hash_the_password(alice, hasher_calls):
    _fail("alice", 5)
    hashed_while_guessing = len(hasher_calls)
    assert hashed_while_guessing == 5  # each of the five counted failures was checked

    for _ in range(20):
        _assert_locked(_token("alice", "another guess"))
    _assert_locked(_token("alice", "alice-secret-pw"))
    assert len(hasher_calls) == hashed_while_guessing  # 21 refusals, not one hash


def test_the_lockout_answer_is_the_same_for_a_known_and_an_unknown_user(alice):
    known = [_token("alice", "wrong guess").json() for _ in range(5)]
    unknown = [_token("no-such-user", "wrong guess").json() for _ in range(5)]
    assert known == unknown  # same answers, at the same attempt
    _assert_locked(_token("no-such-user", "x"))


def test_an_address_locks_after_its_own_limit_whatever_the_accounts(alice, settings):
    # Spraying one guess at many accounts never trips an account's limit.
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        assert _token(f"victim{number}", "Password1").status_code in (400, 429)
    _assert_locked(_token("alice", "alice-secret-pw", address="203.0.113.7"))
    # Another address is not affected, nor is alice's account as such.
    assert _token("alice", "alice-secret-pw", address="198.51.100.20").status_code == 200


def test_the_account_lock_holds_from_every_address(alice):
    for number in range(5):
        _token("alice", "wrong guess", address=f"198.51.100.{number}")
    _assert_locked(_token("alice", "alice-secret-pw", address="192.0.2.99"))


def test_a_forged_forwarded_for_header_does_not_change_the_address(alice):
    # With no proxy configured, X-Forwarded-For is the client's own claim.
    for number in range(5):
        _token(f"someone{number}", "x", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").count() == 5


def test_behind_a_trusted_proxy_the_client_is_the_proxy_s_entry(alice, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    _token("alice", "x", address="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.30")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.30"


def test_ipv6_addresses_count_by_their_64_prefix(alice, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for host in ("1", "2", "3"):
        _token(f"u{host}", "x", address=f"2001:db8:1:2::{host}")
    _assert_locked(_token("alice", "alice-secret-pw", address="2001:db8:1:2:ffff::9"))
    assert _token("alice", "alice-secret-pw", address="2001:db8:1:3::1").status_code == 200


def test_the_lock_lifts_after_the_cool_off(alice):
    _fail("alice", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _token("alice", "alice-secret-pw").status_code == 200


def test_a_successful_login_clears_the_account_count_not_the_address_count(alice, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    _fail("alice", 4)
    _fail("bob", 4)
    assert _token("alice", "alice-secret-pw").status_code == 200
    # alice starts again at zero: with three more typos (seven in all) she is not locked...
    _fail("alice", 3)
    assert _token("alice", "alice-secret-pw").status_code == 200
    # ...but the address still carries every failure: 4 + 4 + 3 + this one = 12.
    assert _token("carol", "x").status_code == 429


def test_the_admin_login_locks_with_a_bilingual_page(client, staff):
    data = {"username": "staff", "password": "wrong guess", "next": "/admin/"}
    for _ in range(4):
        assert client.post(ADMIN_LOGIN_URL, data).status_code == 200  # the form again, with its error
    response = client.post(ADMIN_LOGIN_URL, data)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    # The refusal in both languages, whichever the page is in (templates/accounts/locked_out.html).
    assert "Too many failed sign-in attempts for this account" in text and "该账号或该地址的登录失败次数过多" in text
    # The right password does not get in while locked.
    response = client.post(ADMIN_LOGIN_URL, {**data, "password": "staff-secret-pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_refuses_locked_attempts_without_hashing(client, staff, hasher_calls):
    data = {"username": "staff", "password": "wrong guess"}
    for _ in range(5):
        client.post(ADMIN_LOGIN_URL, data)
    before = len(hasher_calls)
    for _ in range(10):
        assert client.post(ADMIN_LOGIN_URL, data).status_code == 429
    assert len(hasher_calls) == before


def test_failures_on_the_api_and_the_admin_share_one_count(client, staff):
    _fail("staff", 3, address="127.0.0.1")
    for _ in range(2):
        client.post(ADMIN_LOGIN_URL, {"username": "staff", "password": "wrong guess"})
    _assert_locked(_token("staff", "staff-secret-pw", address="127.0.0.1"))


def test_the_admin_login_still_works_below_the_limit(client, staff):
    client.post(ADMIN_LOGIN_URL, {"username": "staff", "password": "wrong guess"})
    response = client.post(ADMIN_LOGIN_URL, {"username": "staff", "password": "staff-secret-pw", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
