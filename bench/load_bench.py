#!/usr/bin/env python3
"""`make bench`: the submission pipeline under load, over loopback HTTP.

It starts its own gunicorn and Celery worker on PostgreSQL + Redis (DATABASE_URL,
REDIS_URL; `make bench` points them at a database and a Redis db of its own),
creates demo students with API tokens, then measures, in one run:

  idle    30 sequential submissions: submit → graded, p50 / p95, both as the
          client saw it (POST; a one-row status read on the bench's own
          database connection every 2 ms, standing in for a push; then one
          GET of the result) and as the server recorded it (graded_at −
          created_at). Not a GET every 5 ms: that load on the same two cores
          was much of what "idle" measured (see phase_idle);
  burst   600 submissions from 60 students at once: graded per second, and a
          check that every one was graded exactly once (status, full marks,
          one claim, one set of per-test rows);
  alone   grade_code alone (no web, no broker), one process per worker
          slot, in the same run: graded per second and the warm grade p50,
          cold and warm, and their ratio;
  regrade 2,000 graded submissions regraded (manage.py regrade's service,
          fanned out at low priority) while students keep submitting: their
          server-side submit → graded p95 against idle, and the regrade's
          rate against the burst's;
  cpu     during the burst, the CPU each part of the path spent per graded
          submission (gunicorn, the worker with its sandboxes, PostgreSQL,
          Redis, this client), beside grading alone's CPU per grade; and the
          floor of the architecture on the same processes: an authenticated
          API request that finds nothing (a 404) and a Celery task that does
          nothing, each in CPU per call;
  memory  the worker's RSS (main process, prefork children, their sandboxes)
          before and after; `--soak N` grades N more and prints RSS as it goes.

Targets on a 2-core machine: idle p50 ≤ 100 ms, p95 ≤ 250 ms; burst ≥ 40/s,
all graded exactly once; the whole path ≥ 0.6× grading alone (graded/s);
idle server-side p50 ≤ 2× the warm grade p50; during the regrade, live p95
≤ 3× idle and the regrade ≥ 0.5× the burst rate; warm grading ≥ 10× cold;
worker memory flat over 10,000.
Everything binds to 127.0.0.1; every wait is bounded; the processes it starts
are stopped when it ends, however it ends.
"""

import argparse
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.stack import (  # noqa: E402 - needs ROOT on sys.path
    Stack,
    celery_worker_argv,
    gunicorn_argv,
    percentile,
    server_cpu_seconds,
    tree_cpu_seconds,
)
PY = sys.executable
FINAL = {"graded", "error", "timeout", "memory_limit", "output_limit", "crashed", "internal_error"}
EXERCISE = "softmax"


def log(message: str) -> None:
    print(message, flush=True)


# --- processes -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- HTTP ------------------------------------------------------------------------


class Api:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, *, token: str | None = None, body: dict | None = None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def submit(self, token: str, code: str) -> int:
        status, body = self.call("POST", "/api/v1/submissions/", token=token, body={"exercise": EXERCISE, "code": code})
        if status != 201:
            raise RuntimeError(f"submit failed: {status} {body}")
        return body["id"]


