"""Celery tasks of the reports: id-only, idempotent, thin (the work is in review.services).

Mutation analysis: `mutation_report_prepare` (on "default": generating mutants
runs no student code) creates the rows, then one `mutant_grade` per row on
"grading" at the regrade priority, below every live submission, so an analysis
never makes a student wait longer than one mutant's grading.
Similarity runs no student code and stays on "default", with its own time
limit (hundreds of submissions take longer than one grading may).
`sweep_mutants` (beat, every SWEEP_INTERVAL seconds, on "default") sends again
what a lost message or a dead worker left pending.
"""

import logging

from celery import shared_task
from django.conf import settings

from grader.tasks import REGRADE_PRIORITY

logger = logging.getLogger(__name__)

GRADING_QUEUE = "grading"
SIMILARITY_SOFT_TIME_LIMIT = 280
SIMILARITY_TIME_LIMIT = 300


@shared_task(name="review.tasks.mutation_report_prepare", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def mutation_report_prepare(mutation_report_id: int) -> int:
    from review.services.mutation import mutation_report_prepare as prepare

    pending = prepare(report_id=mutation_report_id)
    for result_id in pending:
        mutant_grade_enqueue(result_id)
    return len(pending)


def mutant_grade_enqueue(mutant_result_id: int) -> None:
    mutant_grade.apply_async((mutant_result_id,), queue=GRADING_QUEUE, priority=REGRADE_PRIORITY)


def mutation_sweep_dispatch(result) -> dict:
    """Send what a sweep found (review.services.mutation_sweep): each row to grade, each report to prepare."""
    from review.services.mutation_sweep import mutation_sweep_summary

    for result_id in result.resend:
        mutant_grade_enqueue(result_id)
    for report_id in result.prepare:
        mutation_report_prepare.delay(report_id)
    summary = mutation_sweep_summary(result)
    if result.resend or result.prepare or result.closed:
        logger.warning("mutation sweep: %s", summary)
    return summary


@shared_task(name="review.tasks.sweep_mutants", ignore_result=True)
def sweep_mutants() -> dict:
    """Send again the mutation work a lost message or a dead worker left pending; close what is out of claims."""
    from review.services.mutation_sweep import mutations_sweep

    return mutation_sweep_dispatch(mutations_sweep())


@shared_task(
    name="review.tasks.mutant_grade",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.GRADING_SOFT_TIME_LIMIT,
    time_limit=settings.GRADING_TIME_LIMIT,
)
def mutant_grade(mutant_result_id: int) -> str:
    """Grade one mutant of a report through the sandbox. Safe to deliver twice: the row's claim lets one through."""
    from review.services.mutation import mutant_result_grade

    return mutant_result_grade(result_id=mutant_result_id)


@shared_task(
    name="review.tasks.similarity_report_run",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SIMILARITY_SOFT_TIME_LIMIT,
    time_limit=SIMILARITY_TIME_LIMIT,
)
def similarity_report_run(similarity_report_id: int) -> str:
    from review.services.similarity import similarity_report_run as run

    return run(report_id=similarity_report_id)
