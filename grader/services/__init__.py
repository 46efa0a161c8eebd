"""Writes: every change to grader rows goes through a function here (see DESIGN.md)."""

from .submissions import SubmissionRejected, rate_limit_parse, submission_create  # noqa: F401
from .grading import (  # noqa: F401
    grading_warm_up,
    submission_claim,
    submission_fail,
    submission_grade,
    submission_release,
    submission_store_report,
    submissions_sweep,
)
