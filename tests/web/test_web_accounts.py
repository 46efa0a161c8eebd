"""Logging in and out, changing the password, the lockout, and the language switch."""

import pytest
from django.test import Client, override_settings

LOGIN = "/accounts/login/"


def test_the_login_page_has_labelled_username_and_password_fields(client, db):
    page = client.get(LOGIN + "?lang=en").content.decode()
    assert '<label for="id_username">' in page and 'name="username"' in page
    assert '<label for="id_password">' in page and 'name="password"' in page
    assert "csrfmiddlewaretoken" in page


def test_a_student_logs_in_and_out(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "alice-pw-9z"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Signed in as alice" in client.get("/?lang=en").content.decode()
    assert client.get("/accounts/logout/").status_code == 405  # logging out is a POST, with CSRF
    assert client.post("/accounts/logout/")["Location"] == "/"
    assert 'href="/accounts/login/"' in client.get("/?lang=en").content.decode()


def test_login_goes_back_to_the_page_asked_for(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "alice-pw-9z", "next": "/exercises/softmax/"})
    assert response["Location"] == "/exercises/softmax/"


def test_a_wrong_password_says_so_in_the_page_language(client, alice):
    page = client.post(LOGIN + "?lang=en", {"username": "alice", "password": "nope"}).content.decode()
    assert "Please enter a correct username and password" in page
    page = client.post(LOGIN + "?lang=zh", {"username": "alice", "password": "nope"}).content.decode()
    assert "请输入一个正确的" in page


@override_settings(LOGIN_FAILURE_LIMIT=3, AXES_FAILURE_LIMIT=3)
def test_the_student_login_locks_out_after_repeated_failures_in_both_languages(client, alice):
    for _ in range(3):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    response = client.post(LOGIN, {"username": "alice", "password": "alice-pw-9z"})
    assert response.status_code == 429 and response["Retry-After"]
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "登录失败次数过多" in page
    assert "_auth_user_id" not in client.session
    # A locked-out account looks the same as an unknown one.
    for _ in range(3):
        client.post(LOGIN, {"username": "nobody", "password": "wrong"})
    assert client.post(LOGIN, {"username": "nobody", "password": "x"}).status_code == 429


def test_login_needs_its_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "alice", "password": "alice-pw-9z"}).status_code == 403


def test_a_student_changes_their_password(client, alice):
    assert client.get("/accounts/password/")["Location"].startswith(LOGIN)
    client.force_login(alice)
    response = client.post(
        "/accounts/password/",
        {"old_password": "alice-pw-9z", "new_password1": "a-much-longer-one-42", "new_password2": "a-much-longer-one-42"},
    )
    assert response["Location"] == "/accounts/password/done/"
    alice.refresh_from_db()
    assert alice.check_password("a-much-longer-one-42")
    assert "Password changed" in client.get("/accounts/password/done/?lang=en").content.decode()


def test_a_wrong_old_password_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/?lang=en",
        {"old_password": "wrong", "new_password1": "a-much-longer-one-42", "new_password2": "a-much-longer-one-42"},
    )
    assert response.status_code == 200 and "Your old password was entered incorrectly" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("alice-pw-9z")


@pytest.mark.parametrize("language, words", [("zh-hans", ["课程主页", "退出登录", "修改密码"]), ("en", ["Course home", "Log out"])])
def test_the_language_switch_uses_set_language(client, alice, language, words):
    client.force_login(alice)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    for word in words:
        assert word in page
    assert f'<html lang="{language}">' in page
