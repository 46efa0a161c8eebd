"""The precheck task: id-only and idempotent (the claim lets one delivery through), on the "grading" queue."""

from celery import shared_task

from web.services import precheck_run

# Same urgency as a live submission: a student is waiting for both.
PRECHECK_PRIORITY = 0


@shared_task(name="web.tasks.precheck_run", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def precheck_run_task(precheck_id: int) -> str:
    return precheck_run(precheck_id=precheck_id)


def precheck_enqueue(precheck_id: int) -> None:
    precheck_run_task.apply_async((precheck_id,), priority=PRECHECK_PRIORITY)
