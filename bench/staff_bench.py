#!/usr/bin/env python3
"""`make bench`: the staff pages of a large class, server time and query count.

Loads (with bulk_create) one course of 1,000 students and 20 assignments (18
coding exercises and 2 quizzes of 10 questions), 20,000 graded submissions
each with its run and 5 per-test results (one of them a known mistake when it
fails), 2,000 quiz attempts and the 20,000 grades; then requests the gradebook,
its Canvas CSV and the analytics page, in process (Django's test client: the
server's own time, no network), 5 times each. Prints the median and the worst
time and the query count; a second, smaller course checks that the count does
not grow with the class. Target: every page ≤ 1 s server time, the same
number of queries for 100 and 1,000 students. Exits 1 when a target is missed.
Uses DATABASE_URL (its own database: `make bench` passes BENCH_DATABASE_URL);
its course is replaced on each run.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.models import Assignment, Chapter, Course, Enrollment  # noqa: E402
from grader.models import Exercise, GradingRun, Submission, TestResult  # noqa: E402
from grades.models import Grade  # noqa: E402
from quizzes.models import Question, Quiz, QuizAttempt  # noqa: E402

TARGET_SECONDS = 1.0
REPEATS = 5
CODING, QUIZZES, QUESTIONS, TESTS = 18, 2, 10, 5
MISTAKES = ("no_max_subtraction", "wrong_axis", "whole_array")
User = get_user_model()


def log(message: str) -> None:
    print(message, flush=True)


def course_load(slug: str, students: int, submissions: int, seed: int = 7) -> tuple[Course, User]:
    """A course of `students` × 20 assignments with `submissions` graded coding submissions, loaded in bulk."""
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        old = Course.objects.filter(slug=slug).first()
        if old is not None:
            # PROTECT on exercises and quizzes: clear the graded work first.
            Grade.objects.filter(assignment__course=old).delete()
            Submission.objects.filter(exercise__chapter__course=old).delete()
            QuizAttempt.objects.filter(quiz__course=old).delete()
            Assignment.objects.filter(course=old).delete()
            Exercise.objects.filter(chapter__course=old).delete()
            Quiz.objects.filter(course=old).delete()
            User.objects.filter(username__startswith=f"{slug}-").delete()
            old.delete()
        course = Course.objects.create(slug=slug, title_en=slug, title_zh=slug)
        chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
        exercises = Exercise.objects.bulk_create(
            Exercise(
                slug=f"{slug}-ex{i:02d}", chapter=chapter, position=i, title_en=f"Exercise {i}", title_zh=f"练习 {i}",
                reference_solution="def f():\n    pass\n", required_functions=["f"], check_suite="softmax", points=10,
            )  # fmt: skip
            for i in range(CODING)
        )
        quizzes = Quiz.objects.bulk_create(
            Quiz(course=course, chapter=chapter, slug=f"{slug}-quiz{i}", title_en=f"Quiz {i}", title_zh=f"测验 {i}")
            for i in range(QUIZZES)
        )
        Question.objects.bulk_create(
            Question(
                quiz=quiz, position=q, key=f"q{q}", type="truefalse", points=1, prompt_en="?", prompt_zh="？",
                explanation_en=".", explanation_zh="。", body={"answer": True},
            )  # fmt: skip
            for quiz in quizzes
            for q in range(QUESTIONS)
        )
        due = now - timedelta(days=3)
        assignments = Assignment.objects.bulk_create(
            [Assignment(course=course, slug=e.slug, exercise=e, points=10, due_at=due, late_penalty_per_day=10) for e in exercises]
            + [Assignment(course=course, slug=q.slug, kind=Assignment.Kind.QUIZ, quiz=q, points=QUESTIONS) for q in quizzes]
        )
        teacher = User.objects.create(username=f"{slug}-teacher", is_staff=True)
        people = User.objects.bulk_create(User(username=f"{slug}-s{i:04d}") for i in range(students))
        Enrollment.objects.bulk_create(
            [Enrollment(user=teacher, course=course, role=Enrollment.Role.INSTRUCTOR)]
            + [Enrollment(user=u, course=course) for u in people]
        )
        # Every student once on every exercise, then second tries for as many as `submissions` asks.
        pairs = [(u, e) for u in people for e in exercises]
        pairs += rng.sample(pairs, max(0, submissions - len(pairs)))
        pairs = pairs[:submissions]
        made = []
        for user, exercise in pairs:
            score = rng.choice((Decimal(0), Decimal(4), Decimal(6), Decimal(8), Decimal(10), Decimal(10)))
            made.append(Submission(
                user=user, exercise=exercise, code="def f():\n    pass\n", code_sha256="0" * 64,
                status=Submission.Status.GRADED, score=score, max_score=Decimal(10), graded_at=now,
            ))  # fmt: skip
        made = Submission.objects.bulk_create(made, batch_size=2000)
        runs = GradingRun.objects.bulk_create(
            (
                GradingRun(submission=s, seed=1, suite_version="v", status=GradingRun.Status.GRADED, score=s.score,
                           max_score=s.max_score, finished_at=now)  # fmt: skip
                for s in made
            ),
            batch_size=2000,
        )
        for submission, run in zip(made, runs):
            submission.current_run_id = run.pk
            submission.created_at = now - timedelta(days=5, hours=rng.randint(0, 96))
        Submission.objects.bulk_update(made, ["current_run_id", "created_at"], batch_size=2000)
        results = []
        for submission, run in zip(made, runs):
            passed_count = int(submission.score / 2)
            for position in range(TESTS):
                passed = position < passed_count
                results.append(TestResult(
                    run=run, position=position, name_en=f"test {position}", hidden=position == TESTS - 1,
                    passed=passed, points=Decimal(2) if passed else Decimal(0), max_points=Decimal(2),
                    mistake="" if passed or position != passed_count else rng.choice(MISTAKES),
                ))  # fmt: skip
        TestResult.objects.bulk_create(results, batch_size=5000)
        attempts = [
            QuizAttempt(
                quiz=quiz, user=user, score=Decimal(sum(marks)), max_score=Decimal(QUESTIONS), submitted_at=now,
                results=[{"key": f"q{q}", "status": "correct" if m else "wrong", "earned": str(m), "possible": "1"}
                         for q, m in enumerate(marks)],
            )  # fmt: skip
            for quiz in quizzes
            for user in people
            for marks in [[int(rng.random() < 0.3 + 0.06 * q) for q in range(QUESTIONS)]]
        ]
        QuizAttempt.objects.bulk_create(attempts, batch_size=2000)
        # The grade each student's best try earns (as grade_recompute would store), one sequence number each.
        best: dict[tuple[int, int], Submission] = {}
        for submission in made:
            key = (submission.user_id, submission.exercise_id)
            if key not in best or submission.score > best[key].score:
                best[key] = submission
        by_exercise = {a.exercise_id: a for a in assignments if a.exercise_id}
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('grades_change_seq') FROM generate_series(1, %s)", [len(best) + len(attempts)])
            sequence = iter(row[0] for row in cursor.fetchall())
        grades = []
        for (user_id, exercise_id), submission in best.items():
            late = submission.created_at > due
            score = submission.score * (Decimal("0.9") if late else 1)
            grades.append(Grade(
                user_id=user_id, assignment=by_exercise[exercise_id], score=score, max_score=10, state="graded",
                late=late, source_submission=submission, source_run_id=submission.current_run_id, sequence=next(sequence),
            ))  # fmt: skip
        by_quiz = {a.quiz_id: a for a in assignments if a.quiz_id}
        grades += [
            Grade(user_id=a.user_id, assignment=by_quiz[a.quiz_id], score=a.score, max_score=QUESTIONS, state="graded",
                  source_attempt=a, sequence=next(sequence))  # fmt: skip
            for a in attempts
        ]
        Grade.objects.bulk_create(grades, batch_size=5000)
    return course, teacher


def measure(client: Client, url: str) -> tuple[list[float], list[float], int]:
    """Wall times and this process's CPU times of REPEATS requests, and the queries of one."""
    times, cpu, queries = [], [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        cpu.append(elapsed_cpu)
        queries = len(captured)
    return times, cpu, queries


def main() -> int:
    call_command("migrate", "--no-input", verbosity=0)
    log("loading: 1,000 students × 20 assignments, 20,000 submissions (+ 100 students for the query check) …")
    start = time.perf_counter()
    big, big_teacher = course_load("bench-staff", 1000, 20000)
    small, small_teacher = course_load("bench-staff-small", 100, 2000)
    # Fresh planner statistics, as autovacuum keeps them on a live database: a
    # bulk load leaves the planner guessing one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"loaded in {time.perf_counter() - start:.1f} s")
    failures = []
    for page in ("staff:gradebook", "staff:gradebook-csv", "staff:analytics"):
        client = Client()
        client.force_login(big_teacher)
        client.get(reverse(page, args=[big.slug]))  # warm: templates compiled, session cached
        times, cpu, queries = measure(client, reverse(page, args=[big.slug]))
        small_client = Client()
        small_client.force_login(small_teacher)
        _, _, small_queries = measure(small_client, reverse(page, args=[small.slug]))
        median, worst = statistics.median(times), max(times)
        log(
            f"{page:<22} median {median * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms  "
            f"(web process CPU median {statistics.median(cpu) * 1000:6.1f} ms)  "
            f"queries {queries} (100 students: {small_queries})"
        )
        if worst > TARGET_SECONDS:
            failures.append(f"{page}: {worst:.2f} s > {TARGET_SECONDS} s")
        if queries != small_queries:
            failures.append(f"{page}: {queries} queries for 1,000 students, {small_queries} for 100")
    for failure in failures:
        log(f"MISSED {failure}")
    log(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    log("staff pages: all targets met" if not failures else "staff pages: targets missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
