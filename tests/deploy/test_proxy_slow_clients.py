"""Slow clients against the production shape: the shipped nginx config in front of gunicorn.

gunicorn's sync workers each wait, for as long as the client takes, for one
request to arrive in full. So as many half-sent requests as there are workers
take the site down; 50 slow connections cost an attacker nothing. The proxy
(deploy/nginx/templates/autograder.conf.template, as docker-compose.yml runs
it) reads requests itself and hands gunicorn only whole ones.

Everything runs on 127.0.0.1 with its own ports and a private directory, and is
stopped at the end of the module (tests/deploy/loopback_proxy.py).
"""

import json
import time

import pytest

from tests.deploy.loopback_proxy import SERVER_NAME, LoopbackStack, SlowClients, http_get, http_request

pytestmark = pytest.mark.loopback_proxy

SLOW_CLIENTS = 50
# Issue 6: with the proxy in front, a normal request is answered within a second.
NORMAL_REQUEST_TIMEOUT = 1.0
# Whole header, then a body that never ends: nginx must hold these too.
SLOW_BODY = (
    f"POST /healthz HTTP/1.1\r\nHost: {SERVER_NAME}\r\nContent-Type: application/json\r\n"
    "Content-Length: 1000\r\n\r\n{\"exercise\": \"softmax\", \"code\": \"def softmax(x):"
).encode()
STAGES = {"header": SlowClients.HEADER, "body": SLOW_BODY}


@pytest.fixture(scope="module")
def stack(request):
    stack = LoopbackStack(workers=2)
    request.addfinalizer(stack.stop)
    stack.start()
    return stack


@pytest.fixture
def slow_clients():
    clients = SlowClients()
    yield clients
    clients.close()


def _port_and_tls(stack, scheme):
    return (stack.https_port, stack.client_tls()) if scheme == "https" else (stack.http_port, None)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("scheme", ["https", "http"])
def test_slow_clients_do_not_delay_a_normal_request_through_the_proxy(stack, slow_clients, scheme, stage):
    port, tls = _port_and_tls(stack, scheme)
    slow_clients.open(SLOW_CLIENTS, port, context=tls, prefix=STAGES[stage])

    status, _, body = http_get("127.0.0.1", port, "/healthz", timeout=NORMAL_REQUEST_TIMEOUT, context=tls)

    assert (status, body) == (200, b"ok\n")
    # Held by the proxy, not refused: the attack was really in place during the request.
    assert slow_clients.all_held_open()


def test_the_same_slow_clients_straight_at_gunicorn_take_it_down(stack, slow_clients):
    """The attack without the proxy, as the compose file used to publish gunicorn."""
    slow_clients.open(SLOW_CLIENTS, stack.gunicorn_port)

    with pytest.raises(TimeoutError):
        http_get("127.0.0.1", stack.gunicorn_port, "/healthz", timeout=NORMAL_REQUEST_TIMEOUT)

    # Once they go, the workers serve again.
    slow_clients.close()
    stack.wait_until_gunicorn_answers()


def test_one_address_holds_at_most_64_requests_in_the_proxy(stack, slow_clients):
    """Each slow body holds a buffer in nginx: past 64 from one address, the next is refused at once."""
    tls = stack.client_tls()
    slow_clients.open(64, stack.https_port, context=tls, prefix=SLOW_BODY)

    # nginx counts a connection once it has read its header; give it the moment that takes.
    status, body = _healthz_until(stack, tls, lambda status: status != 200)
    assert status == 429
    assert json.loads(body)["error"]["code"] == "too_many_connections"

    # ... and forgets them once they are gone.
    slow_clients.close()
    status, _ = _healthz_until(stack, tls, lambda status: status == 200)
    assert status == 200


def _healthz_until(stack, tls, done, tries=50):
    for _ in range(tries):
        status, _, body = http_get("127.0.0.1", stack.https_port, "/healthz", timeout=10, context=tls)
        if done(status):
            break
        time.sleep(0.1)
    return status, body


def test_https_answers_carry_hsts_for_a_year(stack):
    status, headers, _ = http_get("127.0.0.1", stack.https_port, "/healthz", timeout=10, context=stack.client_tls())
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")


