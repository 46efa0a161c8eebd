"""POST /api/v1/submissions/: what is accepted, and every way a submission is turned away.

Each refusal must be a clear 4xx in the one error shape and must store nothing.
"""

import hashlib
import json
from datetime import timedelta

import pytest

from django.utils import timezone

from courses.models import Assignment
from grader.models import Submission

from api_helpers import GOOD_CODE, SUBMISSIONS_URL, assert_error, detail_url

MAX = 64 * 1024


def post_json(client, payload):
    return client.post(SUBMISSIONS_URL, data=json.dumps(payload), content_type="application/json")


def post_raw(client, body: bytes, content_type="application/json"):
    return client.post(SUBMISSIONS_URL, data=body, content_type=content_type)


# --- accepted ----------------------------------------------------------------------


def test_it_works(client_for, alice, exercise, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_json(client_for(alice), {"exercise": exercise.slug, "code": GOOD_CODE})

    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get()
    assert body == {
        "id": submission.id,
        "exercise": exercise.slug,
        "status": "queued",
        "created_at": body["created_at"],
    }
    assert response["Location"].endswith(detail_url(submission.id))
    assert submission.user == alice
    assert submission.code == GOOD_CODE
    assert submission.code_sha256 == hashlib.sha256(GOOD_CODE.encode()).hexdigest()
    assert submission.status == Submission.Status.QUEUED
    assert 0 <= submission.seed < 2**63
    # Grading is enqueued once, and only after commit (not run here: no worker in these tests).
    assert len(callbacks) == 1

def test_a_submit_costs_a_fixed_number_of_queries(client_for, alice, exercise, django_assert_max_num_queries):
    client = client_for(alice)
    assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    # The token; the exercise; the student's row locked; the assignment with the student's enrollment
    # and extension; the rate limit's count; the submission, its run and its current run; the grade's
    # row locked. Plus the savepoint pair of the test's transaction.
    with django_assert_max_num_queries(11):
        assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201



def test_it_keeps_the_code_exactly(client_for, alice, exercise):
    # Leading and trailing whitespace is part of a Python file; nothing may strip it.
    code = "\n\n  # 注释 ünïcode\ndef softmax(x, axis=-1):\n\treturn x\n\n   "
    response = post_json(client_for(alice), {"exercise": exercise.slug, "code": code})
    assert response.status_code == 201
    assert Submission.objects.get().code == code


def test_it_accepts_exactly_64_kib(client_for, alice, exercise):
    code = "#" * (MAX - 1) + "\n"
    response = post_json(client_for(alice), {"exercise": exercise.slug, "code": code})
    assert response.status_code == 201, response.content


def test_it_accepts_a_utf8_bom_and_charset(client_for, alice, exercise):
    body = "\ufeff".encode() + json.dumps({"exercise": exercise.slug, "code": GOOD_CODE}).encode()
    response = post_raw(client_for(alice), body, content_type="application/json; charset=utf-8")
    assert response.status_code == 201, response.content


def test_instructor_may_submit_past_the_attempt_limit(client_for, teacher, exercise):
    Assignment.objects.filter(exercise=exercise).update(attempt_limit=1)
    client = client_for(teacher)
    for _ in range(2):
        assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201


# --- who may submit ----------------------------------------------------------------


def test_it_requires_authentication(client_for, exercise):
    response = post_json(client_for(None), {"exercise": exercise.slug, "code": GOOD_CODE})
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert Submission.objects.count() == 0


def test_it_rejects_a_bad_token(client_for, exercise):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    response = post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE})
    assert_error(response, 401, "authentication_failed")
    assert Submission.objects.count() == 0


def test_it_rejects_strangers(client_for, charlie, exercise):
    error = assert_error(post_json(client_for(charlie), {"exercise": exercise.slug, "code": GOOD_CODE}), 403, "not_enrolled")
    assert exercise.slug in error["message"]
    assert Submission.objects.count() == 0


def test_it_rejects_an_exercise_of_another_course(client_for, alice, foreign_exercise):
    assert_error(post_json(client_for(alice), {"exercise": foreign_exercise.slug, "code": GOOD_CODE}), 403, "not_enrolled")
    assert Submission.objects.count() == 0


# --- the exercise --------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["no-such-exercise", "bad slug!", "nul\x00", "x" * 500])
def test_it_rejects_an_unknown_exercise(client_for, alice, exercise, slug):
    error = assert_error(post_json(client_for(alice), {"exercise": slug, "code": GOOD_CODE}), 404, "unknown_exercise")
    assert "exercise" in error["message"]
    assert Submission.objects.count() == 0


