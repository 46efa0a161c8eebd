"""The submission rate limit is per student across courses, under real concurrent HTTP requests on PostgreSQL.

The lock used to be the enrollment row, one per course: parallel submits to
two courses each saw only their own course's lock and passed the limit
together. These requests go through a real threaded HTTP server, each on its
own database connection.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from accounts.tokens import api_token_issue
from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise, Submission
from grader.services import submissions as submissions_module

from api_helpers import GOOD_CODE, SUBMISSIONS_URL

pytestmark = pytest.mark.django_db(transaction=True)


def _exercise_in_new_course(slug):
    course = Course.objects.create(slug=f"course-{slug}", title_en=slug, title_zh=slug)
    exercise = Exercise.objects.create(
        slug=slug,
        chapter=Chapter.objects.create(course=course, number=1, title_en="1", title_zh="1"),
        title_en=slug,
        title_zh=slug,
        reference_solution=GOOD_CODE,
        required_functions=["softmax"],
        check_suite="softmax",
    )
    Assignment.objects.create(course=course, slug=slug, kind=Assignment.Kind.CODING, exercise=exercise, points=10)
    return exercise


def _post_all(url, token, bodies) -> list[int]:
    """POST every body at once (released together by a barrier); the status codes."""
    barrier = threading.Barrier(len(bodies))
    statuses = []
    lock = threading.Lock()

    def send(body):
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return statuses


def test_parallel_submits_to_two_courses_share_one_rate_limit(live_server, settings, monkeypatch, django_user_model):
    assert connection.vendor == "postgresql", "row locks need PostgreSQL: run with make test"
    monkeypatch.setattr(submissions_module, "_enqueue_grading", lambda submission_id: None)  # no broker here
    settings.SUBMISSION_RATE_LIMIT = "2/m"
    first = _exercise_in_new_course("rate-one")
    second = _exercise_in_new_course("rate-two")
    student = django_user_model.objects.create_user(username="racer", password="racer-pw")
    classmate = django_user_model.objects.create_user(username="calm", password="calm-pw")
    for user in (student, classmate):
        for exercise in (first, second):
            Enrollment.objects.create(user=user, course=exercise.chapter.course)
    token, _ = api_token_issue(user=student)

    bodies = [{"exercise": exercise.slug, "code": GOOD_CODE} for exercise in (first, second) * 4]
    statuses = _post_all(live_server.url + SUBMISSIONS_URL, token, bodies)

    assert sorted(statuses) == [201, 201] + [429] * 6
    assert Submission.objects.filter(user=student).count() == 2
    # The limit is the student's own: a classmate submitting now is not held back.
    classmate_token, _ = api_token_issue(user=classmate)
    assert _post_all(live_server.url + SUBMISSIONS_URL, classmate_token, bodies[:2]) == [201, 201]
