"""GET /api/v1/submissions/[?exercise=SLUG]: a student's own history, newest first, paginated."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grader.models import Submission

from api_helpers import SUBMISSIONS_URL, assert_error


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_it_works(client_for, alice, exercise, other_exercise, make_submission):
    first = make_submission(alice, exercise)
    second = make_submission(alice, other_exercise, status=Submission.Status.QUEUED)
    Submission.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    response = client_for(alice).get(SUBMISSIONS_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    newest, oldest = body["results"]
    assert newest == {
        "id": second.id,
        "exercise": "attention-api",
        "status": "queued",
        "score": None,
        "max_score": None,
        "created_at": newest["created_at"],
        "graded_at": None,
    }
    assert oldest["id"] == first.id
    assert oldest["score"] == 7.5 and oldest["max_score"] == 10.0
    # The history is the light shape: the per-test detail is on the result's own URL.
    assert "tests" not in oldest and "feedback" not in oldest


def test_it_filters_by_exercise(client_for, alice, exercise, other_exercise, make_submission):
    mine = [make_submission(alice, exercise) for _ in range(2)]
    make_submission(alice, other_exercise)

    assert _ids(client_for(alice).get(SUBMISSIONS_URL, {"exercise": exercise.slug})) == [s.id for s in reversed(mine)]


def test_an_empty_filter_means_no_filter(client_for, alice, exercise, other_exercise, make_submission):
    make_submission(alice, exercise)
    make_submission(alice, other_exercise)
    assert len(_ids(client_for(alice).get(SUBMISSIONS_URL + "?exercise="))) == 2


def test_it_rejects_an_unknown_exercise(client_for, alice, exercise, make_submission):
    make_submission(alice, exercise)
    for slug in ["no-such-exercise", "bad slug", "nul\x00"]:
        error = assert_error(client_for(alice).get(SUBMISSIONS_URL, {"exercise": slug}), 404, "unknown_exercise")
        assert "exercise" in error["message"]


def test_it_rejects_other_students(client_for, alice, bob, exercise, make_submission):
    # Only one's own rows, even filtered to a shared exercise.
    make_submission(alice, exercise)
    mine = make_submission(bob, exercise)
    assert _ids(client_for(bob).get(SUBMISSIONS_URL)) == [mine.id]
    assert _ids(client_for(bob).get(SUBMISSIONS_URL, {"exercise": exercise.slug})) == [mine.id]


def test_it_rejects_strangers(client_for, alice, charlie, exercise, make_submission):
    make_submission(alice, exercise)
    response = client_for(charlie).get(SUBMISSIONS_URL, {"exercise": exercise.slug})
    assert _ids(response) == [] and response.json()["count"] == 0


def test_instructors_see_only_their_own_history_here(client_for, alice, teacher, exercise, make_submission):
    make_submission(alice, exercise)
    assert _ids(client_for(teacher).get(SUBMISSIONS_URL)) == []


def test_it_requires_authentication(client_for, exercise):
    response = client_for(None).get(SUBMISSIONS_URL)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_it_paginates(client_for, alice, exercise, make_submission):
    page_size = 50  # REST_FRAMEWORK["PAGE_SIZE"]
    made = [make_submission(alice, exercise, tests=0) for _ in range(page_size + 3)]
    client = client_for(alice)

    first = client.get(SUBMISSIONS_URL).json()
    assert first["count"] == page_size + 3
    assert [item["id"] for item in first["results"]] == [s.id for s in reversed(made)][:page_size]
    assert first["next"].endswith("?page=2")
    second = client.get(SUBMISSIONS_URL, {"page": 2}).json()
    assert [item["id"] for item in second["results"]] == [made[2].id, made[1].id, made[0].id]
    assert second["next"] is None
    assert_error(client.get(SUBMISSIONS_URL, {"page": 3}), 404, "not_found")


def test_it_costs_a_fixed_number_of_queries(client_for, alice, exercise, other_exercise, make_submission, django_assert_max_num_queries):
    client = client_for(alice)

    def queries(**params):
        with CaptureQueriesContext(connection) as context:
            assert client.get(SUBMISSIONS_URL, params).status_code == 200
        return len(context)

    make_submission(alice, exercise, tests=3)
    few, few_filtered = queries(), queries(exercise=exercise.slug)
    for number in range(40):
        make_submission(alice, exercise if number % 2 else other_exercise, tests=3)

    # token, count, page (exercise joined); the filter adds the exercise lookup.
    with django_assert_max_num_queries(3):
        response = client.get(SUBMISSIONS_URL)
    assert len(response.json()["results"]) == 41
    with django_assert_max_num_queries(4):
        client.get(SUBMISSIONS_URL, {"exercise": exercise.slug})
    assert queries() == few and queries(exercise=exercise.slug) == few_filtered
