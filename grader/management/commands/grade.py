"""`manage.py grade SLUG FILE [--json]`: grade a file exactly as a submission would be graded.

What it prints carries text the submission wrote (tracebacks, exception
messages, what it printed), and whoever runs it reads that in a terminal.
The sandbox's reader already shows control characters as escapes
(codec.clean_text); this says it twice, so that no text reaches the terminal
raw whatever its source: the table shows them as escapes, the JSON encodes
them as \\u escapes (lossless: a JSON reader gets the same strings back).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grader.code_grading import grade_code
from grader.models import Exercise, new_seed
from grader.sandbox import SandboxUnavailable
from grader.sandbox.codec import CONTROL_CODES, neutralise_controls
from grader.services import SubmissionRejected, submission_code_decode


class Command(BaseCommand):
    help = (
        "Grade FILE against exercise SLUG in the sandbox, with the same checks, limits and seeded inputs as a "
        "web submission. Exits 0 whatever the score; non-zero only when the exercise or the file cannot be used."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="exercise slug, e.g. softmax")
        parser.add_argument("file", help="the Python file to grade")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
        parser.add_argument("--seed", type=int, help="reproduce a grade: the seed of its test inputs")
        parser.add_argument("--lang", choices=["en", "zh"], default="en", help="language of messages")
        parser.add_argument("--cold", action="store_true", help="use a fresh sandbox instead of the warm pool")

    def handle(self, *args, slug, file, seed, lang, cold, **options):
        exercise = self._exercise(slug)
        code = self._code(Path(file))
        if seed is None:
            seed = new_seed()
        elif not 0 <= seed < 2**63:
            raise CommandError("--seed must be between 0 and 2**63 - 1 · --seed 须在 0 到 2**63 - 1 之间")
        try:
            report = grade_code(exercise=exercise, code=code, seed=seed, cold=cold)
        except SandboxUnavailable as exc:
            raise CommandError(f"the sandbox is unavailable · 沙箱不可用: {exc}") from exc
        result = {"exercise": exercise.slug, **report.as_dict(lang=lang)}
        if options["json"]:
            self.stdout.write(_json_dumps(result))
        else:
            self.stdout.write(_table(result))

    def _exercise(self, slug):
        try:
            return Exercise.objects.get(slug=slug)
        except Exercise.DoesNotExist:
            known = ", ".join(Exercise.objects.order_by("slug").values_list("slug", flat=True)) or "none (run `make install`)"
            raise CommandError(f"unknown exercise {slug!r}; known exercises: {known} · 没有这个练习，可用的练习：{known}") from None

    def _code(self, path: Path) -> str:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc} · 无法读取该文件") from None
        # The web's own rules: code the API would refuse is refused here too.
        try:
            return submission_code_decode(raw)
        except SubmissionRejected as exc:
            raise CommandError(f"{path}: {exc.message} · {exc.message_zh}") from None


# json escapes C0 controls itself; with ensure_ascii=False (Chinese stays
# readable) it leaves DEL, C1 controls and bidi overrides raw.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in CONTROL_CODES if code >= 0x20}


def _json_dumps(result) -> str:
    # Inside JSON strings only: outside them the text is ours (ASCII punctuation).
    return json.dumps(result, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES)


def _table(result) -> str:
    shown = neutralise_controls
    name_width = max((len(shown(test["name"])) for test in result["tests"]), default=4)
    score = f"score {result['score']:g} / {result['max_score']:g}"
    lines = [f"{shown(result['exercise'])}: {result['status']}  {score}  (seed {result['seed']})", ""]
    for test in result["tests"]:
        mark = "PASS" if test["passed"] else "FAIL"
        kind = "hidden " if test["hidden"] else "visible"
        lines.append(f"{mark}  {kind}  {shown(test['name']):<{name_width}}  {test['points']:g}/{test['max_points']:g}")
        if not test["passed"] and test["message"]:
            lines.extend("        " + line for line in shown(test["message"]).split("\n"))
    lines += ["", shown(result["feedback"])]
    return "\n".join(lines)
