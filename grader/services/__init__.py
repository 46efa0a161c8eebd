"""Writes: every change to grader rows goes through a function here (see DESIGN.md)."""

from .submissions import SubmissionRejected, rate_limit_parse, submission_create  # noqa: F401
from .runs import (  # noqa: F401
    grading_warm_up,
    run_create,
    run_fail,
    run_release,
    run_store_report,
    runs_sweep,
    submission_claim,
    submission_grade,
    submission_store_report,
)
