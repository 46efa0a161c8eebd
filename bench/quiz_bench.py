#!/usr/bin/env python3
"""`make bench`: a quiz submit, scored, stored and its grade recomputed, over loopback HTTP.

It starts its own gunicorn on PostgreSQL (DATABASE_URL; `make bench` points it
at a database of its own), loads the sample course with its quizzes and demo
students, preloads submitted attempts (default 20,000, by 1,000 other students) so
the tables are not empty, then measures the POST of the chapter-2 quiz's form with every
question answered (parameterised ones from the attempt's own seed), as a
browser sends it (session cookie, CSRF token), up to the 302 to the result:

  idle     sequential submits by different students;
  busy     the same from 8 students at once (a class hitting "submit" together).

Target (issue 8): a quiz submit graded and stored ≤ 100 ms p95, idle. Exits
non-zero when missed. The processes it starts are stopped when it ends.
"""

import argparse
import concurrent.futures
import http.cookiejar
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load_bench import ensure_database, free_port, setup_django  # noqa: E402
from tests.stack import Stack, gunicorn_argv, percentile  # noqa: E402

PY = sys.executable
QUIZ = "chapter-2-quiz"
TARGET_P95_MS = 100.0
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ACTION = re.compile(r'action="(/quizzes/[^"]+/attempts/(\d+)/submit/)"')


def log(message: str) -> None:
    print(message, flush=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One student's cookies (session, CSRF) against the server."""

    def __init__(self, base: str, session_key: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        host = urllib.parse.urlparse(base).hostname
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, "sessionid", session_key, None, False, host, False, False, "/", True, False, None, False, None, None, {},
        ))  # fmt: skip
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method="POST" if data is not None else "GET")
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def start(self) -> tuple[str, int, str]:
        """Start an attempt; the form's action, the attempt id and a CSRF token."""
        status, html = self.request(f"/quizzes/{QUIZ}/")
        if status != 200:
            raise RuntimeError(f"quiz page: {status} {html[:300]}")
        status, html = self.request(f"/quizzes/{QUIZ}/start/", {"csrfmiddlewaretoken": _CSRF.search(html)[1]})
        if status != 302:
            raise RuntimeError(f"start: {status} {html[:300]}")
        status, html = self.request(f"/quizzes/{QUIZ}/")
        action = _ACTION.search(html)
        return action[1], int(action[2]), _CSRF.search(html)[1]


def _form(attempt_id: int) -> dict:
    from quizzes.demo import demo_answer
    from quizzes.models import Question, QuizAttempt

    attempt = QuizAttempt.objects.get(pk=attempt_id)
    rng = random.Random(attempt_id)
    data = {}
    for question in Question.objects.filter(quiz_id=attempt.quiz_id):
        response = demo_answer(question.to_item(), seed=attempt.seed, knows=rng.random() < 0.7, rng=rng)
        if response is not None:
            data[f"q-{question.key}"] = response
    return data


def _one_submit(browser: Browser) -> float:
    action, attempt_id, token = browser.start()
    data = {"csrfmiddlewaretoken": token, **_form(attempt_id)}
    started = time.perf_counter()
    status, body = browser.request(action, data)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 302:
        raise RuntimeError(f"submit: {status} {body[:500]}")
    return elapsed


