"""The Celery app: `celery -A config worker -Q grading,default` / `celery -A config beat`.

All configuration is in config/settings.py (the CELERY_* names), read from the
environment there, so a worker and the web process cannot disagree.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender, **_kwargs):
    """Folders the embedded broker (a directory) and beat's schedule file need, made before use."""
    schedule = sender.conf.beat_schedule_filename
    if schedule and os.path.dirname(schedule):
        os.makedirs(os.path.dirname(schedule), exist_ok=True)
    if sender.conf.broker_url.startswith("filesystem://"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)


@worker_process_init.connect
def _warm_sandbox(**_kwargs):
    """Start this prefork child's warm sandbox now, not on the first student's submission."""
    from grader.services.runs import grading_warm_up

    grading_warm_up()


@task_prerun.connect
@task_postrun.connect
def _recycle_db_connections(**_kwargs):
    """Around each task, what Django does around each request (see CELERY_DB_REUSE_MAX)."""
    from django.db import close_old_connections

    close_old_connections()