def test_it_rejects_a_closed_exercise(client_for, alice, closed_exercise):
    assert_error(post_json(client_for(alice), {"exercise": closed_exercise.slug, "code": GOOD_CODE}), 409, "exercise_closed")
    assert Submission.objects.count() == 0


# --- the code ------------------------------------------------------------------------


def test_it_rejects_code_over_64_kib(client_for, alice, exercise):
    error = assert_error(post_json(client_for(alice), {"exercise": exercise.slug, "code": "#" * (MAX + 1)}), 413, "too_large")
    assert "65537" in error["message"] and "65536" in error["message"]
    assert Submission.objects.count() == 0


def test_it_counts_the_limit_in_utf8_bytes_not_characters(client_for, alice, exercise):
    code = "# " + "中" * 22_000  # 22,002 characters, 66,002 bytes
    assert len(code) <= MAX < len(code.encode())
    assert_error(post_json(client_for(alice), {"exercise": exercise.slug, "code": code}), 413, "too_large")
    assert Submission.objects.count() == 0


def test_it_rejects_a_lone_surrogate(client_for, alice, exercise):
    # json.dumps writes it as the escape \ud800: valid JSON, but no UTF-8 text can hold it.
    body = json.dumps({"exercise": exercise.slug, "code": "x = '\ud800'\n"})
    assert "\\ud800" in body
    assert_error(post_raw(client_for(alice), body.encode()), 400, "not_utf8")
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("bad_bytes", [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xe4\xb8"])
def test_it_rejects_a_body_that_is_not_utf8(client_for, alice, exercise, bad_bytes):
    body = b'{"exercise": "' + exercise.slug.encode() + b'", "code": "x = 1  # ' + bad_bytes + b'"}'
    assert_error(post_raw(client_for(alice), body), 400, "not_utf8")
    assert Submission.objects.count() == 0


def test_it_ignores_a_declared_non_utf8_charset(client_for, alice, exercise):
    # JSON is UTF-8 whatever the header says: Latin-1 bytes stay invalid.
    body = '{"exercise": "softmax-api", "code": "# café"}'.encode("latin-1")
    response = post_raw(client_for(alice), body, content_type="application/json; charset=latin-1")
    assert_error(response, 400, "not_utf8")
    assert Submission.objects.count() == 0


def test_it_rejects_a_nul_character(client_for, alice, exercise):
    assert_error(post_json(client_for(alice), {"exercise": exercise.slug, "code": "x = 1\x00"}), 400, "null_character")
    assert Submission.objects.count() == 0


def test_it_rejects_empty_code(client_for, alice, exercise):
    assert_error(post_json(client_for(alice), {"exercise": exercise.slug, "code": ""}), 400, "empty")
    assert Submission.objects.count() == 0


# --- the shape of the request ----------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "field_code"),
    [
        ({"code": GOOD_CODE}, "exercise", "required"),
        ({"exercise": "softmax-api"}, "code", "required"),
        ({}, "code", "required"),
        ({"exercise": "softmax-api", "code": 123}, "code", "invalid"),
        ({"exercise": "softmax-api", "code": 1.5}, "code", "invalid"),
        ({"exercise": "softmax-api", "code": ["def softmax(x): pass"]}, "code", "invalid"),
        ({"exercise": "softmax-api", "code": {"src": "x"}}, "code", "invalid"),
        ({"exercise": "softmax-api", "code": True}, "code", "invalid"),
        ({"exercise": "softmax-api", "code": None}, "code", "null"),
        ({"exercise": ["softmax-api"], "code": GOOD_CODE}, "exercise", "invalid"),
        ({"exercise": 7, "code": GOOD_CODE}, "exercise", "invalid"),
        ([{"exercise": "softmax-api", "code": GOOD_CODE}], "non_field_errors", "invalid"),
        ("softmax-api", "non_field_errors", "invalid"),
    ],
)
def test_it_rejects_missing_fields_and_wrong_types(client_for, alice, exercise, payload, field, field_code):
    error = assert_error(post_json(client_for(alice), payload), 400, "invalid_input")
    assert field_code in [item["code"] for item in error["fields"][field]]
    for item in error["fields"][field]:
        assert item["message"] and item["message_zh"]
    assert Submission.objects.count() == 0


def test_validation_errors_are_bilingual(client_for, alice, exercise):
    error = assert_error(post_json(client_for(alice), {"exercise": exercise.slug}), 400, "invalid_input")
    assert error["fields"]["code"] == [
        {"code": "required", "message": "This field is required.", "message_zh": "该字段是必填项。"}
    ]
    assert error["message"] == "code: This field is required."


@pytest.mark.parametrize(
    "body",
    [
        b'{"exercise": "softmax-api", "code": ',
        b"{'exercise': 'softmax-api'}",
        b'{"exercise": "softmax-api", "code": NaN}',
        b'{"exercise": "softmax-api", "code": "x"} trailing',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"n": ' + b"9" * 10_000 + b"}",
    ],
    ids=["truncated", "single-quotes", "nan", "trailing", "deep-nesting", "huge-integer"],
)
def test_it_rejects_malformed_json(client_for, alice, exercise, body):
    assert_error(post_raw(client_for(alice), body), 400, "malformed_json")
    assert Submission.objects.count() == 0


def test_it_rejects_a_body_over_the_request_limit(client_for, alice, exercise, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(client_for(alice), {"exercise": exercise.slug, "code": "#" * 2000})
    assert_error(response, 413, "request_too_large")
    assert Submission.objects.count() == 0


def test_it_accepts_only_json(client_for, alice, exercise):
    response = client_for(alice).post(SUBMISSIONS_URL, {"exercise": exercise.slug, "code": GOOD_CODE})  # multipart
    assert_error(response, 415, "unsupported_media_type")
    assert Submission.objects.count() == 0


# --- limits ----------------------------------------------------------------------------


def test_it_enforces_the_exercise_attempt_limit(client_for, alice, bob, exercise, other_exercise):
    Assignment.objects.filter(exercise=exercise).update(attempt_limit=2)
    client = client_for(alice)
    for _ in range(2):
        assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201

    error = assert_error(post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}), 409, "attempt_limit")
    assert "2" in error["message"]
    assert Submission.objects.count() == 2
    # Per student and per exercise: bob and another exercise are unaffected.
    assert post_json(client_for(bob), {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    assert post_json(client, {"exercise": other_exercise.slug, "code": GOOD_CODE}).status_code == 201


def test_it_applies_the_default_attempt_limit(client_for, alice, exercise, settings):
    settings.SUBMISSION_DEFAULT_ATTEMPT_LIMIT = 1
    client = client_for(alice)
    assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    assert_error(post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}), 409, "attempt_limit")
    assert Submission.objects.count() == 1


