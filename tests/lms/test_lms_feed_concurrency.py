"""The feed while grades change: nothing committed during a pull is missed, nothing is seen twice.

These tests commit (transaction=True) and change grades from other threads,
each with its own database connection, through the real grade service
(grade_override → grade_recompute, which takes the sequence number under a
lock held to commit). The reader is the HTTP endpoint with an LMS token.
"""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from grades.models import Grade
from grades.services import grade_override

from lms_helpers import course_url, submit_and_grade

pytestmark = pytest.mark.django_db(transaction=True)

FEED = course_url("lms-course", "grades/")


def _page(client, url=None, **params):
    response = client.get(url or FEED, None if url else params)
    assert response.status_code == 200, response.content
    return response.json()


def _in_thread(target):
    """Run `target` in a thread with its own connection, closed when it ends; errors are re-raised by join()."""
    errors = []

    def run():
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join(timeout=20):
        thread.join(timeout)
        assert not thread.is_alive(), "a writer thread hung"
        if errors:
            raise errors[0]

    thread.join_checked = join
    return thread


@pytest.fixture
def graded_class(course, make_person, exercise, teacher):
    students = [make_person(f"c{i:02d}", course) for i in range(10)]
    for student in students:
        submit_and_grade(student, exercise, "5")
    return students


def test_a_change_committed_while_a_client_pages_is_seen_on_its_next_pull(lms, graded_class, exercise, teacher):
    first = _page(lms, page_size=3)
    delivered = list(first["results"])
    already_seen, not_yet_seen = graded_class[0], graded_class[9]

    holding, release = threading.Event(), threading.Event()

    def slow_change():
        # A grade change whose transaction stays open: it holds the next sequence number, uncommitted.
        with transaction.atomic():
            grade_override(student=already_seen, assignment=exercise.assignment, score=Decimal(1), actor=teacher, reason="a")
            holding.set()
            assert release.wait(20)

    def quick_change():
        grade_override(student=not_yet_seen, assignment=exercise.assignment, score=Decimal(2), actor=teacher, reason="b")

    slow = _in_thread(slow_change)
    assert holding.wait(10)
    quick = _in_thread(quick_change)
    time.sleep(0.3)
    # The second change waits for the first to commit: it cannot take a number and commit before it.
    assert quick.is_alive()

    page = first
    while page["next"]:
        page = _page(lms, page["next"])
        delivered += page["results"]
    assert [row["student"]["username"] for row in delivered] == [s.username for s in graded_class]
    assert all(row["score_given"] == 10.0 for row in delivered)  # 5 of 10, on 20 points: nothing changed yet

    release.set()
    slow.join_checked()
    quick.join_checked()

    later = _page(lms, cursor=page["cursor"])
    assert [(row["student"]["username"], row["score_given"]) for row in later["results"]] == [
        (already_seen.username, 1.0),
        (not_yet_seen.username, 2.0),
    ]
    assert _page(lms, cursor=later["cursor"])["results"] == []


def test_a_client_pulling_while_grades_change_ends_with_every_grade_as_it_is(lms, graded_class, exercise, teacher):
    rng = random.Random(7)
    plan = [(rng.choice(graded_class), Decimal(rng.randint(0, 20))) for _ in range(40)]

    def writer():
        for student, score in plan:
            grade_override(student=student, assignment=exercise.assignment, score=score, actor=teacher, reason="w")
            time.sleep(0.005)

    thread = _in_thread(writer)
    seen, cursor, pulls = [], None, 0
    while thread.is_alive() and pulls < 2000:
        pulls += 1
        page = _page(lms, **({"cursor": cursor} if cursor else {}), page_size=4)
        seen += page["results"]
        cursor = page["cursor"]
    thread.join_checked()
    while True:  # the last pull, after every change committed
        page = _page(lms, cursor=cursor, page_size=4)
        seen += page["results"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break

    sequences = [row["sequence"] for row in seen]
    assert sequences == sorted(set(sequences)), "a change was delivered twice or out of order"
    last_seen = {}
    for row in seen:
        last_seen[row["student"]["username"]] = (row["sequence"], row["score_given"])
    current = {
        username: (sequence, float(score))
        for username, sequence, score in Grade.objects.values_list("user__username", "sequence", "score")
    }
    assert last_seen == current
