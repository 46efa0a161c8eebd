"""Writes: every change to grader rows goes through a function here (see DESIGN.md)."""

from .submissions import (  # noqa: F401
    SubmissionRejected,
    rate_limit_parse,
    submission_code_decode,
    submission_code_validate,
    submission_create,
)
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
