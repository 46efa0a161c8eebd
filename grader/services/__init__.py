"""Writes: every change to grader rows goes through a function here (see DESIGN.md)."""

from .submissions import (  # noqa: F401
    SubmissionRejected,
    rate_limit_parse,
    submission_code_decode,
    submission_code_validate,
    submission_create,
)
from .grading import (  # noqa: F401
    grading_warm_up,
    submission_claim,
    submission_fail,
    submission_grade,
    submission_release,
    submission_store_report,
    submissions_sweep,
)
