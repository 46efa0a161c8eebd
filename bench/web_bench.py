"""The students' pages under a loaded course: server time and queries per page, and a precheck in the browser.

1. Loads (bulk_create) the sample course with --students students (1,000) and
   --submissions submissions (20,000, graded, each with its run and test rows,
   and the grades they make), into its own database (DATABASE_URL).
2. Server time: every student page rendered in-process by Django's test client
   (the full middleware stack, view and template: what a web worker spends on
   it) for --samples random students; p50 / p95 per page against the 50 ms
   target, and each page's query count, which must be the same for every student.
3. Precheck in the browser: gunicorn and a Celery worker on this database and
   REDIS_URL, Chromium (Debian's, through Playwright) clicks "Run the visible
   tests" --prechecks times; the time from the click to the result on screen,
   p50 against the 300 ms target (idle machine).

Exits 1 when a target is missed or a query count varies.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load_bench import ensure_database, free_port, log, setup_django  # noqa: E402
from tests.stack import Stack, celery_worker_argv, gunicorn_argv, percentile  # noqa: E402

PAGE_TARGET_MS = 50.0
PRECHECK_TARGET_MS = 300.0
PASSWORD = "bench-students-pw"


def load(students: int, submissions: int) -> None:
    """The course and its load, from empty, with bulk inserts (a few seconds per 10,000 rows)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from courses.models import Assignment, Enrollment
    from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
    from grader.models import Exercise, GradingRun, Submission, TestResult
    from grades.models import Grade

    call_command("flush", interactive=False, verbosity=0)
    course = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course
    password = make_password(PASSWORD)  # hashed once: the same for every bench student
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"bench{i}", password=password) for i in range(1, students + 1)])
    Enrollment.objects.bulk_create([Enrollment(user=user, course=course) for user in users])
    exercises = list(Exercise.objects.order_by("slug"))
    assignments = {a.exercise_id: a for a in Assignment.objects.filter(exercise__in=exercises)}
    rng = random.Random(1)
    now = timezone.now()
    per_student = submissions // students
    rows, best = [], {}
    for user in users:
        for n in range(per_student):
            exercise = exercises[(user.pk + n) % len(exercises)]
            score = Decimal(rng.randint(0, 10))
            rows.append(Submission(user=user, exercise=exercise, code=exercise.starter_code or "pass\n", code_sha256="0" * 64,
                                   status="graded", score=score, max_score=Decimal(10), feedback_en="bench", feedback_zh="基准",
                                   graded_at=now))  # fmt: skip
            key = (user.pk, exercise.pk)
            best[key] = max(best.get(key, Decimal(0)), score)
    created = Submission.objects.bulk_create(rows, batch_size=2000)
    runs = GradingRun.objects.bulk_create(
        [GradingRun(submission=s, seed=s.seed, suite_version="bench", status="graded", score=s.score, max_score=s.max_score,
                    claim_count=1, finished_at=now) for s in created],  # fmt: skip
        batch_size=2000,
    )
    tests = []
    for run in runs:
        for position in range(1, 9):
            hidden = position > 4
            tests.append(TestResult(run=run, position=position, name_en=f"case {position}", name_zh=f"用例 {position}",
                                    hidden=hidden, passed=position % 3 != 0, points=Decimal("1.25"), max_points=Decimal("1.25"),
                                    message_en="" if position % 3 else "wrong", message_zh="" if position % 3 else "错误"))  # fmt: skip
    TestResult.objects.bulk_create(tests, batch_size=5000)
    with connection.cursor() as cursor:
        # Each submission's one run is its current run: one UPDATE instead of 20,000.
        cursor.execute(
            "UPDATE grader_submission AS s SET current_run_id = r.id FROM grader_gradingrun AS r WHERE r.submission_id = s.id"
        )
    grades = []
    for sequence, ((user_id, exercise_id), score) in enumerate(sorted(best.items()), start=10**9):
        assignment = assignments[exercise_id]
        grades.append(Grade(user_id=user_id, assignment=assignment, score=score * assignment.points / 10,
                            max_score=assignment.points, state="graded", sequence=sequence))  # fmt: skip
    Grade.objects.bulk_create(grades, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"loaded {len(users)} students, {len(created)} submissions, {len(tests)} test rows, {len(grades)} grades")


