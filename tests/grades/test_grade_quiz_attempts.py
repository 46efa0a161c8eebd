"""A quiz assignment's grade comes from the student's submitted attempts, by the same service."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import Assignment, Excusal
from grades.models import Grade, GradeChange, GradeState
from grades.services import grade_recompute, grades_recompute_for_assignment
from quizzes.models import Question, Quiz, QuizAttempt


@pytest.fixture
def quiz(course):
    return Quiz.objects.create(course=course, slug="grades-quiz", title_en="Quiz", title_zh="测验")


@pytest.fixture
def quiz_assignment(course, quiz):
    return Assignment.objects.create(
        course=course, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz, points=10,
        due_at=timezone.now() - timedelta(days=1, hours=1), late_penalty_per_day=10,
    )  # fmt: skip


def _attempt(quiz, user, score, *, submitted_at=None):
    return QuizAttempt.objects.create(
        quiz=quiz, user=user, score=Decimal(score), max_score=Decimal(4),
        submitted_at=submitted_at or timezone.now(),
    )  # fmt: skip


def test_an_attempt_not_yet_submitted_counts_for_nothing(quiz, quiz_assignment, alice):
    QuizAttempt.objects.create(quiz=quiz, user=alice)

    grade = grade_recompute(student=alice, assignment=quiz_assignment, cause=GradeChange.Cause.GRADED)

    assert (grade.state, grade.score, grade.source_attempt) == (GradeState.NOT_SUBMITTED, None, None)


def test_the_best_submitted_attempt_counts_scaled_to_the_assignment_with_its_late_penalty(
    quiz, quiz_assignment, alice
):
    on_time = _attempt(quiz, alice, "2", submitted_at=quiz_assignment.due_at - timedelta(hours=1))
    _attempt(quiz, alice, "1")

    grade = grade_recompute(student=alice, assignment=quiz_assignment, cause=GradeChange.Cause.GRADED)

    assert (grade.state, grade.score, grade.late, grade.source_attempt) == (
        GradeState.GRADED, Decimal("5.000"), False, on_time,
    )  # fmt: skip
    late_best = _attempt(quiz, alice, "4")
    grade = grade_recompute(student=alice, assignment=quiz_assignment, cause=GradeChange.Cause.GRADED)
    # 4/4 of 10 points, two days (or part) late at 10% a day
    assert (grade.score, grade.late, grade.source_attempt) == (Decimal("8.000"), True, late_best)
    assert grade.source_submission is None and grade.source_run is None


def test_excused_wins_and_recompute_for_the_assignment_reaches_every_attempter(
    quiz, quiz_assignment, alice, bob, teacher
):
    _attempt(quiz, alice, "4")
    _attempt(quiz, bob, "2")
    Excusal.objects.create(assignment=quiz_assignment, user=bob, excused_by=teacher)

    grades_recompute_for_assignment(assignment=quiz_assignment, cause=GradeChange.Cause.GRADED)

    states = dict(Grade.objects.filter(assignment=quiz_assignment).values_list("user__username", "state"))
    assert states == {"alice": GradeState.GRADED, "bob": GradeState.EXCUSED}


def test_a_quiz_assignment_needs_its_quiz_and_no_exercise(course, quiz, exercise):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(course=course, slug="no-quiz", kind=Assignment.Kind.QUIZ)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(course=course, slug="both", kind=Assignment.Kind.QUIZ, quiz=quiz, exercise=exercise)


def test_a_question_validates_its_item(quiz):
    from django.core.exceptions import ValidationError

    question = Question(
        quiz=quiz, key="q1", type="single_choice", points=1, prompt_zh="哪个？", prompt_en="Which?",
        explanation_zh="见 2.1。", explanation_en="See 2.1.",
        body={"options": [{"key": "a", "text": {"zh": "甲", "en": "A"}, "correct": False}]},
    )  # fmt: skip
    with pytest.raises(ValidationError):
        question.full_clean()
    question.body["options"].append({"key": "b", "text": {"zh": "乙", "en": "B"}, "correct": True})
    question.full_clean()
    assert question.to_item().option("b").correct
