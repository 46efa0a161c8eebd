"""Celery tasks of the reports: id-only, idempotent, thin (the work is in review.services).

Mutation analysis: `mutation_report_prepare` (on "default": generating mutants
runs no student code) creates the rows, then one `mutant_grade` per row on
"grading" at the regrade priority, below every live submission, so an analysis
never makes a student wait longer than one mutant's grading.
Similarity runs no student code and stays on "default", with its own time
limit (hundreds of submissions take longer than one grading may).
"""

from celery import shared_task
from django.conf import settings

from grader.tasks import REGRADE_PRIORITY

GRADING_QUEUE = "grading"
SIMILARITY_SOFT_TIME_LIMIT = 280
SIMILARITY_TIME_LIMIT = 300


@shared_task(name="review.tasks.mutation_report_prepare", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def mutation_report_prepare(mutation_report_id: int) -> int:
    from review.services.mutation import mutation_report_prepare as prepare

    pending = prepare(report_id=mutation_report_id)
    for result_id in pending:
        mutant_grade.apply_async((result_id,), queue=GRADING_QUEUE, priority=REGRADE_PRIORITY)
    return len(pending)


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
