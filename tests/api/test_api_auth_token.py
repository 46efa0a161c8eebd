"""POST /api/v1/auth/token/: a token for a username and password."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api_helpers import SUBMISSIONS_URL, TOKEN_URL, assert_error


def test_it_works(alice):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}, format="json")

    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert token == Token.objects.get(user=alice).key
    # The token is what the other endpoints accept.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(SUBMISSIONS_URL).status_code == 200


def test_it_returns_the_same_token_again(alice):
    first = APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}, format="json").json()
    second = APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}, format="json").json()
    assert first == second


def test_it_accepts_a_form_post(alice):
    # What `curl -d username=... -d password=...` sends.
    body = "username=alice&password=alice-pw"
    response = APIClient().post(TOKEN_URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}).status_code == 200  # multipart


def test_it_rejects_a_wrong_password(alice, bob):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "bob-pw"}, format="json")
    error = assert_error(response, 400, "invalid_input")
    assert error["message"] == "Unable to log in with provided credentials."
    assert error["message_zh"] == "无法使用提供的认证信息登录。"
    assert not Token.objects.exists()


def test_it_rejects_an_unknown_user(db):
    response = APIClient().post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")
    assert_error(response, 400, "invalid_input")


def test_it_rejects_an_inactive_user(alice):
    alice.is_active = False
    alice.save()
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "alice-pw"}, format="json")
    assert_error(response, 400, "invalid_input")


def test_it_rejects_missing_fields(db):
    error = assert_error(APIClient().post(TOKEN_URL, {"username": "alice"}, format="json"), 400, "invalid_input")
    assert error["fields"]["password"][0]["code"] == "required"


def test_it_rejects_malformed_json(db):
    response = APIClient().post(TOKEN_URL, data=b'{"username": ', content_type="application/json")
    assert_error(response, 400, "malformed_json")


def test_it_rejects_a_nul_in_the_username(db):
    # Refused by validation, never sent to the database (PostgreSQL would raise).
    response = APIClient().post(TOKEN_URL, {"username": "al\x00ice", "password": "x"}, format="json")
    assert_error(response, 400, "invalid_input")


def test_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(SUBMISSIONS_URL)
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"