def test_the_exercise_limit_overrides_the_default(client_for, alice, exercise, settings):
    settings.SUBMISSION_DEFAULT_ATTEMPT_LIMIT = 1
    Assignment.objects.filter(exercise=exercise).update(attempt_limit=3)
    client = client_for(alice)
    for _ in range(3):
        assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    assert_error(post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}), 409, "attempt_limit")


def test_a_grader_failure_does_not_cost_an_attempt(client_for, alice, exercise, make_submission):
    Assignment.objects.filter(exercise=exercise).update(attempt_limit=1)
    make_submission(alice, exercise, status=Submission.Status.INTERNAL_ERROR)
    assert post_json(client_for(alice), {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201


def test_it_enforces_the_rate_limit(client_for, alice, bob, exercise, other_exercise, settings):
    settings.SUBMISSION_RATE_LIMIT = "2/m"
    client = client_for(alice)
    assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    assert post_json(client, {"exercise": other_exercise.slug, "code": GOOD_CODE}).status_code == 201

    # Across exercises: the limit is per student.
    response = post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE})
    error = assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert error["retry_after"] == int(response["Retry-After"])
    assert Submission.objects.count() == 2
    # Another student has a budget of their own.
    assert post_json(client_for(bob), {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201


def test_the_rate_limit_window_slides(client_for, alice, exercise, make_submission, settings):
    settings.SUBMISSION_RATE_LIMIT = "1/m"
    old = make_submission(alice, exercise)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    assert post_json(client_for(alice), {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201

    recent = Submission.objects.order_by("-created_at").first()
    Submission.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(seconds=45))
    response = post_json(client_for(alice), {"exercise": exercise.slug, "code": GOOD_CODE})
    assert_error(response, 429, "rate_limited")
    # The slot frees when the 45-second-old submission is a minute old.
    assert 14 <= int(response["Retry-After"]) <= 16


def test_the_attempt_limit_is_reported_before_the_rate_limit(client_for, alice, exercise, settings):
    settings.SUBMISSION_RATE_LIMIT = "1/m"
    Assignment.objects.filter(exercise=exercise).update(attempt_limit=1)
    client = client_for(alice)
    assert post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}).status_code == 201
    # Waiting would not help, so the student is told so rather than to wait.
    assert_error(post_json(client, {"exercise": exercise.slug, "code": GOOD_CODE}), 409, "attempt_limit")


def test_rejections_do_not_enqueue(client_for, charlie, exercise, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_json(client_for(charlie), {"exercise": exercise.slug, "code": GOOD_CODE})
    assert callbacks == []

