#!/usr/bin/env python3
"""`make bench`: an LMS pulling a whole course's grades through the feed's cursor, over loopback HTTP.

It builds a course of 1,000 students × 20 assignments (20,000 grade rows,
each with its change row and a number from the grade sequence) in its own
PostgreSQL database (DATABASE_URL; it replaces only its own course and its
`lmsb-` students), starts
gunicorn on 127.0.0.1 (an ephemeral port) and pulls every row with an LMS
token, following `next`, 1,000 rows a page. It then counts the queries of
one page at two page sizes, in process.

Target: the 20,000 rows in ≤ 2 s; the same number of queries for any page size.
Exits 1 when a target is missed. Every wait is bounded; gunicorn is stopped however it ends.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.stack import Stack, gunicorn_argv, percentile  # noqa: E402 - needs ROOT on sys.path

PY = sys.executable
COURSE = "lms-feed-bench"
STUDENTS, ASSIGNMENTS, PAGE_SIZE = 1000, 20, 1000
TARGET_SECONDS = 2.0


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],)).fetchone():
            admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def build_course() -> None:
    """The course, its students and 20,000 grades, made afresh (rows written in bulk: this is the setup, not the measure)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from courses.models import Assignment, Chapter, Course, Enrollment
    from grader.models import Exercise
    from grades.models import Grade, GradeChange
    from grades.sequence import SEQUENCE_NAME

    User = get_user_model()
    with transaction.atomic():
        old = Course.objects.filter(slug=COURSE).first()
        if old is not None:
            Grade.objects.filter(assignment__course=old).delete()
            Assignment.objects.filter(course=old).delete()
            Exercise.objects.filter(chapter__course=old).delete()
            old.delete()
        User.objects.filter(username__startswith="lmsb-").delete()
        course = Course.objects.create(slug=COURSE, title_en="LMS feed bench", title_zh="LMS 接口基准")
        chapter = Chapter.objects.create(course=course, number=1, title_en="Bench", title_zh="基准")
        assignments = []
        for i in range(ASSIGNMENTS):
            exercise = Exercise.objects.create(
                slug=f"lmsb-ex-{i:02d}", chapter=chapter, title_en=f"Exercise {i}", title_zh=f"练习 {i}",
                statement_en="-", statement_zh="-", reference_solution="def f():\n    return 1\n",
                required_functions=["f"], check_suite="softmax", points=10, position=i,
            )  # fmt: skip
            assignments.append(Assignment.objects.create(course=course, slug=exercise.slug, exercise=exercise, points=10))
        users = User.objects.bulk_create(User(username=f"lmsb-{i:04d}", first_name="S", last_name=str(i)) for i in range(STUDENTS))
        Enrollment.objects.bulk_create(
            Enrollment(user=user, course=course, sis_user_id=f"SIS{user.username[-4:]}") for user in users
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE_NAME, STUDENTS * ASSIGNMENTS])
            sequences = [row[0] for row in cursor.fetchall()]
        now = timezone.now()
        grades = Grade.objects.bulk_create(
            Grade(user=user, assignment=assignment, score=Decimal(i % 11), max_score=Decimal(10), state="graded",
                  sequence=sequences[i])  # fmt: skip
            for i, (user, assignment) in enumerate((u, a) for u in users for a in assignments)
        )
        GradeChange.objects.bulk_create(
            GradeChange(grade=grade, cause="graded", new_score=grade.score, new_state="graded", sequence=grade.sequence,
                        created_at=now)  # fmt: skip
            for grade in grades
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _tree_cpu(process) -> float:
    """User + system CPU seconds of a process and its children (gunicorn's master and workers)."""
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def page_queries(token: str, page_size: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            f"/api/v1/courses/{COURSE}/grades/", {"page_size": page_size}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    assert response.status_code == 200, response.content
    return len(captured)


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must be PostgreSQL (make bench sets BENCH_DATABASE_URL)")
    ensure_database(url)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # The pull is one client going as fast as it can: the per-token limit is not what is measured.
        "LMS_TOKEN_RATE": "100000/m",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "LMS_TOKEN_RATE")})
    subprocess.run([PY, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from courses.models import Course
    from lms.models import Scope
    from lms.tokens import lms_token_issue

    started = time.perf_counter()
    build_course()
    log(f"built {STUDENTS} students × {ASSIGNMENTS} assignments = {STUDENTS * ASSIGNMENTS} grades in {time.perf_counter() - started:.1f} s")
    token = lms_token_issue(course=Course.objects.get(slug=COURSE), scopes=[Scope.GRADES_READ], name="bench").token

    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    stack = Stack({**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1", "WEB_ACCESS_LOG": "0"}, logdir)
    base = f"http://127.0.0.1:{port}"
    first_url = f"{base}/api/v1/courses/{COURSE}/grades/?page_size={PAGE_SIZE}"
    try:
        stack.start("lms-web", gunicorn_argv())
        deadline = time.monotonic() + 60
        while True:
            try:
                get(first_url.replace(f"page_size={PAGE_SIZE}", "page_size=1"), token)  # also warms the process
                break
            except OSError:
                if time.monotonic() > deadline or not stack.running("lms-web"):
                    raise RuntimeError(f"gunicorn did not come up:\n{stack.tail('lms-web')}") from None
                time.sleep(0.2)
        server = psutil.Process(stack.procs["lms-web"].pid)
        runs = []
        for _ in range(3):
            cpu0 = _tree_cpu(server)
            client0 = time.process_time()
            rows, pages, page_times = 0, 0, []
            began = time.perf_counter()
            url = first_url
            while url:
                t0 = time.perf_counter()
                page = get(url, token)
                page_times.append(time.perf_counter() - t0)
                rows += len(page["results"])
                pages += 1
                url = page["next"]
            runs.append((time.perf_counter() - began, rows, pages, page_times, _tree_cpu(server) - cpu0,
                         time.process_time() - client0))
    finally:
        stack.stop()

    best = min(runs, key=lambda run: run[0])
    total, rows, pages, page_times, server_cpu, client_cpu = best
    small, large = page_queries(token, 10), page_queries(token, PAGE_SIZE)
    log(
        f"pulled {rows} rows in {pages} pages of {PAGE_SIZE}: best of {len(runs)} {total:.2f} s "
        f"(all: {', '.join(f'{run[0]:.2f}' for run in runs)} s), {rows / total:,.0f} rows/s, "
        f"page p50 {percentile(page_times, 50) * 1000:.0f} ms / p95 {percentile(page_times, 95) * 1000:.0f} ms "
        f"(target ≤ {TARGET_SECONDS:.1f} s)"
    )
    # Wall time on a shared machine includes waiting for a core; CPU time is what the pull itself costs.
    log(
        f"CPU for that pull: server {server_cpu:.2f} s, client {client_cpu:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    log(f"queries per page: {small} at page_size=10, {large} at page_size={PAGE_SIZE} (target: equal)")
    ok = rows == STUDENTS * ASSIGNMENTS and total <= TARGET_SECONDS and small == large
    log("lms_feed_bench: " + ("OK" if ok else "TARGET MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
