"""Grading a correct softmax: warm pool vs one hardened sandbox per submission.

The whole grading path (`grader.code_grading.grade_code`): the seeded check suite is
built, the expected values and known-mistake variants are computed by the
engine, the submission runs every visible and hidden test in the sandbox, and
the results are judged. Each submission gets a fresh seed, as on the web. Both
designs run in the same process, interleaved, and print p50 / p95
per submission, their ratio, and the warm pool process's resident memory.

    .venv/bin/python bench/grade_bench.py [-n 100]

It also grades warm after an idle pause, as a live submission usually
arrives: the sandbox's next child is forked (and moved into its memory
cgroup, which costs about 10 ms after a pause) ahead of the request, so a
pause must cost nothing.

Targets on a 2-core machine: warm p50 <= 25 ms, >= 10x faster than cold,
warm after a pause p50 <= 1.3x back-to-back warm, the pool process < 150 MB resident.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read  # noqa: E402
from grader.code_grading import grade_code  # noqa: E402
from grader.models import Exercise, new_seed  # noqa: E402
from grader.sandbox import get_pool  # noqa: E402
from grader.sandbox_settings import sandbox_config  # noqa: E402
from tests.stack import percentile  # noqa: E402


def softmax_exercise() -> Exercise:
    """The shipped exercise as an unsaved row: the benchmark needs no database."""
    content = course_content_read(directory=SAMPLE_CONTENT_DIRECTORY)
    found = next(exercise for exercise in content.exercises if exercise.slug == "softmax")
    return Exercise(slug=found.slug, **found.values)


def grade_once(exercise, *, cold):
    started = time.perf_counter()
    report = grade_code(exercise=exercise, code=exercise.reference_solution, seed=new_seed(), cold=cold)
    elapsed = (time.perf_counter() - started) * 1000
    if report.score != report.max_score:
        raise SystemExit(f"the correct softmax lost points ({report.status}): {report.feedback_en}")
    return elapsed


def measure(exercise, *, runs, cold_every):
    """Warm and cold interleaved, so that both see the same moments of a noisy machine."""
    warm, cold = [], []
    for index in range(runs):
        warm.append(grade_once(exercise, cold=False))
        if index % cold_every == 0:
            cold.append(grade_once(exercise, cold=True))
    return warm, cold


def measure_after_pause(exercise, *, runs, pause_s=0.03):
    """Warm gradings each after an idle pause (a quiet moment between two students)."""
    paused = []
    for _ in range(runs):
        time.sleep(pause_s)
        paused.append(grade_once(exercise, cold=False))
    return paused


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=100, help="submissions per design")
    args = parser.parse_args()

    exercise = softmax_exercise()
    tests = len(grade_code(exercise=exercise, code=exercise.reference_solution, seed=1).tests)  # also warms the pool
    for _ in range(5):
        grade_once(exercise, cold=False)
    warm, cold = measure(exercise, runs=args.runs, cold_every=4)
    back_to_back = [grade_once(exercise, cold=False) for _ in range(args.runs)]
    paused = measure_after_pause(exercise, runs=args.runs)

    pids = get_pool(sandbox_config()).zygote_pids()
    rss = [psutil.Process(pid).memory_info().rss / 2**20 for pid in pids]
    warm_p50, warm_p95 = percentile(warm, 50), percentile(warm, 95)
    cold_p50, cold_p95 = percentile(cold, 50), percentile(cold, 95)
    print(f"grading a correct softmax ({tests} tests each, fresh seed per submission)")
    print(f"  warm pool : n={len(warm):4d}  p50 {warm_p50:7.1f} ms  p95 {warm_p95:7.1f} ms  mean {statistics.mean(warm):7.1f} ms")
    print(f"  cold      : n={len(cold):4d}  p50 {cold_p50:7.1f} ms  p95 {cold_p95:7.1f} ms  mean {statistics.mean(cold):7.1f} ms")
    print(f"  cold / warm: {cold_p50 / warm_p50:.1f}x at p50, {cold_p95 / warm_p95:.1f}x at p95")
    pause_ratio = percentile(paused, 50) / percentile(back_to_back, 50)
    print(f"  warm back to back p50 {percentile(back_to_back, 50):7.1f} ms; after a 30 ms pause p50 "
          f"{percentile(paused, 50):7.1f} ms: {pause_ratio:.2f}x (target <= 1.3x)")
    print(f"  pool process resident memory: {', '.join(f'{value:.0f} MiB' for value in rss)} (target < 150 MB)")
    print(f"  this process: {psutil.Process().memory_info().rss / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