def wait_http(api: Api, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = api.call("GET", "/api/v1/submissions/", timeout=2)
            if status in (200, 401, 403):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the web server did not come up")


# --- database side -----------------------------------------------------------------


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist yet."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def final_count(ids: list[int]) -> int:
    from grader.models import Submission

    return Submission.objects.filter(pk__in=ids, status__in=FINAL).count()


def wait_final(ids: list[int], timeout: float, interval: float = 0.05) -> float:
    """Seconds until every id is final (raises past `timeout`)."""
    start = time.monotonic()
    while final_count(ids) < len(ids):
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"only {final_count(ids)} of {len(ids)} graded after {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start


def verify_exactly_once(ids: list[int], max_score) -> dict:
    from django.db.models import Count

    from grader.models import Submission

    rows = (
        Submission.objects.filter(pk__in=ids)
        .select_related("current_run")
        .annotate(n_tests=Count("runs__test_results"), n_runs=Count("runs", distinct=True))
    )
    problems = []
    test_counts = set()
    claims = []
    for sub in rows:
        claims.append(sub.current_run.claim_count)
        if sub.n_runs != 1:
            problems.append(f"#{sub.pk}: {sub.n_runs} runs")
        test_counts.add(sub.n_tests)
        if sub.status != "graded" or sub.score != max_score or sub.graded_at is None:
            problems.append(f"#{sub.pk}: {sub.status} {sub.score}")
    if len(claims) != len(ids):
        problems.append(f"{len(ids) - len(claims)} rows missing")
    if len(test_counts) != 1:
        problems.append(f"per-test row counts differ: {sorted(test_counts)}")
    return {
        "graded_full_marks": len(ids) - len(problems),
        "problems": problems[:10],
        "max_claims": max(claims, default=0),
        "tests_per_submission": sorted(test_counts),
    }


# --- phases ---------------------------------------------------------------------------


def _status_reader():
    """A cheap read of one submission's status on its own connection: how the idle client learns it is graded."""
    import psycopg
    from django.db import connection

    from tests.stack import database_url

    conn = psycopg.connect(database_url(connection.settings_dict), autocommit=True)

    def status(submission_id: int) -> str | None:
        row = conn.execute("SELECT status FROM grader_submission WHERE id = %s", (submission_id,)).fetchone()
        return row[0] if row else None

    return conn, status


def phase_idle(api: Api, token: str, code: str, n: int, poll: float) -> dict:
    """One submission at a time: POST, wait until it is final, GET the result, pause.

    The wait is a one-row status read on the bench's own database connection
    every `poll` s, standing in for a push to the client, and the result is then
    read once over HTTP. This phase used to GET the API every 5 ms instead: in
    a run with per-process CPU accounting, those requests cost gunicorn and
    PostgreSQL about 55 ms of CPU per submission against the grading worker's
    22 ms, on the same two cores, so "idle" measured the polling as much as the
    path, and no real client polls that fast.
    """
    from grader.models import Submission

    client_ms = []
    ids = []
    conn, status_of = _status_reader()
    try:
        for _ in range(n):
            started = time.perf_counter()
            submission_id = api.submit(token, code)
            # Long enough for the sweeper to re-send a message lost to a Redis restart.
            deadline = time.monotonic() + 60
            while status_of(submission_id) not in FINAL:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"submission {submission_id} not graded in 60 s")
                time.sleep(poll)
            status, body = api.call("GET", f"/api/v1/submissions/{submission_id}/", token=token)
            if status != 200 or body["status"] not in FINAL:
                raise RuntimeError(f"submission {submission_id}: {status} {body}")
            client_ms.append((time.perf_counter() - started) * 1000)
            ids.append(submission_id)
            time.sleep(0.1)  # idle: nothing else in flight
    finally:
        conn.close()
    server_ms = [
        (graded - created).total_seconds() * 1000
        for created, graded in Submission.objects.filter(pk__in=ids).values_list("created_at", "graded_at")
    ]
    return {
        "n": n,
        "client_p50_ms": percentile(client_ms, 50),
        "client_p95_ms": percentile(client_ms, 95),
        "server_p50_ms": percentile(server_ms, 50),
        "server_p95_ms": percentile(server_ms, 95),
        "ids": ids,
    }


def submit_burst(api: Api, tokens: list[str], code: str, per_student: int) -> tuple[list[int], float, list[str]]:
    ids, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens))

    def student(token):
        barrier.wait()
        for _ in range(per_student):
            try:
                submission_id = api.submit(token, code)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                ids.append(submission_id)

    threads = [threading.Thread(target=student, args=(token,)) for token in tokens]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return ids, started, errors


def phase_burst(api: Api, tokens: list[str], code: str, per_student: int, max_score, stack: Stack) -> dict:
    from django.db.models import Max, Min

    from grader.models import Submission

    meter = CpuMeter(stack)
    meter.start()
    ids, started, errors = submit_burst(api, tokens, code, per_student)
    submitted_in = time.monotonic() - started
    wait_final(ids, timeout=600)
    client_seconds = time.monotonic() - started
    cpu = meter.stop()
    span = Submission.objects.filter(pk__in=ids).aggregate(first=Min("created_at"), last=Max("graded_at"))
    server_seconds = (span["last"] - span["first"]).total_seconds()
    return {
        "submitted": len(ids),
        "submit_errors": errors[:5],
        "submitted_in_s": submitted_in,
        "client_seconds": client_seconds,
        "server_seconds": server_seconds,
        "graded_per_s_client": len(ids) / client_seconds,
        "graded_per_s_server": len(ids) / server_seconds,
        "cpu_ms_per_submission": {part: seconds / max(1, len(ids)) * 1000 for part, seconds in cpu.items()},
        "check": verify_exactly_once(ids, max_score),
    }


