"""Helpers for the students' pages tests (imported, so not in conftest): a worker's store, without a sandbox."""

from decimal import Decimal

from grader.code_grading import GradeReport, TestReport
from grader.services import submission_claim, submission_store_report

WEIGHTS = {"expected": [[0.88, 0.12], [0.5, 0.5]], "actual": [[0.5, 0.5], [0.5, 0.5]], "rtol": 1e-6, "atol": 1e-9}


def report(score: str, *, max_score: str = "10", message: str = "", hidden_data: dict | None = None) -> GradeReport:
    """Two tests: a visible one (with attention weights drawn from WEIGHTS) and a hidden one."""
    half = Decimal(max_score) / 2
    passed = Decimal(score) == Decimal(max_score)
    tests = [
        TestReport(position=1, name_en="visible case", name_zh="公开用例", passed=passed, hidden=False,
                   points=half if passed else Decimal(0), max_points=half, message_en=message or "wrong weights",
                   message_zh=message or "权重不对", visible_data=WEIGHTS),
        TestReport(position=2, name_en="hidden case", name_zh="隐藏用例", passed=passed, hidden=True,
                   points=Decimal(score) if not passed else half, max_points=half, message_en="hidden hint",
                   message_zh="隐藏提示", visible_data=hidden_data or {}),
    ]  # fmt: skip
    return GradeReport(status="graded", score=Decimal(score), max_score=Decimal(max_score), feedback_en="feedback",
                       feedback_zh="反馈", seed=1, tests=tests)  # fmt: skip


def grade_pending(submission, score: str, **kwargs) -> None:
    """What a worker does: claim the submission's pending run and store a report on it."""
    claim = submission_claim(submission_id=submission.pk)
    assert claim is not None, "nothing to claim"
    assert submission_store_report(submission_id=submission.pk, attempt=claim, report=report(score, **kwargs))
