"""A real Celery worker and beat, on the real Redis, against pytest-django's test database.

The worker and beat are subprocesses (`celery -A config worker|beat`) started
once per test module with DATABASE_URL pointing at the test database, so they see
the rows that `transaction=True` tests commit. Fast sweeper thresholds make
"a dead worker's submission is graded again" take seconds, not a minute.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]

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

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip

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


def redis_ping() -> bool:
    return subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


def redis_ensure_up(timeout: float = 10.0) -> None:
    if redis_ping():
        return
    subprocess.run(REDIS_START, check=True)
    deadline = time.monotonic() + timeout
    while not redis_ping():
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not come back")
        time.sleep(0.05)


def redis_restart_without_persistence() -> None:
    """Exactly how CI stops and starts Redis: everything in it is lost."""
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 10
    while redis_ping():
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not stop")
        time.sleep(0.02)
    redis_ensure_up()


def _database_url(db: dict) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant (the prefork children, their sandboxes)."""
    try:
        parent = psutil.Process(pid)
        victims = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for proc in victims:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(victims, timeout=5)


class CeleryStack:
    """One worker and one beat subprocess, restartable; logs under a temp dir."""

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.workdir = workdir
        self.worker = None
        self.beat = None
        self.worker_starts = 0

    def _spawn(self, name: str, argv: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        handle = open(log, "ab")
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        handle.close()
        return proc, log

    def start_worker(self, timeout: float = 60.0) -> None:
        self.worker_starts += 1
        marker = f"it{self.worker_starts}-{uuid.uuid4().hex[:6]}"
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "grading,default",
            "-l", "info", "-n", f"{marker}@%h", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        self.worker, log = self._spawn("worker", argv)
        deadline = time.monotonic() + timeout
        while f"{marker}@" not in _ready_lines(log):
            if self.worker.poll() is not None:
                raise RuntimeError(f"worker exited with {self.worker.returncode}:\n{self.tail('worker')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker not ready in {timeout} s:\n{self.tail('worker')}")
            time.sleep(0.1)

    def start_beat(self) -> None:
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
            "-s", str(self.workdir / "celerybeat-schedule"),
        ]  # fmt: skip
        self.beat, _ = self._spawn("beat", argv)

    def kill_worker(self) -> None:
        if self.worker is not None:
            _kill_tree(self.worker.pid)
            self.worker.wait(timeout=5)
            self.worker = None

    def stop(self) -> None:
        for proc in (self.worker, self.beat):
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in (self.worker, self.beat):
            if proc is None:
                continue
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            _kill_tree(proc.pid)
        self.worker = self.beat = None

    def tail(self, name: str, lines: int = 60) -> str:
        log = self.workdir / f"{name}.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _ready_lines(log: Path) -> str:
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(line for line in text.splitlines() if line.rstrip().endswith("ready."))


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
        "DATABASE_URL": _database_url(db),
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