class CpuMeter:
    """CPU seconds spent by each part of the stack between start() and stop()."""

    PARTS = ("web", "worker", "postgresql", "redis", "client")

    def __init__(self, stack: Stack):
        self.stack = stack

    def read(self) -> dict:
        import psutil

        return {
            "web": self.stack.cpu_seconds("web"),
            "worker": self.stack.cpu_seconds("worker"),
            "postgresql": server_cpu_seconds("postgres"),
            "redis": server_cpu_seconds("redis-server"),
            # This process alone: the stack's processes are its children.
            "client": sum(psutil.Process().cpu_times()[:2]),
        }

    def start(self) -> None:
        self.before = self.read()

    def stop(self) -> dict:
        after = self.read()
        return {part: after[part] - self.before[part] for part in self.PARTS}


def _worker_settled(stack: Stack, quiet_ms: float = 5.0, timeout: float = 60.0) -> None:
    """Wait until the worker's CPU stops moving (its queue is drained)."""
    deadline = time.monotonic() + timeout
    last = stack.cpu_seconds("worker")
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = stack.cpu_seconds("worker")
        if (now - last) * 1000 < quiet_ms:
            return
        last = now
    raise RuntimeError("the worker did not settle")


def phase_floor(api: Api, token: str, stack: Stack, n: int = 200) -> dict:
    """What the architecture costs before our code does anything, in CPU ms per call, on the same processes.

    request: an authenticated API request that finds nothing (the middleware,
    DRF, the token lookup and one query for a submission that does not exist,
    then a 404), one at a time;
    task: a Celery task that does nothing (celery.accumulate) sent to the
    grading queue from here and run by the worker.
    """
    from config.celery import app

    meter = CpuMeter(stack)
    meter.start()
    for _ in range(n):
        status, _ = api.call("GET", "/api/v1/submissions/2147483647/", token=token)
        if status != 404:
            raise RuntimeError(f"floor request: {status}")
    request = meter.stop()
    _worker_settled(stack)
    meter.start()
    for _ in range(n):
        app.send_task("celery.accumulate", args=(1,), queue="grading")
    _worker_settled(stack)
    task = meter.stop()
    return {
        "n": n,
        "request_ms": {part: seconds / n * 1000 for part, seconds in request.items() if part != "client"},
        "task_ms": {part: seconds / n * 1000 for part, seconds in task.items() if part != "client"},
    }


def _cpu_line(per_item_ms: dict) -> str:
    return ", ".join(f"{part} {ms:.1f}" for part, ms in per_item_ms.items()) + f" (total {sum(per_item_ms.values()):.1f} ms)"


def _grade_one(args):
    exercise_id, code, seed, cold = args
    from grader.code_grading import grade_code
    from grader.models import Exercise

    exercise = _grade_one.cache.get(exercise_id)
    if exercise is None:
        exercise = _grade_one.cache[exercise_id] = Exercise.objects.get(pk=exercise_id)
    started = time.perf_counter()
    report = grade_code(exercise=exercise, code=code, seed=seed, cold=cold)
    return report.status, report.score, time.perf_counter() - started


_grade_one.cache = {}


def phase_sandbox_only(exercise, code: str, n: int, processes: int) -> dict:
    """grade_code alone (no web, no broker), one process per core: cold, then warm, same processes."""
    import multiprocessing

    from django.db import connections

    import psutil

    connections.close_all()  # a forked child must open its own
    ctx = multiprocessing.get_context("fork")
    figures = {}
    me = psutil.Process()
    with concurrent.futures.ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
        for mode, cold in (("cold", True), ("warm", False)):
            # Load Django and the exercise (and, warm, start each process's pool) first.
            list(pool.map(_grade_one, [(exercise.pk, code, s, cold) for s in range(processes * 2)]))
            count = n if cold else n * 10
            cpu_before = sum(tree_cpu_seconds(child) for child in me.children())
            started = time.perf_counter()
            results = list(pool.map(_grade_one, [(exercise.pk, code, 1000 + s, cold) for s in range(count)]))
            elapsed = time.perf_counter() - started
            cpu = sum(tree_cpu_seconds(child) for child in me.children()) - cpu_before
            figures[mode] = {
                "n": count,
                "processes": processes,
                "graded_full_marks": sum(1 for st, score, _ in results if st == "graded" and score == exercise.points),
                "per_s": count / elapsed,
                "mean_ms": statistics.mean(seconds for _, _, seconds in results) * 1000,
                "p50_ms": percentile([seconds * 1000 for _, _, seconds in results], 50),
                # The pool processes and their sandboxes (children reaped included).
                "cpu_ms_per_grade": cpu / count * 1000,
            }
    return figures


