"""Helpers shared by the grades tests (imported, so not in conftest): grading without a sandbox."""

from decimal import Decimal

from grader.code_grading import GradeReport, TestReport
from grader.services import submission_claim, submission_store_report

CODE = "import numpy as np\n\ndef softmax(x, axis=-1):\n    return np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)\n"


def report(score: str, *, status="graded") -> GradeReport:
    half = Decimal(score) / 2
    tests = [
        TestReport(position=i, name_en=f"case {i}", name_zh=f"用例 {i}", passed=half == 5, hidden=i == 2,
                   points=half, max_points=Decimal(5), message_en="", message_zh="")
        for i in (1, 2)
    ]  # fmt: skip
    return GradeReport(status=status, score=Decimal(score), max_score=Decimal(10), feedback_en="fb",
                       feedback_zh="反馈", seed=1, tests=tests, operator_detail="exit 0")  # fmt: skip


def grade_pending_run(submission, score: str, **kwargs) -> None:
    """What a worker does: claim the submission's pending run and store a report on it."""
    claim = submission_claim(submission_id=submission.pk)
    assert claim is not None, "nothing to claim"
    assert submission_store_report(submission_id=submission.pk, attempt=claim, report=report(score, **kwargs))
