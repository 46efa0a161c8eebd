"""Coding submissions for the demo students: something worth looking at in the gradebook and analytics.

Each demo student gets, on a few exercises, one of four stories: right at the
first try; a known mistake (from the exercise's own mistakes/ folder), then
right hours later; a known mistake left as it is; right but after the due date.
The code is graded by the real grader, in this process (the same claim, sandbox
and store a worker uses), and the grade follows through grade_recompute. The
times are set back over the past week so that "time to first full marks"
means something; the demo's one dated assignment (cosine-similarity, due two
days ago) makes the late story late.
DEBUG only, like seed_demo: nothing here runs in production.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from courses.models import Assignment, Course
from courses.services import SAMPLE_CONTENT_DIRECTORY
from grader.models import GradingRun, Submission
from grader.services.runs import run_create, submission_grade
from grades.services import grade_submission_queued

DEMO_EXERCISES = ("cosine-similarity", "softmax", "attention", "layer-norm")
DATED_EXERCISE = "cosine-similarity"
RIGHT, MISTAKE_THEN_RIGHT, MISTAKE, LATE = range(4)


@dataclass(frozen=True)
class DemoTry:
    code: str
    hours_ago: float


def _files(slug: str) -> tuple[str, list[str]]:
    folder = SAMPLE_CONTENT_DIRECTORY / "exercises" / slug
    mistakes = sorted(Path(folder, "mistakes").glob("*.py"))
    return (folder / "solution.py").read_text(encoding="utf-8"), [path.read_text(encoding="utf-8") for path in mistakes]


def _story(number: int, position: int, right: str, mistakes: list[str], *, dated: bool) -> list[DemoTry]:
    # Spread over the class and the exercises, the same on every run.
    mistake = mistakes[(number + position) % len(mistakes)] if mistakes else right
    story = (number + position) % 4
    start = 24 * (6 - position) + 3 * number  # hours ago: older exercises first
    if story == RIGHT:
        return [DemoTry(right, start)]
    if story == MISTAKE_THEN_RIGHT:
        # On the dated exercise, fixed only after the due date: late.
        return [DemoTry(mistake, start), DemoTry(right, 10 if dated else start - 2 - number % 5)]
    if story == MISTAKE:
        return [DemoTry(mistake, start)]
    return [DemoTry(right, 2 + number)]  # LATE: after the dated exercise's due date


def _dated_assignment_ensure(course: Course, now) -> None:
    """The demo's one assignment with a due date (two days ago, 10% a day late), unless someone dated it already."""
    Assignment.objects.filter(course=course, slug=DATED_EXERCISE, due_at__isnull=True).update(
        due_at=now - timedelta(days=2), late_penalty_per_day=Decimal(10)
    )


def _submit_and_grade(*, student: AbstractBaseUser, assignment: Assignment, code: str, at) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.create(
            user=student, exercise=assignment.exercise, code=code,
            code_sha256=hashlib.sha256(code.encode("utf-8")).hexdigest(), status=Submission.Status.QUEUED,
        )  # fmt: skip
        # Handed in `at`: lateness is measured on this, before the grade is computed.
        Submission.objects.filter(pk=submission.pk).update(created_at=at)
        run = run_create(submission=submission, reason=GradingRun.Reason.FIRST)
        Submission.objects.filter(pk=submission.pk).update(current_run=run)
        grade_submission_queued(student=student.pk, assignment=assignment)
    # What a worker does with the queued run: claim, grade in the sandbox, store; the grade follows.
    submission_grade(submission_id=submission.pk)
    return submission


def demo_coding_submissions_seed(*, course: Course, students: list[AbstractBaseUser]) -> int:
    """Grade the demo stories of `students` who have no submission yet on a demo exercise; returns how many were made."""
    now = timezone.now()
    _dated_assignment_ensure(course, now)
    assignments = {
        a.slug: a
        for a in Assignment.objects.filter(course=course, slug__in=DEMO_EXERCISES, kind=Assignment.Kind.CODING)
        .select_related("exercise")
    }
    made = 0
    for position, slug in enumerate(DEMO_EXERCISES):
        assignment = assignments.get(slug)
        if assignment is None:
            continue
        right, mistakes = _files(slug)
        done = set(Submission.objects.filter(exercise=assignment.exercise).values_list("user_id", flat=True))
        for number, student in enumerate(students, start=1):
            if student.pk in done:
                continue  # a rerun creates nothing twice
            for attempt in _story(number, position, right, mistakes, dated=slug == DATED_EXERCISE):
                _submit_and_grade(
                    student=student, assignment=assignment, code=attempt.code, at=now - timedelta(hours=attempt.hours_ago)
                )
                made += 1
    return made