def _regrade_backlog(exercise, code: str, count: int, usernames: list[str]) -> list[int]:
    """`count` submissions graded under older checks, written directly (grading them first would take minutes)."""
    import hashlib

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from grader.models import GradingRun, Submission, new_seed

    users = list(get_user_model().objects.filter(username__in=usernames))
    now = timezone.now()
    result = {"status": "graded", "score": exercise.points, "max_score": exercise.points, "feedback_en": "old",
              "feedback_zh": "旧", "graded_at": now}  # fmt: skip
    sha = hashlib.sha256(code.encode()).hexdigest()
    submissions = Submission.objects.bulk_create(
        [Submission(user=users[i % len(users)], exercise=exercise, code=code, code_sha256=sha, seed=new_seed(), **result)
         for i in range(count)],
        batch_size=500,
    )  # fmt: skip
    runs = GradingRun.objects.bulk_create(
        [GradingRun(submission=s, seed=s.seed, suite_version="bench-older-checks", queued_at=now, finished_at=now,
                    claim_count=1, **{k: v for k, v in result.items() if k != "graded_at"}) for s in submissions],
        batch_size=500,
    )  # fmt: skip
    for submission, run in zip(submissions, runs):
        submission.current_run = run
    Submission.objects.bulk_update(submissions, ["current_run"], batch_size=500)
    return [s.pk for s in submissions]


