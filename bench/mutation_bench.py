"""Mutation testing: time to grade every mutant of one exercise through the real sandbox.

The whole path `manage.py check_exercises --mutants` takes: the mutants of the
reference are generated, and each one not marked equivalent is graded by
the grading path every submission takes, with the fixed mutation seed, on the warm pool.
Prints, per exercise, the number of mutants, the wall time, the time per
mutant and the mutation score.

    .venv/bin/python bench/mutation_bench.py [SLUG ...] [--all] [--threads N]

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", default=[DEFAULT_SLUG])
    parser.add_argument("--all", action="store_true", help="every exercise of the sample course")
    parser.add_argument("--threads", type=int, default=GRADING_THREADS)
    args = parser.parse_args()

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
