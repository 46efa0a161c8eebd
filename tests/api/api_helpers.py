"""Constants and small helpers shared by the API tests (imported, so not in conftest)."""

SUBMISSIONS_URL = "/api/v1/submissions/"
TOKEN_URL = "/api/v1/auth/token/"

GOOD_CODE = (
    "import numpy as np\n\n"
    "def softmax(x, axis=-1):\n"
    "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
    "    return e / e.sum(axis=axis, keepdims=True)\n"
)


def detail_url(submission_id) -> str:
    return f"{SUBMISSIONS_URL}{submission_id}/"


def assert_error(response, status, code):
    """The one error shape: {"error": {"code", "message", "message_zh", ...}}, both languages non-empty."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and error["message_zh"]
    return error