def _summary(name: str, times: list[float]) -> dict:
    figures = {"n": len(times), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
               "max_ms": round(max(times), 1)}  # fmt: skip
    log(f"{name:<6} {figures['n']} requests: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"max {figures['max_ms']} ms")  # fmt: skip
    return figures


def _preload(count: int, *, classmates: int = 1000) -> None:
    """`count` submitted attempts by `classmates` other students (about 20 each for 20,000), written directly.

    As in a real class: many students with a few attempts each, not the
    measured students with hundreds (a grade reads the student's own attempts).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from quizzes.models import Quiz, QuizAttempt

    User = get_user_model()
    names = [f"quizbench{n}" for n in range(classmates)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create([User(username=name, password=unusable) for name in names if name not in existing])
    users = list(User.objects.filter(username__in=names))
    quizzes = list(Quiz.objects.all())
    now = timezone.now()
    rows = [
        QuizAttempt(quiz=quizzes[n % len(quizzes)], user=users[n % len(users)], score=n % 40, max_score=40,
                    results=[{"key": "x", "status": "correct", "earned": "1.00", "possible": "1.00"}],
                    responses={"x": "a"}, submitted_at=now)
        for n in range(count)
    ]  # fmt: skip
    QuizAttempt.objects.bulk_create(rows, batch_size=2000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40, help="students taking part (default 40)")
    parser.add_argument("--idle", type=int, default=100, help="sequential submits (default 100)")
    parser.add_argument("--busy", type=int, default=160, help="submits from 8 students at once (default 160)")
    parser.add_argument("--preload", type=int, default=20000, help="submitted attempts loaded first (default 20000)")
    parser.add_argument("--web", type=int, default=3, help="gunicorn processes (default 3)")
    parser.add_argument("--any-database", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must be PostgreSQL (`make bench` sets it)")
    if not 1 <= args.students <= 10_000 or not 1 <= args.idle <= 10_000 or not 1 <= args.busy <= 10_000:
        parser.error("counts must be between 1 and 10000")

    import dj_database_url

    # It deletes every quiz attempt: never on a database that matters.
    if "bench" not in dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"] and not args.any_database:
        parser.error("the bench deletes all quiz attempts, so the database's name must contain 'bench'")
    ensure_database(os.environ["DATABASE_URL"])
    env = {
        **os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0", "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES")})
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_course"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from courses.models import Assignment
    from grades.models import Grade
    from quizzes.models import QuizAttempt

    QuizAttempt.objects.all().delete()
    Grade.objects.filter(assignment__kind=Assignment.Kind.QUIZ).delete()
    if not get_user_model().objects.filter(username=f"student{args.students}").exists():
        log(f"creating {args.students} demo students")
        subprocess.run([*manage, "seed_demo", "--students", str(args.students)], cwd=ROOT, env={**env, "DEBUG": "1"},
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    QuizAttempt.objects.all().delete()  # seed_demo's own; the preload replaces them
    Assignment.objects.filter(slug__in=["chapter-1-quiz", "chapter-2-quiz"]).update(
        attempt_limit=None, opens_at=None, closes_at=None, due_at=None, published=True
    )
    students = list(get_user_model().objects.filter(username__startswith="student").order_by("pk")[: args.students])
    _preload(args.preload)
    log(f"{QuizAttempt.objects.count()} submitted attempts preloaded")
    sessions = []
    for student in students:
        client = Client()
        client.force_login(student)
        sessions.append(client.cookies["sessionid"].value)

    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    stack = Stack({**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(args.web),
                   "WEB_ACCESS_LOG": "0"}, logdir)  # fmt: skip
    try:
        stack.start("quiz-web", gunicorn_argv())
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the web server did not come up:\n{stack.tail('quiz-web')}") from None
                time.sleep(0.2)
        browsers = [Browser(base, key) for key in sessions]
        for browser in browsers[:6]:  # warm every web process
            _one_submit(browser)
        # The floor on this machine now: a request that does one query. On a shared,
        # busy machine every figure below rises with it.
        floor = []
        for _ in range(50):
            started = time.perf_counter()
            urllib.request.urlopen(base + "/healthz", timeout=10).read()
            floor.append((time.perf_counter() - started) * 1000)
        _summary("floor", floor)
        idle = _summary("idle", [_one_submit(browsers[n % len(browsers)]) for n in range(args.idle)])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            busy_times = list(pool.map(lambda n: _one_submit(browsers[n % len(browsers)]), range(args.busy)))
        busy = _summary("busy", busy_times)
    finally:
        stack.stop()
    ok = idle["p95_ms"] <= TARGET_P95_MS
    log(f"quiz submit p95 (idle) {idle['p95_ms']} ms, target ≤ {TARGET_P95_MS:g} ms: {'ok' if ok else 'MISSED'}"
        f" (with 8 at once: p95 {busy['p95_ms']} ms)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
