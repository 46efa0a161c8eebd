"""seed_demo gives the demo students quiz attempts worth looking at, through the quiz services."""

from io import StringIO

import pytest
from django.core.management import call_command

from grades.models import Grade
from quizzes.models import Quiz, QuizAttempt

pytestmark = pytest.mark.django_db


def test_the_demo_students_have_varied_submitted_attempts_and_grades(settings):
    settings.DEBUG = True
    call_command("seed_course", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)

    attempts = list(QuizAttempt.objects.select_related("user", "quiz"))
    assert all(a.submitted_at is not None and a.results for a in attempts)
    assert "Quiz attempts submitted" in out.getvalue()
    for quiz in Quiz.objects.all():
        for n in range(1, 6):
            assert any(a.user.username == f"student{n}" and a.quiz == quiz for a in attempts)
        assert Grade.objects.filter(assignment__quiz=quiz).count() == 5
    # scores differ between students and every status appears somewhere
    assert len({a.score for a in attempts}) > 5
    assert {row["status"] for a in attempts for row in a.results} == {"correct", "partial", "incorrect", "unanswered"}

    count = len(attempts)
    call_command("seed_demo", stdout=StringIO())
    assert QuizAttempt.objects.count() == count
