"""A server error (DEBUG off): logged with its traceback, answered in the JSON error shape on the API."""

import json
import logging

import pytest
from django.conf import settings as django_settings
from django.test import Client

from grader.api import views as api_views
from grader.models import Submission

from api_helpers import SUBMISSIONS_URL, TOKEN_URL, assert_error


class Boom(RuntimeError):
    pass


def _explode(**kwargs):
    raise Boom("the database caught fire")


def test_an_api_500_is_json_and_logged_with_its_traceback(client_for, alice, monkeypatch, caplog):
    monkeypatch.setattr(api_views, "submission_list_for_user", _explode)
    client = client_for(alice)
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(SUBMISSIONS_URL)

    error = assert_error(response, 500, "server_error")
    assert "the database caught fire" not in json.dumps(error)  # internals stay in the log
    assert response["Content-Type"] == "application/json"
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR and record.exc_info[0] is Boom


def test_a_page_500_is_plain_text(db, monkeypatch):
    from web import views as web_views

    monkeypatch.setattr(web_views, "catalogue_for_visitor", _explode)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert "服务器内部出错" in response.content.decode()


def test_errors_are_logged_to_stderr():
    logging_config = django_settings.LOGGING
    assert logging_config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    assert logging_config["root"]["handlers"] == ["stderr"]
    # django.request (where a 500's traceback goes) reaches the root's handler.
    assert logging.getLogger("django.request").getEffectiveLevel() <= logging.ERROR
    assert not django_settings.DEBUG  # the case that matters: with DEBUG on, Django shows its own page


@pytest.mark.parametrize(
    "body",
    [
        '{"exercise": "\\ud800", "code": "x = 1"}',
        '{"exercise": "softmax-api", "code": "x = 1", "\\udfff": 1}',
        '{"exercise": "softmax-api", "code": "x = 1", "extra": ["ok", {"deep": "\\ud83d"}]}',
        '"\\ud800"',
    ],
)
def test_a_lone_surrogate_anywhere_in_the_input_is_a_400(client_for, alice, exercise, body):
    response = client_for(alice).post(SUBMISSIONS_URL, data=body.encode(), content_type="application/json")
    error = assert_error(response, 400, "not_utf8")
    assert "\\ud800" in error["message"]
    assert Submission.objects.count() == 0


def test_a_surrogate_pair_is_ordinary_text(client_for, alice, exercise):
    # "\ud83d\ude00" is one character (😀), not a lone surrogate.
    body = json.dumps({"exercise": exercise.slug, "code": "x = 1  # \U0001F600\n"}, ensure_ascii=True)
    assert "\\ud83d\\ude00" in body
    response = client_for(alice).post(SUBMISSIONS_URL, data=body.encode(), content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_lone_surrogate_in_a_login_is_a_400(db, client, field):
    data = {"username": "alice", "password": "x", field: "a\ud800"}
    body = json.dumps(data)
    response = client.post(TOKEN_URL, data=body.encode(), content_type="application/json")
    assert_error(response, 400, "not_utf8")


def test_a_browser_gets_json_not_the_browsable_api_with_debug_off(client_for, alice):
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client_for(alice).get(SUBMISSIONS_URL, HTTP_ACCEPT=browser_accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_browsable_api_exists_only_with_debug():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; import django; django.setup(); print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    root = Path(__file__).resolve().parents[2]
    renderers = {}
    for debug in ("0", "1"):
        env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "config.settings"}
        result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        renderers[debug] = result.stdout
    assert "BrowsableAPIRenderer" not in renderers["0"]
    assert "BrowsableAPIRenderer" in renderers["1"]
