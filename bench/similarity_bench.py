"""Similarity: one report over the latest submissions of 500 students to one exercise.

The path the report task takes (review.services.similarity.similarity_report_run:
read the latest submission per student, fingerprint, compare every pair,
store the pairs above the threshold), on PostgreSQL, in this process.
Submissions are generated: a dozen ways to write softmax, each with names
renamed, comments and blank lines added, statements reordered where that is
harmless, and a few planted copies (a student's code with names changed).

    DATABASE_URL=postgres://…/agb_x .venv/bin/python bench/similarity_bench.py [--students 500]

Target on a 2-core machine: 500 submissions <= 60 s. Exits non-zero when missed.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TARGET_SECONDS = 60.0
PLANTED = 10

BODIES = [
    "    x = np.asarray(x, dtype=np.float64)\n    shifted = x - np.max(x, axis=axis, keepdims=True)\n"
    "    exps = np.exp(shifted)\n    return exps / np.sum(exps, axis=axis, keepdims=True)\n",
    "    a = np.array(x, dtype=float)\n    a = a - a.max(axis=axis, keepdims=True)\n    np.exp(a, out=a)\n"
    "    a /= a.sum(axis=axis, keepdims=True)\n    return a\n",
    "    moved = np.moveaxis(np.asarray(x, dtype=float), axis, -1)\n    peak = moved.max(axis=-1)[..., None]\n"
    "    out = np.exp(moved - peak)\n    out = out / out.sum(axis=-1)[..., None]\n    return np.moveaxis(out, -1, axis)\n",
    "    x = np.asarray(x, dtype=np.float64)\n    m = np.amax(x, axis=axis, keepdims=True)\n"
    "    lse = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))\n    return np.exp(x - lse)\n",
    "    values = np.asarray(x, dtype=np.float64)\n    top = np.max(values, axis=axis, keepdims=True)\n"
    "    top = np.where(np.isfinite(top), top, 0.0)\n    e = np.exp(values - top)\n"
    "    total = e.sum(axis=axis, keepdims=True)\n    return e / total\n",
    "    z = np.asarray(x, dtype=np.float64)\n    z = np.swapaxes(z, axis, -1)\n    result = np.empty_like(z)\n"
    "    for index in np.ndindex(z.shape[:-1]):\n        row = z[index]\n        row = np.exp(row - row.max())\n"
    "        result[index] = row / row.sum()\n    return np.swapaxes(result, axis, -1)\n",
]
NAMES = ["x", "a", "moved", "peak", "out", "m", "lse", "values", "top", "e", "total", "z", "result", "row", "shifted", "exps"]
COMMENTS = ["# subtract the max: exp(1000) overflows", "# normalise", "# numerically stable", "# sum over the axis",
            "# keepdims so it broadcasts", "# float64 for precision", "# done"]  # fmt: skip
HEADER = "import numpy as np\n\n\ndef softmax(x, axis=-1):\n"


def _variant(rng: random.Random) -> str:
    body = rng.choice(BODIES)
    for name in rng.sample(NAMES, k=rng.randint(0, 5)):
        if name != "x":
            body = body.replace(f" {name} ", f" {name}_{rng.randint(0, 99)} ")
    lines = body.splitlines()
    for _ in range(rng.randint(0, 3)):
        lines.insert(rng.randint(0, len(lines) - 1), "    " + rng.choice(COMMENTS))
    extra = ""
    if rng.random() < 0.5:
        extra = f"\n\ndef helper_{rng.randint(0, 999)}(v):\n    return np.asarray(v, dtype=float).reshape(-1)[{rng.randint(0, 3)}:]\n"
    return HEADER + f'    """softmax by student {rng.randint(0, 10**6)}"""\n' + "\n".join(lines) + "\n" + extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must name a PostgreSQL database (make bench sets BENCH_DATABASE_URL)")
    # Safe on any database: it touches only its own course, exercise and similarity-bench-* users.
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    from load_bench import ensure_database  # the same creation as the load bench

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", verbosity=0)
    from django.contrib.auth import get_user_model

    from courses.models import Chapter, Course, Enrollment
    from grader.models import Exercise, Submission
    from review.models import SimilarityReport
    from review.services.similarity import similarity_report_run

    course, _ = Course.objects.get_or_create(slug="similarity-bench", defaults={"title_en": "bench", "title_zh": "基准"})
    chapter, _ = Chapter.objects.get_or_create(course=course, number=1, defaults={"title_en": "c", "title_zh": "章"})
    exercise, _ = Exercise.objects.get_or_create(
        slug="similarity-bench-softmax", chapter=chapter,
        defaults=dict(title_en="Softmax", title_zh="Softmax", statement_en="-", statement_zh="-",
                      starter_code=HEADER + "    raise NotImplementedError\n", reference_solution=HEADER + BODIES[0],
                      required_functions=["softmax"], check_suite="softmax"),
    )  # fmt: skip
    Submission.objects.filter(exercise=exercise).delete()
    User = get_user_model()
    users = []
    for i in range(args.students):
        user, _ = User.objects.get_or_create(username=f"similarity-bench-{i}")
        users.append(user)
    Enrollment.objects.bulk_create(
        [Enrollment(user=user, course=course) for user in users], ignore_conflicts=True
    )
    rng = random.Random(20261202)
    codes = [_variant(rng) for _ in users]
    for copy in range(PLANTED):  # a copy of another student's code, names changed
        codes[-1 - copy] = codes[copy].replace("x =", "inp =").replace("(x", "(inp")
    Submission.objects.bulk_create(
        [Submission(user=user, exercise=exercise, code=code, code_sha256="0" * 64) for user, code in zip(users, codes)]
    )
    report = SimilarityReport.objects.create(exercise=exercise, threshold=0.8)
    started = time.perf_counter()
    similarity_report_run(report_id=report.pk)
    elapsed = time.perf_counter() - started
    report.refresh_from_db()
    print(
        f"similarity over {report.submissions} submissions ({report.pairs_total} pairs), {os.cpu_count()} cores: "
        f"{elapsed:.1f} s, {report.pairs.count()} pairs >= {report.threshold:.0%} ({PLANTED} planted copies)"
    )
    print(f"  target: 500 submissions <= {TARGET_SECONDS:.0f} s")
    if report.status != "done":
        raise SystemExit(f"the report ended {report.status}: {report.problems}")
    if elapsed > TARGET_SECONDS * (args.students / 500) ** 2:
        raise SystemExit("similarity took longer than the target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
