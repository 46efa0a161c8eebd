"""Two courses, alpha and beta, with their staff; a finished mutation report and a similarity report on alpha.

The report rows are made here as a worker would leave them, so the admin tests
need no sandbox; the pipeline that writes them is tested through a real worker
in tests/integration/test_review_tasks.py.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise, Submission
from review.models import MutantResult, MutationReport, SimilarityReport, SimilarPair

User = get_user_model()

SOFTMAX = """import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)
"""


@dataclass
class Side:
    course: Course
    exercise: Exercise
    assignment: Assignment
    instructor: User
    assistant: User
    student: User


def side(name: str, *, slug: str | None = None) -> Side:
    course = Course.objects.create(slug=f"{name}-course", title_en=name, title_zh=name)
    chapter = Chapter.objects.create(course=course, number=1, title_en="ch", title_zh="章")
    exercise = Exercise.objects.create(
        slug=slug or f"{name}-softmax", chapter=chapter, title_en="Softmax", title_zh="Softmax",
        statement_en="Write softmax.", statement_zh="写 softmax。", reference_solution=SOFTMAX,
        starter_code="import numpy as np\n\n\ndef softmax(x, axis=-1):\n    raise NotImplementedError\n",
        required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    assignment = Assignment.objects.create(
        course=course, slug=exercise.slug, exercise=exercise, points=exercise.points, published=False
    )
    instructor = User.objects.create_user(username=f"{name}-teacher", is_staff=True)
    Enrollment.objects.create(user=instructor, course=course, role=Enrollment.Role.INSTRUCTOR)
    assistant = User.objects.create_user(username=f"{name}-ta", is_staff=True)
    Enrollment.objects.create(user=assistant, course=course, role=Enrollment.Role.TEACHING_ASSISTANT)
    student = User.objects.create_user(username=f"{name}-student")
    Enrollment.objects.create(user=student, course=course)
    return Side(course, exercise, assignment, instructor, assistant, student)


@pytest.fixture
def alpha(db):
    return side("alpha")


@pytest.fixture
def beta(db):
    return side("beta")


def finished_report(exercise, *, survivors=("aaa111", "bbb222"), killed=("ccc333",), known_wrong=None) -> MutationReport:
    """A report as the worker leaves it: `known_wrong` maps a file name to its outcome."""
    report = MutationReport.objects.create(exercise=exercise, seed=1, status=MutationReport.Status.RUNNING)
    rows = []
    for mutant_id in survivors:
        rows.append((mutant_id, MutantResult.Kind.MUTANT, MutantResult.Outcome.SURVIVED))
    for mutant_id in killed:
        rows.append((mutant_id, MutantResult.Kind.MUTANT, MutantResult.Outcome.KILLED))
    for name, outcome in (known_wrong or {}).items():
        rows.append((name, MutantResult.Kind.KNOWN_WRONG, outcome))
    MutantResult.objects.bulk_create(
        MutantResult(
            report=report, position=position, kind=kind, mutant_id=mutant_id, outcome=outcome,
            description=f"line 6: changed {mutant_id}", diff=f"-    old {mutant_id}\n+    new {mutant_id}\n",
            source=SOFTMAX, status="graded", score="10/10" if outcome == "survived" else "0/10",
        )  # fmt: skip
        for position, (mutant_id, kind, outcome) in enumerate(rows)
    )
    MutationReport.objects.filter(pk=report.pk).update(total=len(rows))
    from review.services.mutation import mutation_report_finish

    mutation_report_finish(report_id=report.pk)
    report.refresh_from_db()
    return report


def similarity_report(exercise, students) -> tuple[SimilarityReport, SimilarPair]:
    first, second = (
        Submission.objects.create(user=user, exercise=exercise, code=f"# by {user.username}\n" + SOFTMAX, code_sha256="0" * 64)
        for user in students
    )
    report = SimilarityReport.objects.create(
        exercise=exercise, threshold=0.8, status=SimilarityReport.Status.DONE, submissions=2, pairs_total=1, pairs_done=1
    )
    pair = SimilarPair.objects.create(
        report=report, first=first, second=second, first_similarity=1.0, second_similarity=0.9, similarity=1.0,
        shared_tokens=50, first_spans=[[0, 10]], second_spans=[[0, 10]],
    )  # fmt: skip
    return report, pair
