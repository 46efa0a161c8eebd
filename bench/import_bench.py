"""Importing a question bank: a generated 1,000-question GIFT file parsed and
validated (quizzes.gift.parse_gift), the same questions as Moodle XML, and, with
a PostgreSQL database, the whole import through quizzes.importing: into a new
quiz, the same file again (nothing to write), and a file that edits every
question (1,000 updates), timed.

    .venv/bin/python bench/import_bench.py [--questions 1000] [--repeat 3]
    DATABASE_URL=postgres://... .venv/bin/python bench/import_bench.py   # adds the database part

Target (issue 9): a 1,000-question GIFT file imports in at most 5 s. Prints the
best of the repeats and its share of the target; exits non-zero when missed.
The database part (`make bench` gives it BENCH_DATABASE_URL) creates its database
when missing, migrates it, and imports into a course of its own, deleting the
quiz between repeats; without DATABASE_URL it is skipped and says so.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from quizzes.gift import parse_gift  # noqa: E402
from quizzes.moodle_xml import export_moodle_xml, parse_moodle_xml  # noqa: E402

TARGET_SECONDS = 5.0
WORDS = ("attention", "token", "softmax", "注意力", "向量", "模型", "layer", "bigram", "embedding")


def _words(rng, count):
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _question(rng, n):
    """One GIFT question of a type picked in turn, with escapes and feedback."""
    prompt = f"::q{n}:: [zh]{_words(rng, 12)} \\{{x\\}}？[en]{_words(rng, 14)} \\= 1?"
    kind = n % 6
    if kind == 0:
        body = f"={_words(rng, 3)} ~{_words(rng, 4)}#no ~{_words(rng, 5)} ~{_words(rng, 2)}"
    elif kind == 1:
        body = f"~%50%{_words(rng, 3)} ~%50%{_words(rng, 4)} ~%-100%{_words(rng, 5)}"
    elif kind == 2:
        body = rng.choice(["T", "FALSE"])
    elif kind == 3:
        body = f"#={rng.uniform(-100, 100):.3f}:0.01 ={rng.uniform(-100, 100):.3f}:0.5"
    elif kind == 4:
        body = f"=answer{n} =回答{n} =%0%wrong#a common slip"
    else:
        body = " ".join(f"=left{n}x{i} -> right{n}x{i}" for i in range(4))
    return f"// question {n}\n{prompt} {{{body} ####{_words(rng, 10)}}}\n"


def generate(count, seed=20261201):
    rng = random.Random(seed)
    return "\n".join(_question(rng, n) for n in range(1, count + 1))


def _best(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gift = generate(args.questions)
    seconds, items = _best(lambda: parse_gift(gift), args.repeat)
    assert len(items) == args.questions, len(items)
    xml = export_moodle_xml(items)
    xml_seconds, xml_items = _best(lambda: parse_moodle_xml(xml), args.repeat)
    assert xml_items == items
    print(f"GIFT: {args.questions} questions ({len(gift) / 1024:.0f} KiB) parsed and validated "
          f"in {seconds:.3f} s = {seconds / TARGET_SECONDS:.1%} of the {TARGET_SECONDS:.0f} s target")
    print(f"Moodle XML: the same questions ({len(xml) / 1024:.0f} KiB) in {xml_seconds:.3f} s "
          f"({xml_seconds / seconds:.2f}x the GIFT time)")
    missed = seconds > TARGET_SECONDS
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missed |= _database_part(gift, args)
    else:
        print("database part skipped: set DATABASE_URL to a PostgreSQL database (make bench does)")
    if missed:
        print("TARGET MISSED", file=sys.stderr)
        return 1
    return 0


def _database_part(gift, args) -> bool:
    """The import through the service into PostgreSQL; True when the target is missed."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    from load_bench import ensure_database, setup_django

    ensure_database(os.environ["DATABASE_URL"])
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key"}
    os.environ.update({key: env[key] for key in ("DEBUG", "SECRET_KEY")})
    subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
                   cwd=REPO_ROOT, env=env, check=True)
    setup_django()
    from courses.models import Assignment, Course
    from quizzes.importing import quiz_questions_import
    from quizzes.models import Quiz

    course, _ = Course.objects.get_or_create(slug="import-bench", defaults={"title_en": "Import bench", "title_zh": "导入测试"})

    def forget():
        Assignment.objects.filter(slug="import-bench-quiz").delete()
        Quiz.objects.filter(slug="import-bench-quiz").delete()

    edited = generate(args.questions, seed=20261202)  # the same titles, every question's text changed
    created, unchanged, updated = [], [], []
    for _ in range(args.repeat):
        forget()
        for times, text, count in ((created, gift, "created"), (unchanged, gift, "unchanged"), (updated, edited, "updated")):
            started = time.perf_counter()
            result = quiz_questions_import(course=course, quiz_slug="import-bench-quiz", text=text, format="gift")
            times.append(time.perf_counter() - started)
            assert result.ok and getattr(result, count) == args.questions, (count, result.errors[:3])
    forget()
    print(f"through the service into PostgreSQL: {args.questions} new questions (and their quiz) in "
          f"{min(created):.3f} s = {min(created) / TARGET_SECONDS:.1%} of the target; the same file again "
          f"(nothing to write) in {min(unchanged):.3f} s; every question edited, {args.questions} updates, "
          f"in {min(updated):.3f} s")
    return max(min(created), min(unchanged), min(updated)) > TARGET_SECONDS


if __name__ == "__main__":
    sys.exit(main())
