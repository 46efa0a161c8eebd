"""Courses with their people and some graded work, for the staff tests (imported, so not in conftest).

Runs and test results are stored as the grader stores them (a run per
submission, the submission pointing at its current run), grades computed by
grades.services.grade_recompute, quiz attempts with per-question results as
the quiz service writes them.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise, GradingRun, Submission
from grader.models import TestResult as ResultRow
from grades.models import GradeChange
from grades.services import grade_recompute
from quizzes.models import Question, Quiz, QuizAttempt

User = get_user_model()


@dataclass
class World:
    course: Course
    exercise: Exercise
    coding: Assignment
    quiz: Quiz
    quiz_assignment: Assignment
    instructor: User
    ta: User
    students: list = field(default_factory=list)


def _user(username, course, role):
    user = User.objects.create_user(username=username, is_staff=role != Enrollment.Role.STUDENT)
    Enrollment.objects.create(user=user, course=course, role=role)
    return user


def make_course(name: str) -> World:
    course = Course.objects.create(slug=f"{name}-course", title_en=f"{name} course", title_zh=f"{name} 课程")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    exercise = Exercise.objects.create(
        slug=f"{name}-softmax", chapter=chapter, title_en=f"{name} softmax", title_zh=f"{name} 软最大",
        reference_solution="def softmax(x):\n    return x\n", required_functions=["softmax"], check_suite="softmax",
        points=10,
    )  # fmt: skip
    coding = Assignment.objects.create(
        course=course, slug=exercise.slug, exercise=exercise, points=Decimal("10"),
        due_at=timezone.now() - timedelta(days=1), late_penalty_per_day=Decimal("10"),
    )  # fmt: skip
    quiz = Quiz.objects.create(course=course, chapter=chapter, slug=f"{name}-quiz", title_en=f"{name} quiz", title_zh="测验")
    for position, key in enumerate(("q1", "q2")):
        Question.objects.create(
            quiz=quiz, position=position, key=key, type="truefalse", points=1,
            prompt_en="?", prompt_zh="？", explanation_en=".", explanation_zh="。", body={"answer": True},
        )  # fmt: skip
    quiz_assignment = Assignment.objects.create(
        course=course, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz, points=Decimal("2")
    )
    world = World(
        course, exercise, coding, quiz, quiz_assignment,
        _user(f"{name}-teacher", course, Enrollment.Role.INSTRUCTOR),
        _user(f"{name}-ta", course, Enrollment.Role.TEACHING_ASSISTANT),
    )  # fmt: skip
    return world


def submit(world: World, student, *, score: str, at, tests: list[tuple[str, bool, str]]) -> Submission:
    """A graded submission of `student` at `at`, its run holding `tests` as (name, passed, mistake)."""
    submission = Submission.objects.create(
        user=student, exercise=world.exercise, code="def softmax(x):\n    return x\n", code_sha256="0" * 64,
        status=Submission.Status.GRADED, score=Decimal(score), max_score=Decimal("10"), graded_at=at,
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(created_at=at)
    run = GradingRun.objects.create(
        submission=submission, seed=1, suite_version="v1", status=GradingRun.Status.GRADED,
        score=Decimal(score), max_score=Decimal("10"),
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(current_run=run)
    ResultRow.objects.bulk_create(
        ResultRow(
            run=run, position=position, name_en=name, hidden=False, passed=passed, mistake=mistake,
            points=Decimal("5") if passed else Decimal("0"), max_points=Decimal("5"),
        )  # fmt: skip
        for position, (name, passed, mistake) in enumerate(tests)
    )
    grade_recompute(student=student, assignment=world.coding, cause=GradeChange.Cause.GRADED)
    return submission


def attempt(world: World, student, earned: tuple[str, str], *, at) -> QuizAttempt:
    results = [{"key": key, "status": "correct" if value == "1" else "wrong", "earned": value, "possible": "1"}
               for key, value in zip(("q1", "q2"), earned)]  # fmt: skip
    total = sum(Decimal(value) for value in earned)
    made = QuizAttempt.objects.create(
        quiz=world.quiz, user=student, responses={}, results=results, score=total, max_score=Decimal("2"), submitted_at=at
    )
    grade_recompute(student=student, assignment=world.quiz_assignment, cause=GradeChange.Cause.GRADED)
    return made


def add_students(world: World, count: int, *, start: int = 0) -> list:
    """`count` more students, each with work: alternately right on time, a known mistake, right but late."""
    now = timezone.now()
    due = world.coding.due_at
    made = []
    for number in range(start, start + count):
        student = _user(f"{world.course.slug}-s{number:02d}", world.course, Enrollment.Role.STUDENT)
        if number % 3 == 0:
            submit(world, student, score="5", at=due - timedelta(hours=5),
                   tests=[("sums to one", True, ""), ("large inputs", False, "no_max_subtraction")])  # fmt: skip
            submit(world, student, score="10", at=due - timedelta(hours=2),
                   tests=[("sums to one", True, ""), ("large inputs", True, "")])  # fmt: skip
            attempt(world, student, ("1", "1"), at=now)
        elif number % 3 == 1:
            submit(world, student, score="5", at=due - timedelta(hours=3),
                   tests=[("sums to one", True, ""), ("large inputs", False, "no_max_subtraction")])  # fmt: skip
            attempt(world, student, ("1", "0"), at=now)
        else:
            submit(world, student, score="10", at=due + timedelta(hours=2),
                   tests=[("sums to one", True, ""), ("large inputs", True, "")])  # fmt: skip
            attempt(world, student, ("0", "0"), at=now)
        made.append(student)
    world.students.extend(made)
    return made
