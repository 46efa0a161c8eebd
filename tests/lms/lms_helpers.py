"""Helpers shared by the LMS tests (imported, so not in conftest)."""

from decimal import Decimal

from courses.models import Assignment
from grader.code_grading import GradeReport, TestReport
from grader.models import Exercise
from grader.services import submission_claim, submission_create, submission_store_report

CODE = "import numpy as np\n\ndef softmax(x, axis=-1):\n    e = np.exp(x - x.max(axis=axis, keepdims=True))\n    return e / e.sum(axis=axis, keepdims=True)\n"


def _report(score: str) -> GradeReport:
    tests = [
        TestReport(position=1, name_en="case", name_zh="用例", passed=True, hidden=False,
                   points=Decimal(score), max_points=Decimal(10), message_en="", message_zh="")
    ]  # fmt: skip
    return GradeReport(status="graded", score=Decimal(score), max_score=Decimal(10), feedback_en="fb",
                       feedback_zh="反馈", seed=1, tests=tests, operator_detail="exit 0")  # fmt: skip


def submit_and_grade(user, exercise, score: str):
    """The grader's own path without a sandbox: submit (grade pending), claim, store a report (grade graded)."""
    submission = submission_create(user=user, exercise=exercise, code=CODE)
    claim = submission_claim(submission_id=submission.pk)
    assert claim is not None
    assert submission_store_report(submission_id=submission.pk, attempt=claim, report=_report(score))
    return submission


def course_url(course_slug: str, endpoint: str) -> str:
    return f"/api/v1/courses/{course_slug}/{endpoint}"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and error["message_zh"]
    return error


def exercise_with_assignment(chapter, slug, *, points=10, **assignment):
    exercise = Exercise.objects.create(
        slug=slug, chapter=chapter, title_en=f"Title {slug}", title_zh=f"标题 {slug}", statement_en="Write it.",
        statement_zh="写出来。", reference_solution=CODE, required_functions=["softmax"], check_suite="softmax",
        points=10,
    )  # fmt: skip
    Assignment.objects.create(course=chapter.course, slug=slug, exercise=exercise, points=points, **assignment)
    return exercise
