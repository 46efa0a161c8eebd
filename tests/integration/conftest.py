"""A real Celery worker and beat, on the real Redis, against pytest-django's test database.

The worker and beat are subprocesses (`celery -A config worker|beat`) started
once per test module with DATABASE_URL pointing at the test database, so they see
the rows that `transaction=True` tests commit. Fast sweeper thresholds make
"a dead worker's submission is graded again" take seconds, not a minute.
"""

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

from tests.stack import (  # noqa: F401 - redis_restart_without_persistence: for the tests
    Stack,
    celery_beat_argv,
    database_url,
    redis_ensure_up,
    redis_restart_without_persistence,
)

# What the worker and beat get on top of the test process's environment.
FAST_ENV = {
    "GRADING_SOFT_TIME_LIMIT": "8",
    "GRADING_TIME_LIMIT": "10",
    "SWEEP_INTERVAL": "1",
    "SWEEP_QUEUED_AFTER": "3",
    "SWEEP_RUNNING_AFTER": "11",
    "WORKER_CONCURRENCY": "2",
    "DATABASE_CONN_MAX_AGE": "0",
    "GRADING_MAX_RETRIES": "2",
}

CORRECT_SOFTMAX = '''\
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)
'''


def slow_softmax(seconds: float) -> str:
    """A correct softmax that sleeps once, at import, so a grade takes `seconds` longer."""
    return f"import time\ntime.sleep({seconds})\n" + CORRECT_SOFTMAX


class CeleryStack:
    """One worker and one beat, restartable (tests kill the worker); the processes are tests.stack's."""

    def __init__(self, env: dict, workdir: Path):
        self.processes = Stack(env, workdir)
        self.workdir = workdir
        self.worker_starts = 0

    @property
    def worker(self):
        return self.processes.procs.get("worker")

    def start_worker(self, timeout: float = 60.0) -> None:
        self.worker_starts += 1
        # A node name of its own: the log line that says this start is ready, not an earlier one.
        self.processes.start_worker("worker", node=f"it{self.worker_starts}-{uuid.uuid4().hex[:6]}", timeout=timeout)

    def start_beat(self) -> None:
        self.processes.start("beat", celery_beat_argv(self.workdir / "celerybeat-schedule"))

    def kill_worker(self) -> None:
        self.processes.kill("worker")

    def stop(self) -> None:
        self.processes.stop(timeout=15)

    def tail(self, name: str, lines: int = 60) -> str:
        return self.processes.tail(name, lines)


# Module scope: the processes live only while the tests that need them run,
# not beside the rest of the suite.
@pytest.fixture(scope="module")
def celery_stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real worker and beat. Fails (with the reason) without PostgreSQL and Redis: a pipeline test that did not run must not pass as skipped."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.fail("integration tests need DATABASE_URL=postgres://… (make test sets it)")
    if not settings.REDIS_URL:
        pytest.fail("integration tests need REDIS_URL=redis://… (make test sets it)")
    if shutil.which("redis-cli") is None or shutil.which("redis-server") is None:
        pytest.fail("integration tests need redis-server and redis-cli on PATH")
    redis_ensure_up()

    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    workdir = tmp_path_factory.mktemp("celery")
    env = {
        **os.environ,
        **FAST_ENV,
        # settings.DATABASES now names the test database pytest-django created.
        "DATABASE_URL": database_url(db),
        "REDIS_URL": settings.REDIS_URL,
        "BEAT_SCHEDULE_PATH": str(workdir / "celerybeat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL_FILE", None)
    stack = CeleryStack(env, workdir)
    try:
        stack.start_beat()
        stack.start_worker()
        yield stack
    finally:
        stack.stop()
        redis_ensure_up()


@pytest.fixture
def redis_guard():
    """Whatever a test does to Redis, it is up again afterwards."""
    yield
    redis_ensure_up()


@pytest.fixture
def worker(celery_stack):
    """The stack, with a live worker at the start of the test (a previous test may have killed it)."""
    if celery_stack.worker is None or celery_stack.worker.poll() is not None:
        celery_stack.start_worker()
    return celery_stack


@pytest.fixture
def softmax_exercise(db):
    from courses.models import Assignment, Chapter, Course
    from grader.models import Exercise

    course = Course.objects.create(slug="it-course", title_en="Integration", title_zh="集成")
    chapter = Chapter.objects.create(course=course, number=1, title_en="Softmax", title_zh="Softmax")
    exercise = Exercise.objects.create(
        slug="it-softmax",
        chapter=chapter,
        title_en="Softmax",
        title_zh="Softmax",
        statement_en="Write softmax.",
        statement_zh="写 softmax。",
        reference_solution=CORRECT_SOFTMAX,
        required_functions=["softmax"],
        check_suite="softmax",
        points=10,
        cpu_limit_seconds=2.0,
        wall_limit_seconds=5.0,
        memory_limit_mb=512,
    )
    Assignment.objects.create(course=course, slug=exercise.slug, exercise=exercise, points=exercise.points)
    return exercise


@pytest.fixture
def student(db, softmax_exercise):
    from django.contrib.auth import get_user_model

    from courses.models import Enrollment

    user = get_user_model().objects.create_user(username="it-alice", password="it-alice")
    Enrollment.objects.create(user=user, course=softmax_exercise.chapter.course)
    return user


def wait_for(predicate, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)