def phase_regrade(api: Api, tokens: list[str], code: str, exercise, count: int, live_students: int, per_student: int) -> dict:
    """Regrade `count` submissions (the service behind `manage.py regrade --outdated`) while students submit."""
    from django.db.models import Max, Min

    from grader.models import GradingRun, Submission
    from grader.services.regrades import regrade_request_create, regrade_scope

    usernames = [f"student{i}" for i in range(1, len(tokens) + 1)]
    _regrade_backlog(exercise, code, count, usernames)
    plan = regrade_request_create(
        submissions=regrade_scope(exercise=exercise, outdated=True), exercise=exercise, scope="bench",
        requested_by=None, reason="bench",
    )  # fmt: skip
    request = plan.request
    live_ids: list[int] = []
    lock = threading.Lock()

    def student(token):
        for _ in range(per_student):
            submission_id = api.submit(token, code)
            with lock:
                live_ids.append(submission_id)
            wait_final([submission_id], timeout=60, interval=0.01)
            time.sleep(0.2)

    # Let the fan-out put the backlog in the queue first: students then arrive behind it.
    time.sleep(1.0)
    threads = [threading.Thread(target=student, args=(token,)) for token in tokens[-live_students:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    regrade_runs = GradingRun.objects.filter(regrade_request=request)
    deadline = time.monotonic() + 900
    while regrade_runs.filter(status__in=["queued", "running"]).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the regrade did not finish in 900 s")
        time.sleep(0.2)
    span = regrade_runs.aggregate(first=Min("queued_at"), last=Max("finished_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    regraded = regrade_runs.filter(status="graded", score=exercise.points).count()
    problems = [] if (plan.queued, regraded) == (count, count) else [f"queued {plan.queued}, regraded {regraded}"]
    live_ms = [
        (graded - created).total_seconds() * 1000
        for created, graded in Submission.objects.filter(pk__in=live_ids).values_list("created_at", "graded_at")
    ]
    return {
        "queued": plan.queued,
        "regraded": regraded,
        "seconds": seconds,
        "regraded_per_s": regraded / seconds,
        "live_n": len(live_ms),
        "live_server_p50_ms": percentile(live_ms, 50),
        "live_server_p95_ms": percentile(live_ms, 95),
        "problems": problems,
    }


def phase_soak(api, tokens, code, total, stack, batch=600) -> list[tuple[int, float, int]]:
    per_student = max(1, batch // len(tokens))
    done = 0
    samples = [(0, *stack.rss_mb("worker"))]
    log(f"  soak: {total} submissions in batches of {per_student * len(tokens)}")
    while done < total:
        ids, _, errors = submit_burst(api, tokens, code, per_student)
        if errors:
            raise RuntimeError(f"soak submit errors: {errors[:3]}")
        wait_final(ids, timeout=600)
        done += len(ids)
        rss, procs = stack.rss_mb("worker")
        samples.append((done, rss, procs))
        log(f"  soak: {done:>6} graded, worker RSS {rss:7.1f} MB over {procs} processes")
    return samples


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=30, help="sequential submissions (default 30)")
    parser.add_argument("--students", type=int, default=60, help="students in the burst (default 60)")
    parser.add_argument("--per-student", type=int, default=10, help="submissions each in the burst (default 10)")
    parser.add_argument("--cold", type=int, default=30, help="cold-sandbox-alone gradings (default 30)")
    parser.add_argument("--regrade", type=int, default=2000, help="graded submissions to regrade (default 2000)")
    parser.add_argument("--live-students", type=int, default=3, help="students submitting during the regrade (default 3)")
    parser.add_argument("--live-per-student", type=int, default=10, help="their submissions each (default 10)")
    parser.add_argument("--soak", type=int, default=0, help="then grade this many more, sampling worker RSS")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker concurrency (default: cores)")
    parser.add_argument("--web", type=int, default=3, help="gunicorn processes (default 3)")
    parser.add_argument("--poll-ms", type=float, default=2, help="idle phase: interval of the client's status read")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--any-database", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()

    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            parser.error(f"{name} must be set (the bench measures PostgreSQL + Redis; `make bench` sets both)")
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must be PostgreSQL")
    for bound in (args.idle, args.students, args.per_student, args.cold, args.regrade, args.live_students,
                  args.live_per_student):  # fmt: skip
        if not 1 <= bound <= 10_000:
            parser.error("counts must be between 1 and 10000")
    if not 0 <= args.soak <= 100_000:
        parser.error("--soak must be at most 100000")

    import dj_database_url

    # It deletes every submission and empties the Redis db: never on a database that matters.
    database_name = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
    if "bench" not in database_name and not args.any_database:
        parser.error(f"database {database_name!r}: the bench deletes all submissions, so its name must contain 'bench'")
    ensure_database(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The burst is 60 students × 10 at once: far past the classroom rate limit.
        "SUBMISSION_RATE_LIMIT": "",
        "SUBMISSION_DEFAULT_ATTEMPT_LIMIT": "0",
        "WORKER_CONCURRENCY": str(args.workers),
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SUBMISSION_RATE_LIMIT")})
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_course"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    setup_django()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from courses.models import Assignment
    from grader.models import Exercise, Submission

    if not get_user_model().objects.filter(username=f"student{args.students}").exists():
        log(f"creating {args.students} demo students")
        subprocess.run(
            [*manage, "seed_demo", "--students", str(args.students)], cwd=ROOT, env={**env, "DEBUG": "1"}, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    exercise = Exercise.objects.select_related("chapter").get(slug=EXERCISE)
    Assignment.objects.filter(exercise=exercise).update(
        attempt_limit=None, opens_at=None, closes_at=None, due_at=None, published=True
    )
    code = exercise.reference_solution
    # Each run starts from an empty queue and no old submissions.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    Submission.objects.all().delete()
    from grades.models import Grade

    Grade.objects.all().delete()

    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    for old in logdir.glob("*.log"):
        old.unlink()
    port = free_port()
    stack = Stack({**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(args.web), "WEB_ACCESS_LOG": "0"}, logdir)
    figures: dict = {"machine": {"cores": os.cpu_count()}, "workers": args.workers, "web_processes": args.web}
    try:
        stack.start("web", gunicorn_argv())
        # Quiet (warning): an info line per task would cost the worker CPU during the measurement;
        # the warm-up submissions below are what says it is ready.
        worker_argv = celery_worker_argv("bench", loglevel="warning")
        worker = stack.start("worker", worker_argv)
        # The sweeper too: a Redis restart (another test on a shared machine) loses queued messages.
        stack.start("beat", [PY, "-m", "celery", "-A", "config", "beat", "-l", "warning",
                             "-s", str(logdir / "celerybeat-schedule")])  # fmt: skip
        api = Api(f"http://127.0.0.1:{port}")
        wait_http(api, timeout=60)
        log(f"web on http://127.0.0.1:{port}, worker concurrency {args.workers}")

        users = [f"student{i}" for i in range(1, args.students + 1)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda u: api.call("POST", "/api/v1/auth/token/", body={"username": u, "password": u}), users))
        bad = [reply for reply in replies if reply[0] != 200]
        if bad:
            raise RuntimeError(f"token requests failed: {bad[:3]}")
        tokens = [body["token"] for _, body in replies]

        # Warm: every prefork child has started its sandbox and the web processes have loaded.
        warm = [api.submit(tokens[i % len(tokens)], code) for i in range(args.workers * 4)]
        wait_final(warm, timeout=120)
        if worker.poll() is not None:
            raise RuntimeError("the worker died during warm-up")
        figures["worker_rss_start_mb"], figures["worker_processes"] = stack.rss_mb("worker")

        log(f"idle: {args.idle} sequential submissions …")
        idle = phase_idle(api, tokens[0], code, args.idle, args.poll_ms / 1000)
        figures["idle"] = {k: v for k, v in idle.items() if k != "ids"}
        log(
            f"  submit→graded  client p50 {idle['client_p50_ms']:.1f} ms, p95 {idle['client_p95_ms']:.1f} ms | "
            f"server p50 {idle['server_p50_ms']:.1f} ms, p95 {idle['server_p95_ms']:.1f} ms"
        )

        total = args.students * args.per_student
        log(f"burst: {total} submissions from {args.students} students …")
        burst = phase_burst(api, tokens[: args.students], code, args.per_student, exercise.points, stack)
        figures["burst"] = burst
        check = burst["check"]
        log(
            f"  submitted in {burst['submitted_in_s']:.1f} s; all graded after {burst['client_seconds']:.1f} s: "
            f"{burst['graded_per_s_client']:.1f} graded/s (server clock {burst['graded_per_s_server']:.1f}/s)"
        )
        log(
            f"  exactly once: {check['graded_full_marks']}/{burst['submitted']} graded with full marks, "
            f"max claims {check['max_claims']}, per-test rows {check['tests_per_submission']}"
            + (f"; PROBLEMS {check['problems']}" if check["problems"] else "")
        )
        log(f"  CPU per graded submission, ms: {_cpu_line(burst['cpu_ms_per_submission'])}")
        figures["worker_rss_after_burst_mb"], _ = stack.rss_mb("worker")
        floor = phase_floor(api, tokens[0], stack)
        figures["floor"] = floor
        log(f"floor: an authenticated API request that finds nothing, CPU ms: {_cpu_line(floor['request_ms'])}")
        log(f"       a Celery task that does nothing, CPU ms: {_cpu_line(floor['task_ms'])}")

        if args.soak:
            figures["soak"] = phase_soak(api, tokens[: args.students], code, args.soak, stack)
        figures["worker_rss_end_mb"], _ = stack.rss_mb("worker")

        log(f"regrade: {args.regrade} graded submissions regraded while {args.live_students} students submit …")
        regrade = phase_regrade(api, tokens, code, exercise, args.regrade, args.live_students, args.live_per_student)
        figures["regrade"] = regrade
        regrade_ratio = regrade["regraded_per_s"] / burst["graded_per_s_client"]
        live_ratio = regrade["live_server_p95_ms"] / idle["server_p95_ms"]
        figures["ratio_regrade_over_burst"] = regrade_ratio
        figures["ratio_live_p95_during_regrade_over_idle"] = live_ratio
        log(
            f"  regraded {regrade['regraded']}/{args.regrade} at {regrade['regraded_per_s']:.1f}/s "
            f"({regrade_ratio:.2f}× the burst); live submit→graded server p50 {regrade['live_server_p50_ms']:.1f} ms, "
            f"p95 {regrade['live_server_p95_ms']:.1f} ms ({live_ratio:.2f}× idle p95)"
        )
        stack.stop("worker")
        alone = phase_sandbox_only(exercise, code, args.cold, args.workers)
        figures["grade_code_alone"] = alone
        ratio_alone = alone["warm"]["per_s"] / alone["cold"]["per_s"]
        path_ratio = burst["graded_per_s_client"] / alone["warm"]["per_s"]
        latency_ratio = idle["server_p50_ms"] / alone["warm"]["p50_ms"]
        figures["ratio_warm_over_cold_grade_code_alone"] = ratio_alone
        figures["ratio_whole_path_over_grading_alone"] = path_ratio
        figures["ratio_idle_server_p50_over_warm_grade_p50"] = latency_ratio
        log(
            f"  grade_code alone ({args.workers} processes, no web/broker): cold {alone['cold']['per_s']:.1f}/s "
            f"({alone['cold']['mean_ms']:.0f} ms each), warm {alone['warm']['per_s']:.1f}/s "
            f"(p50 {alone['warm']['p50_ms']:.1f} ms each)"
        )
        whole_cpu = sum(v for k, v in burst["cpu_ms_per_submission"].items() if k != "client")
        grading_cpu = alone["warm"]["cpu_ms_per_grade"]
        floor_cpu = sum(floor["request_ms"].values()) + sum(floor["task_ms"].values())
        figures["cpu_budget"] = {
            "whole_path_ms": whole_cpu,
            "grading_alone_ms": grading_cpu,
            "floor_ms": floor_cpu,
            # If CPU were the only limit: the ratio the path's CPU allows, and the one
            # a path costing only grading plus the two no-op floors would allow.
            "ratio_allowed_by_cpu": grading_cpu / whole_cpu,
            "ratio_allowed_by_floor": grading_cpu / (grading_cpu + floor_cpu),
        }
        log(
            f"CPU per submission: whole path {whole_cpu:.1f} ms (client excluded), grading alone {grading_cpu:.1f} ms, "
            f"no-op request + no-op task {floor_cpu:.1f} ms: CPU alone allows {grading_cpu / whole_cpu:.2f}× for this "
            f"path and {grading_cpu / (grading_cpu + floor_cpu):.2f}× for one that cost only grading and the floor"
        )
        log(
            f"whole path / grading alone: {path_ratio:.2f}× graded/s; idle server p50 / warm grade p50: "
            f"{latency_ratio:.2f}×; warm / cold grading alone: {ratio_alone:.1f}×"
        )
        log(
            f"worker RSS: {figures['worker_rss_start_mb']:.1f} MB at start, {figures['worker_rss_after_burst_mb']:.1f} "
            f"after the burst, {figures['worker_rss_end_mb']:.1f} at the end ({figures['worker_processes']} processes)"
        )
        targets = {
            "idle p50 ≤ 100 ms": idle["client_p50_ms"] <= 100,
            "idle p95 ≤ 250 ms": idle["client_p95_ms"] <= 250,
            "burst ≥ 40 graded/s": burst["graded_per_s_client"] >= 40,
            "burst all graded exactly once": not check["problems"] and check["graded_full_marks"] == total,
            "whole path ≥ 0.6× grading alone": path_ratio >= 0.6,
            "idle server p50 ≤ 2× warm grade p50": latency_ratio <= 2,
            "regrade: every submission regraded once": not regrade["problems"],
            "regrade: live p95 ≤ 3× idle": live_ratio <= 3,
            "regrade ≥ 0.5× the burst rate": regrade_ratio >= 0.5,
            "warm grading ≥ 10× cold grading": ratio_alone >= 10,
        }
        if args.soak:
            # Flat: from the end of the first batch (everything warm) to the end, within 10 %.
            soak = figures["soak"]
            first, last = soak[1][1], soak[-1][1]
            figures["soak_rss_growth_pct"] = (last - first) / first * 100
            log(f"soak: worker RSS {first:.1f} MB after {soak[1][0]}, {last:.1f} MB after {soak[-1][0]} "
                f"({figures['soak_rss_growth_pct']:+.1f} %)")  # fmt: skip
            targets[f"worker memory flat over {args.soak}"] = abs(figures["soak_rss_growth_pct"]) <= 10
        figures["targets"] = targets
        log("targets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in targets.items()))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, default=str))
        return 0 if all(targets.values()) else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