def page_times(samples: int) -> dict:
    """Server time and queries of every student page, for `samples` random students (in-process, full middleware)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grader.models import Submission
    from web.models import Precheck

    student_ids = list(Submission.objects.values_list("user_id", flat=True).distinct())
    rng = random.Random(2)
    chosen = rng.sample(student_ids, min(samples, len(student_ids)))
    times: dict[str, list[float]] = {}
    queries: dict[str, set[int]] = {}
    htmx = {"HTTP_HX_REQUEST": "true"}
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=chosen):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        latest = Submission.objects.filter(user=user).order_by("-created_at").select_related("exercise").first()
        precheck = Precheck.objects.create(user=user, exercise=latest.exercise, code="pass\n", status="done", tests=[])
        pages = {
            "home": ("/", {}),
            "exercise softmax": ("/exercises/softmax/", {}),
            "exercise attention": ("/exercises/attention/", {}),
            "submission (htmx poll)": (f"/exercises/{latest.exercise.slug}/submissions/{latest.pk}/", htmx),
            "submission page": (f"/exercises/{latest.exercise.slug}/submissions/{latest.pk}/", {}),
            "precheck (htmx poll)": (f"/exercises/{latest.exercise.slug}/prechecks/{precheck.pk}/", htmx),
            "password change": ("/accounts/password/", {}),
        }
        client.get("/")  # warm this client's session
        for name, (path, headers) in pages.items():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, **headers)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code}")
            times.setdefault(name, []).append(elapsed)
            queries.setdefault(name, set()).add(len(captured))
    anonymous = Client(HTTP_HOST="localhost")
    for _ in range(len(chosen)):
        for name, path in (("login (anonymous)", "/accounts/login/"), ("home (anonymous)", "/")):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                anonymous.get(path)
                times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            queries.setdefault(name, set()).add(len(captured))
    return {
        name: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2), "n": len(v), "queries": sorted(queries[name])}
        for name, v in times.items()
    }


def precheck_in_browser(runs: int) -> dict:
    """Click "Run the visible tests" in Chromium against gunicorn + a worker; ms from the click to the result shown."""
    from playwright.sync_api import sync_playwright

    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2", "WEB_ACCESS_LOG": "0",
           "ALLOWED_HOSTS": "localhost", "PRECHECK_RATE_LIMIT": "", "WORKER_CONCURRENCY": "1"}  # fmt: skip
    stack = Stack(env, logdir)
    code = (ROOT / "content" / "exercises" / "attention" / "solution.py").read_text()
    try:
        stack.start("web", gunicorn_argv())
        stack.start_worker("worker", node=f"webbench{port}")  # "ready." is an info line
        base = f"http://localhost:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=["--no-sandbox"])
            page = browser.new_page()
            deadline = time.monotonic() + 60
            while True:
                try:
                    page.goto(base + "/accounts/login/")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            page.fill("#id_username", "bench1")
            page.fill("#id_password", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(base + "/")
            page.goto(base + "/exercises/attention/")
            page.wait_for_selector(".CodeMirror")
            page.evaluate("code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", code)
            button = page.get_by_role("button", name="Run the visible tests")
            times = []
            for i in range(runs + 3):  # the first three warm the worker's sandbox and the web processes
                page.evaluate("() => { const r = document.getElementById('precheck-result'); r.innerHTML = ''; }")
                started = page.evaluate("() => performance.now()")
                button.click()
                page.wait_for_selector("#precheck-result .score-line", timeout=30_000)
                shown = page.evaluate("() => performance.now()")
                if i >= 3:
                    times.append(shown - started)
                time.sleep(0.3)  # idle between runs
            browser.close()
    finally:
        stack.stop()
    return {"n": len(times), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--submissions", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=200, help="students whose pages are timed")
    parser.add_argument("--prechecks", type=int, default=20)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("web_bench: DATABASE_URL must be a PostgreSQL database (make bench sets it)", file=sys.stderr)
        return 2
    ensure_database(url)
    os.environ["ALLOWED_HOSTS"] = "localhost"  # the test client and the browser both use this name
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    load(args.students, args.submissions)
    figures = {"load_seconds": round(time.monotonic() - started, 1), "pages": page_times(args.samples)}
    figures["precheck_in_browser"] = precheck_in_browser(args.prechecks)
    print(json.dumps(figures, indent=2, ensure_ascii=False))

    problems = []
    for name, page in figures["pages"].items():
        if page["p95_ms"] > PAGE_TARGET_MS:
            problems.append(f"{name}: p95 {page['p95_ms']} ms > {PAGE_TARGET_MS} ms")
        if len(page["queries"]) != 1:
            problems.append(f"{name}: query count varies between students: {page['queries']}")
    if figures["precheck_in_browser"]["p50_ms"] > PRECHECK_TARGET_MS:
        problems.append(f"precheck in the browser: p50 {figures['precheck_in_browser']['p50_ms']} ms > {PRECHECK_TARGET_MS} ms")
    for problem in problems:
        print(f"web_bench: MISSED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