def test_plain_http_is_redirected_to_https_except_the_health_check(stack):
    status, headers, _ = http_get("127.0.0.1", stack.http_port, "/courses/?lang=zh", timeout=10)
    assert status == 301
    assert headers["location"] == f"https://{SERVER_NAME}/courses/?lang=zh"

    status, headers, body = http_get("127.0.0.1", stack.http_port, "/healthz", timeout=10)
    assert (status, body) == (200, b"ok\n")
    assert "strict-transport-security" not in headers


def test_the_redirect_ignores_a_host_the_client_names(stack):
    status, headers, _ = http_request(
        "127.0.0.1", stack.http_port, "GET", "/login", timeout=10, headers={"X-Forwarded-Host": "evil.example"},
    )
    assert status == 301
    assert headers["location"] == f"https://{SERVER_NAME}/login"


SPOOFED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
    "X-Forwarded-Host": "evil.example",
    "Forwarded": "proto=https;host=evil.example",
}


def test_a_client_cannot_claim_https_through_the_proxy(stack):
    # Straight at the app, the claim would be believed (Django trusts X-Forwarded-Proto
    # with BEHIND_TLS_PROXY): which is why only the proxy may reach it.
    _, direct, _ = http_get("127.0.0.1", stack.gunicorn_port, "/healthz", timeout=10, headers=SPOOFED)
    assert "strict-transport-security" in direct

    status, headers, body = http_get("127.0.0.1", stack.http_port, "/healthz", timeout=10, headers=SPOOFED)
    assert (status, body) == (200, b"ok\n")
    assert "strict-transport-security" not in headers


def _post_submission(stack, body: bytes):
    """Unauthenticated: the app answers its own JSON 401/403, which shows the request reached it."""
    return http_request(
        "127.0.0.1", stack.https_port, "POST", "/api/v1/submissions/", timeout=10, context=stack.client_tls(),
        headers={"Content-Type": "application/json"}, body=body,
    )


def test_the_largest_submission_passes_the_proxy_and_a_larger_body_does_not(stack):
    from django.conf import settings

    # Characters outside the BMP: 4 bytes of UTF-8 each, 12 once json.dumps escapes
    # them as a surrogate pair, the most text grows in JSON (control characters aside).
    code = "😀" * (settings.SUBMISSION_MAX_BYTES // 4)
    largest = json.dumps({"exercise": "softmax", "code": code}).encode()
    status, _, body = _post_submission(stack, largest)
    assert status in (401, 403)
    assert "error" in json.loads(body)

    status, headers, body = _post_submission(stack, b" " * (256 * 1024 + 1))
    assert status == 413
    # Answered by nginx (no header of Django's), in the API's error shape.
    assert "x-frame-options" not in headers
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "request_too_large"
    assert error["message"] and error["message_zh"]


def _post_upload(stack, size):
    tls = stack.client_tls()
    body = b"x" * size
    return http_request(
        "127.0.0.1", stack.https_port, "POST", "/admin/quizzes/quiz/import/", timeout=30, context=tls,
        headers={"Content-Type": "application/octet-stream"}, body=body,
    )


def test_a_question_bank_upload_may_be_larger_than_a_submission_up_to_its_own_limit(stack):
    from quizzes.admin_import import MAX_UPLOAD_BYTES

    # Past the 256 KiB of every other URL, the admin's upload reaches Django
    # (which refuses it for want of a login and a CSRF token, not the proxy).
    status, headers, _ = _post_upload(stack, MAX_UPLOAD_BYTES + 64 * 1024)
    assert status == 403 and "x-frame-options" in headers
    status, headers, body = _post_upload(stack, 5 * 1024 * 1024 + 1)
    assert status == 413 and "x-frame-options" not in headers
    error = json.loads(body)["error"]
    assert error["code"] == "request_too_large" and "4 MiB" in error["message"] and error["message_zh"]
    # Anywhere else the limit stays 256 KiB.
    status, _, _ = _post_submission(stack, b" " * (256 * 1024 + 1))
    assert status == 413
