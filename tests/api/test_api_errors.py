"""Paths and methods the API does not have: the same JSON error shape, never an HTML page."""

from api_helpers import SUBMISSIONS_URL, assert_error, detail_url


def test_an_unknown_path_is_a_json_404(client_for, alice):
    for method in ("get", "post", "put", "delete", "options"):
        response = getattr(client_for(alice), method)("/api/v1/no-such-thing/")
        assert_error(response, 404, "not_found")
        assert response["Content-Type"] == "application/json"


def test_it_hints_at_the_missing_slash(client_for, alice):
    error = assert_error(client_for(alice).post("/api/v1/submissions", {}, format="json"), 404, "not_found")
    assert "end with '/'" in error["message"]


def test_an_unknown_method_is_405(client_for, alice, exercise, make_submission):
    submission = make_submission(alice, exercise)
    assert_error(client_for(alice).delete(detail_url(submission.id)), 405, "method_not_allowed")
    assert_error(client_for(alice).put(SUBMISSIONS_URL, {}, format="json"), 405, "method_not_allowed")
