"""Importing a question bank: a generated 1,000-question GIFT file parsed and
validated (quizzes.gift.parse_gift), and the same questions as Moodle XML, timed.

    .venv/bin/python bench/import_bench.py [--questions 1000] [--repeat 3]

Target (issue 9): a 1,000-question GIFT file imports in at most 5 s. Prints the
best of the repeats and its share of the target; exits non-zero when missed.
Pure Python, no Django, no database: the admin upload and import_questions add
one transaction on top of this.
"""

import argparse
import random
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
    if seconds > TARGET_SECONDS:
        print("TARGET MISSED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
