"""An assignment's slug and course are its exercise's (or quiz's): what LTI launches, the LMS feed
and the content loader look it up by. Admin refuses anything else, clearly, and stores nothing."""

import pytest
from django.core.exceptions import ValidationError

from courses.models import Assignment, Course
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


def _add_form(exercise, course, slug):
    # Unpublished, as a new assignment starts: publishing waits for a self-check (tests/reports).
    return {
        "course": course.pk, "slug": slug, "kind": "coding", "exercise": exercise.pk, "points": "10",
        "attempt_limit": "", "grade_policy": "best",
        "late_penalty_per_day": "0", "late_penalty_cap": "100",
        "extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0",
        "excusals-TOTAL_FORMS": "0", "excusals-INITIAL_FORMS": "0",
    }  # fmt: skip


def test_admin_refuses_a_slug_other_than_the_exercises(admin_client, course, exercise):
    response = admin_client.post("/admin/courses/assignment/add/", _add_form(exercise, course, "my-softmax"))
    assert response.status_code == 200
    assert f"Must be &#x27;{exercise.slug}&#x27;" in response.content.decode()
    assert not Assignment.objects.exists()

    response = admin_client.post("/admin/courses/assignment/add/", _add_form(exercise, course, exercise.slug))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Assignment.objects.get().slug == exercise.slug


def test_admin_refuses_an_exercise_of_another_course(admin_client, exercise):
    other = Course.objects.create(slug="other-course", title_en="Other", title_zh="其他")
    response = admin_client.post("/admin/courses/assignment/add/", _add_form(exercise, other, exercise.slug))
    assert response.status_code == 200
    assert "belongs to another course" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_quiz_assignment_takes_its_quizs_slug(course):
    quiz = Quiz.objects.create(course=course, slug="week-1", title_en="Week 1", title_zh="第一周")
    wrong = Assignment(course=course, slug="week-one", kind=Assignment.Kind.QUIZ, quiz=quiz, points=5)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert "slug" in refused.value.message_dict
    Assignment(course=course, slug="week-1", kind=Assignment.Kind.QUIZ, quiz=quiz, points=5).full_clean()

