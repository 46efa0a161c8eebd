"""Mutation testing: time to grade every mutant of one exercise through the real sandbox.

The whole path `manage.py check_exercises --mutants` takes: the mutants of the
reference are generated, and each one not marked equivalent is graded by
the grading path every submission takes, with the fixed mutation seed, on the warm pool.
Prints, per exercise, the number of mutants, the wall time, the time per
mutant and the mutation score.

    .venv/bin/python bench/mutation_bench.py [SLUG ...] [--all] [--threads N]
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/mutation_bench.py --worker [SLUG]

With --worker it measures the path an instructor's admin action takes instead:
a MutationReport requested on PostgreSQL, prepared and fanned out by a real
Celery worker (concurrency = cores), one grading message per mutant on the
"grading" queue, from the request to the report's last row (the known-wrong
solutions included).

Target on a 2-core machine: about 50 mutants of one exercise graded <= 30 s.
Exits non-zero when the default exercise (attention) misses it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read  # noqa: E402
from grader.models import Exercise  # noqa: E402
from grader.mutation.equivalents import equivalents_read  # noqa: E402
from grader.mutation import runner  # noqa: E402
from grader.mutation.runner import GRADING_THREADS, exercise_mutation_report  # noqa: E402

TARGET_SECONDS = 30.0
DEFAULT_SLUG = "attention"  # about 50 mutants, like the target says


def sample_exercises() -> dict[str, tuple[Exercise, Path]]:
    """The shipped exercises as unsaved rows: the benchmark needs no database."""
    content = course_content_read(directory=SAMPLE_CONTENT_DIRECTORY)
    return {found.slug: (Exercise(slug=found.slug, **found.values), found.directory) for found in content.exercises}


def through_worker(slug: str) -> bool:
    """Time one report through the task path; True when it met the target."""
    import uuid

    from django.conf import settings
    from django.core.management import call_command

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not settings.REDIS_URL:
        raise SystemExit("--worker needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (make bench sets both)")
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    import redis
    from load_bench import ensure_database

    from tests.stack import Stack

    ensure_database(os.environ["DATABASE_URL"])
    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed_course", stdout=open(os.devnull, "w"))
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    from review.models import MutantResult, MutationReport
    from review.services.mutation import mutation_report_request

    logdir = REPO_ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
           "WORKER_CONCURRENCY": str(os.cpu_count() or 1), "PYTHONUNBUFFERED": "1"}  # fmt: skip
    stack = Stack(env, logdir)
    try:
        stack.start_worker("mutation-worker", node=f"mutbench-{uuid.uuid4().hex[:6]}", timeout=120)
        exercise = Exercise.objects.get(slug=slug)
        started = time.perf_counter()
        report = mutation_report_request(exercise=exercise, requested_by=None)
        deadline = started + 300
        while MutationReport.objects.filter(pk=report.pk, status__in=["pending", "running"]).exists():
            if time.perf_counter() > deadline:
                raise SystemExit(f"the report did not finish in 300 s:\n{stack.tail('mutation-worker')}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stack.stop()
    report.refresh_from_db()
    graded = MutantResult.objects.filter(report=report).exclude(marked_in__in=["content", "admin"]).count()
    print(
        f"through the worker ({env['WORKER_CONCURRENCY']} processes): {slug} {report.total} rows ({graded} graded, "
        f"known-wrong included)  {elapsed:6.1f} s  {1000 * elapsed / max(graded, 1):6.0f} ms/row  "
        f"score {report.score:.1%}  status {report.status}"
    )
    print(f"  target: about 50 mutants <= {TARGET_SECONDS:.0f} s")
    return report.status == "done" and elapsed <= TARGET_SECONDS * max(graded, 1) / 50


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", default=[DEFAULT_SLUG])
    parser.add_argument("--all", action="store_true", help="every exercise of the sample course")
    parser.add_argument("--threads", type=int, default=GRADING_THREADS)
    parser.add_argument("--worker", action="store_true", help="through the report task and a real Celery worker")
    args = parser.parse_args()
    if args.worker:
        if not through_worker(args.slugs[0]):
            raise SystemExit(f"{args.slugs[0]}: the report took longer than the target")
        return

    exercises = sample_exercises()
    slugs = sorted(exercises) if args.all else args.slugs
    first = exercises[slugs[0]][0]
    runner.grade_code(exercise=first, code=first.reference_solution, seed=1)  # warms the pool, as a running worker is

    missed = False
    total_mutants, total_seconds = 0, 0.0
    print(f"mutants graded through the sandbox, {args.threads} grading thread(s), {os.cpu_count()} cores")
    for slug in slugs:
        exercise, directory = exercises[slug]
        started = time.perf_counter()
        report = exercise_mutation_report(
            exercise=exercise, equivalents=equivalents_read(exercise_dir=directory), threads=args.threads
        )
        elapsed = time.perf_counter() - started
        graded = report.total - report.count("equivalent")
        total_mutants += graded
        total_seconds += elapsed
        print(
            f"  {slug:22s} {report.total:4d} mutants ({graded:3d} graded)  {elapsed:6.1f} s  "
            f"{1000 * elapsed / max(graded, 1):6.0f} ms/mutant  score {report.score:6.1%}  "
            f"(killed {report.count('killed')}, survived {report.count('survived')}, "
            f"equivalent {report.count('equivalent')}, errors {report.count('error')})"
        )
        if slug == DEFAULT_SLUG and elapsed > TARGET_SECONDS * max(graded, 1) / 50:
            missed = True
    if len(slugs) > 1:
        print(f"  all: {total_mutants} mutants graded in {total_seconds:.1f} s")
    print(f"  target: about 50 mutants <= {TARGET_SECONDS:.0f} s")
    if missed:
        raise SystemExit(f"{DEFAULT_SLUG}: the mutants took longer than the target")


if __name__ == "__main__":
    main()
