"""GET /api/v1/submissions/<id>/: the result, for its owner and the course's instructors only."""

import pytest

from grader.models import Submission

from api_helpers import assert_error, detail_url


@pytest.fixture
def submission(alice, exercise, make_submission):
    return make_submission(alice, exercise)


def test_it_works(client_for, alice, submission):
    response = client_for(alice).get(detail_url(submission.id))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": submission.id,
        "exercise": "softmax-api",
        "status": "graded",
        "score": 7.5,
        "max_score": 10.0,
        "feedback": "1 of 2 tests passed.",
        "tests": [
            {"name": "case 0", "passed": True, "hidden": False, "points": 7.5, "max_points": 7.5, "message": ""},
            {
                "name": "case 1",
                "passed": False,
                "hidden": True,
                "points": 0.0,
                "max_points": 2.5,
                "message": "Values differ at [0, 1].",
            },
        ],
        "seed": str(submission.seed),
        "runs": 1,
        "created_at": body["created_at"],
        "graded_at": None,
    }
    # Numbers are JSON numbers, not the strings DRF makes of Decimals.
    assert isinstance(body["score"], float) and isinstance(body["tests"][0]["points"], float)
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]


def test_it_shows_tests_in_position_order(client_for, alice, exercise, make_submission):
    submission = make_submission(alice, exercise, tests=5)
    names = [test["name"] for test in client_for(alice).get(detail_url(submission.id)).json()["tests"]]
    assert names == [f"case {n}" for n in range(5)]


@pytest.mark.parametrize("status", [Submission.Status.QUEUED, Submission.Status.RUNNING])
def test_it_shows_no_score_until_graded(client_for, alice, exercise, make_submission, status):
    submission = make_submission(alice, exercise, status=status)
    # Even if a half-written row held numbers, a pending result shows none.
    Submission.objects.filter(pk=submission.pk).update(score=3, max_score=10)

    body = client_for(alice).get(detail_url(submission.id)).json()
    assert body["status"] == status
    assert body["score"] is None and body["max_score"] is None
    assert body["tests"] == []


def test_it_shows_a_named_failure(client_for, alice, exercise, make_submission):
    submission = make_submission(alice, exercise, status=Submission.Status.TIMEOUT)
    body = client_for(alice).get(detail_url(submission.id)).json()
    assert body["status"] == "timeout"
    assert body["score"] == 7.5


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?lang=zh", {}), ("", {"HTTP_ACCEPT_LANGUAGE": "zh"}), ("", {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"})],
)
def test_it_speaks_chinese_on_request(client_for, alice, submission, query, headers):
    body = client_for(alice).get(detail_url(submission.id) + query, **headers).json()
    assert body["feedback"] == "2 个测试中通过了 1 个。"
    assert body["tests"][1]["message"] == "[0, 1] 处的值不同。"
    assert body["tests"][1]["name"] == "测试 1"


def test_lang_overrides_accept_language(client_for, alice, submission):
    body = client_for(alice).get(detail_url(submission.id) + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh").json()
    assert body["feedback"] == "1 of 2 tests passed."
    assert body["tests"][1]["name"] == "case 1"


def test_it_falls_back_to_english_where_chinese_is_missing(client_for, alice, submission):
    Submission.objects.filter(pk=submission.pk).update(feedback_zh="")
    assert client_for(alice).get(detail_url(submission.id) + "?lang=zh").json()["feedback"] == "1 of 2 tests passed."


def test_it_rejects_an_unknown_language(client_for, alice, submission):
    assert_error(client_for(alice).get(detail_url(submission.id) + "?lang=fr"), 400, "unsupported_language")


def test_it_rejects_other_students(client_for, bob, submission):
    # A classmate gets exactly what a missing id gets, so ids do not leak.
    response = client_for(bob).get(detail_url(submission.id))
    assert_error(response, 404, "not_found")
    assert response.json() == client_for(bob).get(detail_url(submission.id + 1000)).json()


def test_it_rejects_strangers(client_for, charlie, submission):
    assert_error(client_for(charlie).get(detail_url(submission.id)), 404, "not_found")


def test_it_requires_authentication(client_for, submission):
    response = client_for(None).get(detail_url(submission.id))
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_instructor_of_the_course_may_read_it(client_for, teacher, submission):
    response = client_for(teacher).get(detail_url(submission.id))
    assert response.status_code == 200
    assert response.json()["id"] == submission.id


def test_instructor_of_another_course_may_not(client_for, other_teacher, submission):
    assert_error(client_for(other_teacher).get(detail_url(submission.id)), 404, "not_found")


def test_a_student_of_the_course_is_not_an_instructor(client_for, bob, alice, exercise, make_submission):
    # bob is enrolled in the same course, as a student: that grants nothing.
    bob_submission = make_submission(bob, exercise)
    assert_error(client_for(alice).get(detail_url(bob_submission.id)), 404, "not_found")


@pytest.mark.parametrize("suffix", ["999999/", "99999999999999999999999/", "abc/", "-1/"])
def test_unknown_ids_are_a_json_404(client_for, alice, submission, suffix):
    response = client_for(alice).get(f"/api/v1/submissions/{suffix}")
    assert_error(response, 404, "not_found")


def test_it_costs_a_fixed_number_of_queries(client_for, alice, exercise, make_submission, django_assert_max_num_queries):
    submission = make_submission(alice, exercise, tests=20)
    client = client_for(alice)
    # token, the submission (with its exercise), its test results
    with django_assert_max_num_queries(3):
        assert len(client.get(detail_url(submission.id)).json()["tests"]) == 20
