"""GET /api/v1/courses/<course>/grades/: the grade feed's rows, filters, cursor and query count."""

from datetime import UTC
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enrollment
from grades.models import Grade, GradeChange
from grades.services import excusal_set, grade_override
from lms.models import LmsToken
from lms.serializers import GradeFeedPageSerializer, GradeRowSerializer, StudentRefSerializer
from lti.models import LtiIdentity, PlatformRegistration

from lms_helpers import exercise_with_assignment, assert_error, course_url, submit_and_grade

pytestmark = pytest.mark.django_db

FEED = course_url("lms-course", "grades/")


def _pull(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return response.json()


def _pull_all(client, cursor=None, **params):
    """Every page from `cursor` to the end, following `next`; the rows and the last page's cursor."""
    rows, page = [], _pull(client, **({"cursor": cursor} if cursor else {}), **params)
    while True:
        rows += page["results"]
        if page["next"] is None:
            return rows, page["cursor"]
        response = client.get(page["next"])
        assert response.status_code == 200, response.content
        page = response.json()


def test_it_works(lms, course, alice, bob, teacher, exercise, exercise2):
    registration = PlatformRegistration.objects.create(
        name="Canvas", issuer="https://canvas.example", client_id="c1", auth_login_url="https://canvas.example/a",
        auth_token_url="https://canvas.example/t", keyset_url="https://canvas.example/k", course=course,
    )  # fmt: skip
    LtiIdentity.objects.create(user=alice, issuer=registration.issuer, sub="canvas-sub-alice")
    LtiIdentity.objects.create(user=bob, issuer="https://elsewhere.example", sub="not-this-course")
    submit_and_grade(alice, exercise, "7.5")  # scaled to the assignment's 20 points: 15
    grade_override(student=bob, assignment=exercise2.assignment, score=Decimal("4"), actor=teacher, reason="oral exam")

    page = _pull(lms)

    assert page["next"] is None and page["has_more"] is False and page["cursor"]
    rows = {(row["student"]["username"], row["assignment"]): row for row in page["results"]}
    alice_row = rows[("alice", "lms-softmax")]
    change = GradeChange.objects.filter(grade__user=alice).latest("sequence")
    assert alice_row == {
        "student": {"id": alice.pk, "username": "alice", "lti_sub": "canvas-sub-alice", "sis_user_id": "S-001"},
        "assignment": "lms-softmax",
        "score_given": 15.0,
        "score_maximum": 20.0,
        "activity_progress": "Completed",
        "grading_progress": "FullyGraded",
        "timestamp": change.created_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "comment": "",
        "excused": False,
        "late": False,
        "state": "graded",
        "sequence": change.sequence,
    }
    assert alice_row["timestamp"].endswith("Z") and len(alice_row["timestamp"].split(".")[1]) == 4  # 3 digits + Z
    bob_row = rows[("bob", "lms-attention")]
    assert bob_row["student"]["lti_sub"] is None  # his identity is at an LMS of no registration of this course
    assert bob_row["student"]["sis_user_id"] is None
    assert (bob_row["score_given"], bob_row["comment"]) == (4.0, "oral exam")
    # The sequence order is the order of the changes.
    assert [row["sequence"] for row in page["results"]] == sorted(row["sequence"] for row in page["results"])


def test_rows_have_the_documented_shape(lms, alice, exercise):
    submit_and_grade(alice, exercise, "5")
    page = _pull(lms)
    assert set(page) == set(GradeFeedPageSerializer().fields)
    assert set(page["results"][0]) == set(GradeRowSerializer().fields)
    assert set(page["results"][0]["student"]) == set(StudentRefSerializer().fields)


def test_pending_and_excused_grades_say_so(lms, teacher, alice, bob, exercise):
    from grader.services import submission_create

    from lms_helpers import CODE

    submission_create(user=alice, exercise=exercise, code=CODE)  # queued: the grade is pending
    excusal_set(student=bob, assignment=exercise.assignment, excused=True, actor=teacher, reason="ill")
    rows = {row["student"]["username"]: row for row in _pull(lms)["results"]}
    assert (rows["alice"]["activity_progress"], rows["alice"]["grading_progress"], rows["alice"]["score_given"]) == (
        "Submitted", "Pending", None,
    )  # fmt: skip
    assert rows["bob"]["excused"] is True and rows["bob"]["score_given"] is None and rows["bob"]["state"] == "excused"


def test_it_shows_only_the_courses_students_and_published_assignments(
    lms, course, other_course, alice, teacher, charlie, exercise, hidden_exercise, make_person
):
    from courses.models import Chapter

    submit_and_grade(alice, exercise, "5")
    grade_override(student=alice, assignment=hidden_exercise.assignment, score=Decimal(5), actor=teacher, reason="r")
    Enrollment.objects.create(user=charlie, course=course, role=Enrollment.Role.STUDENT)
    submit_and_grade(charlie, exercise, "6")
    Enrollment.objects.filter(user=charlie).delete()  # charlie left the course
    submit_and_grade(teacher, exercise, "10")  # an instructor trying the exercise
    # A grade in another course.
    other_chapter = Chapter.objects.create(course=other_course, number=1, title_en="X", title_zh="X")
    foreign = exercise_with_assignment(other_chapter, "foreign-lms")
    outsider = make_person("outsider", other_course)
    submit_and_grade(outsider, foreign, "9")

    rows = _pull(lms)["results"]
    assert [(row["student"]["username"], row["assignment"]) for row in rows] == [("alice", "lms-softmax")]


def test_the_cursor_resumes_from_the_last_page(lms, teacher, alice, bob, exercise, exercise2):
    submit_and_grade(alice, exercise, "5")
    first = _pull(lms)
    assert first["next"] is None and len(first["results"]) == 1
    # Nothing new: the same cursor again, no rows, and it stays resumable.
    again = _pull(lms, cursor=first["cursor"])
    assert again == {"results": [], "cursor": first["cursor"], "next": None, "has_more": False}
    submit_and_grade(bob, exercise2, "10")
    grade_override(student=alice, assignment=exercise.assignment, score=Decimal("1"), actor=teacher, reason="copied")
    later = _pull(lms, cursor=again["cursor"])
    assert [(row["student"]["username"], row["score_given"]) for row in later["results"]] == [("bob", 10.0), ("alice", 1.0)]


def test_pages_follow_next_and_each_change_appears_once(lms, course, make_person, exercise):
    students = [make_person(f"s{i:02d}", course) for i in range(12)]
    for student in students:
        submit_and_grade(student, exercise, "5")
    rows, cursor = _pull_all(lms, page_size=5)
    assert len(rows) == 12 and len({row["sequence"] for row in rows}) == 12
    first = _pull(lms, page_size=5)
    assert first["has_more"] is True and "cursor=" in first["next"] and "page_size=5" in first["next"]
    assert _pull(lms, cursor=cursor)["results"] == []


def test_filters(lms, teacher, alice, bob, exercise, exercise2):
    submit_and_grade(alice, exercise, "5")
    submit_and_grade(bob, exercise2, "5")
    assert {row["student"]["username"] for row in _pull(lms, assignment="lms-attention")["results"]} == {"bob"}
    assert {row["assignment"] for row in _pull(lms, student=alice.pk)["results"]} == {"lms-softmax"}
    assert _pull(lms, student=999999)["results"] == []
    GradeChange.objects.filter(grade__user=alice).update(created_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert {row["student"]["username"] for row in _pull(lms, changed_since=since)["results"]} == {"bob"}


@pytest.mark.parametrize(
    "params, code",
    [
        ({"cursor": "not-a-cursor"}, "invalid_input"),
        ({"cursor": "-5"}, "invalid_input"),
        ({"cursor": "1" * 19}, "invalid_input"),
        ({"student": "alice"}, "invalid_input"),
        ({"changed_since": "yesterday"}, "invalid_input"),
        ({"page_size": "0"}, "invalid_input"),
        ({"page_size": "1001"}, "invalid_input"),
    ],
)
def test_bad_parameters_get_a_clear_400(lms, hidden_exercise, alice, exercise, params, code):
    submit_and_grade(alice, exercise, "5")
    before = list(Grade.objects.values_list("sequence", flat=True))
    assert_error(lms.get(FEED, params), 400, code)
    assert list(Grade.objects.values_list("sequence", flat=True)) == before


@pytest.mark.parametrize("slug", ["no-such-assignment", "lms-unpublished"])
def test_an_unknown_assignment_is_not_found(lms, hidden_exercise, exercise, slug):
    assert_error(lms.get(FEED, {"assignment": slug}), 404, "unknown_assignment")


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def class_of_30(course, make_person, exercise, exercise2, teacher):
    for i in range(15):
        student = make_person(f"q{i:02d}", course)
        submit_and_grade(student, exercise, "5")
        grade_override(student=student, assignment=exercise2.assignment, score=Decimal(3), actor=teacher, reason="r")
    # The token has been used within the minute: no last-use write inside what is counted.
    LmsToken.objects.update(last_used_at=timezone.now())


@pytest.mark.parametrize(
    "endpoint, query",
    [("grades/", {}), ("grades/", {"assignment": "lms-softmax"}), ("assignments/", {}), ("roster/", {})],
)
def test_query_count_is_constant_in_the_page_size(lms, course, class_of_30, endpoint, query):
    url = course_url(course.slug, endpoint)
    small = _queries(lms, url, {**query, "page_size": 2})
    large = _queries(lms, url, {**query, "page_size": 200})
    assert small == large
    # token (1) + page (1), plus the assignment filter's check, or a paginator's count.
    expected = {"grades/": 2 + bool(query), "assignments/": 3, "roster/": 3}[endpoint]
    assert large == expected


def test_last_use_is_recorded_at_most_once_a_minute(lms, course, alice, exercise):
    submit_and_grade(alice, exercise, "5")
    assert LmsToken.objects.get().last_used_at is None
    with CaptureQueriesContext(connection) as first:
        lms.get(FEED)
    used = LmsToken.objects.get().last_used_at
    assert used is not None and any(q["sql"].startswith("UPDATE") for q in first.captured_queries)
    with CaptureQueriesContext(connection) as second:
        lms.get(FEED)
    assert not any(q["sql"].startswith("UPDATE") for q in second.captured_queries)
    assert LmsToken.objects.get().last_used_at == used
    LmsToken.objects.update(last_used_at=used - timedelta(minutes=2))
    lms.get(FEED)
    assert LmsToken.objects.get().last_used_at > used - timedelta(minutes=2)
