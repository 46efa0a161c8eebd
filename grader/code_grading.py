"""Grade one piece of code against one exercise: checks outside, code inside the sandbox.

(No database here: grader.services.runs stores what this returns as a GradingRun.)

This is the single grading path: the Celery task, `manage.py grade` and the
benchmarks all come through `grade_code`, so a grade is reproducible from
(exercise, code, seed) whichever channel produced it.
"""

import functools
import hashlib
import inspect
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from grader import checks
from grader.feedback import summary_text
from grader.sandbox.types import Limits
from grader.sandbox_settings import run_in_sandbox
from grader.visible_data import weights_for_heatmap

logger = logging.getLogger(__name__)

POINTS_QUANTUM = Decimal("0.001")


class UnknownRunStatus(Exception):
    """The sandbox answered with a status this code does not know: our bug, never the student's "crashed"."""

# A RunOutcome status becomes the grade's status; "ok" means the code ran to the end.
_STATUS_FROM_RUN = {
    "ok": "graded",
    "error": "error",
    "timeout": "timeout",
    "memory_limit": "memory_limit",
    "output_limit": "output_limit",
    "crashed": "crashed",
}


@dataclass
class TestReport:
    position: int
    name_en: str
    name_zh: str
    passed: bool
    hidden: bool
    points: Decimal
    max_points: Decimal
    message_en: str
    message_zh: str
    mistake: str = ""
    # The check's identity across seeds (grader.checks.base.Case.key).
    check_key: str = ""
    # Visible tests only: what a page may draw beyond the message (grader.visible_data).
    visible_data: dict = field(default_factory=dict)

    __test__ = False  # not a pytest test class, despite the name


@dataclass
class GradeReport:
    status: str
    score: Decimal
    max_score: Decimal
    feedback_en: str
    feedback_zh: str
    seed: int
    tests: list[TestReport] = field(default_factory=list)
    duration_ms: float = 0.0
    # The sandbox's own account of how the run ended (a signal, a harness exit
    # code, a broken zygote): kept on the run for staff, never shown to students.
    operator_detail: str = ""

    def as_dict(self, *, lang: str = "en") -> dict:
        """COURSE.md's result shape, in one language."""
        zh = lang.startswith("zh")
        return {
            "status": self.status,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "feedback": self.feedback_zh if zh else self.feedback_en,
            "seed": self.seed,
            "tests": [
                {
                    "name": test.name_zh if zh else test.name_en,
                    "passed": test.passed,
                    "hidden": test.hidden,
                    "points": float(test.points),
                    "max_points": float(test.max_points),
                    "message": test.message_zh if zh else test.message_en,
                }
                for test in self.tests
            ],
        }


def limits_for(exercise) -> Limits:
    return Limits(
        cpu_seconds=float(exercise.cpu_limit_seconds),
        wall_seconds=float(exercise.wall_limit_seconds),
        memory_mb=int(exercise.memory_limit_mb),
    )


def split_points(total: Decimal, weights: list[float]) -> list[Decimal]:
    """Per-test points proportional to the weights, adding up to `total` exactly."""
    weight_sum = sum(weights)
    if not weights or weight_sum <= 0:
        return [Decimal(0)] * len(weights)
    shares = [(total * Decimal(repr(w)) / Decimal(repr(weight_sum))).quantize(POINTS_QUANTUM, ROUND_HALF_UP) for w in weights]
    # Rounding must not make a perfect submission score 9.999 out of 10.
    shares[-1] += total - sum(shares)
    return shares


def grade_code(*, exercise, code: str, seed: int, cold: bool = False, visible_only: bool = False) -> GradeReport:
    """Grade `code` for `exercise` with the test inputs drawn from `seed`.

    A student's failure (syntax error, crash, timeout...) is a report with a
    named status. Only an infrastructure failure raises (SandboxUnavailable).
    `visible_only` is the students' precheck: the hidden cases are dropped
    before anything reaches the sandbox, so they are never run, and the points
    are those of the visible tests alone (a precheck is no grade).
    """
    started = time.perf_counter()
    cases = checks.build_cases(exercise.check_suite, params=exercise.check_params or {}, seed=seed)
    if visible_only:
        cases = [case for case in cases if not case.hidden]
    run = run_in_sandbox(
        code=code,
        calls=[case.call for case in cases],
        required=list(exercise.required_functions),
        limits=limits_for(exercise),
        cold=cold,
        # The expected values are needed only to judge: compute them while the
        # submission runs (the sandbox is another process, on the other core).
        while_waiting=lambda: [case.expected for case in cases],
    )
    max_points = split_points(Decimal(exercise.points), [case.weight for case in cases])
    if run.status not in _STATUS_FROM_RUN:
        logger.error("sandbox returned unknown status %r; detail: %s", run.status, run.detail)
        raise UnknownRunStatus(f"sandbox status {run.status!r} ({run.detail})")
    status = _STATUS_FROM_RUN[run.status]
    verdicts = checks.judge_run(cases, run, status=status)
    tests = []
    for position, (case, case_max, verdict) in enumerate(zip(cases, max_points, verdicts), start=1):
        tests.append(
            TestReport(
                position=position,
                name_en=case.name_en,
                name_zh=case.name_zh,
                passed=verdict.passed,
                hidden=case.call.hidden,
                points=case_max if verdict.passed else Decimal(0),
                max_points=case_max,
                message_en=verdict.message_en,
                message_zh=verdict.message_zh,
                mistake=verdict.mistake,
                check_key=case.key,
                visible_data={} if case.hidden else weights_for_heatmap(case, run.calls.get(case.call.name)),
            )
        )
    if run.detail and status != "graded":
        logger.info("exercise %s seed %s: %s: %s", exercise.slug, seed, status, run.detail)
    score = sum((test.points for test in tests), Decimal(0))
    # A precheck's points are its visible tests' alone: it is no grade.
    max_score = (sum((test.max_points for test in tests), Decimal(0)) if visible_only else Decimal(exercise.points)).quantize(
        POINTS_QUANTUM
    )
    feedback_en, feedback_zh = summary_text(
        status=status,
        run=run,
        tests=tests,
        limits=limits_for(exercise),
        score=score,
        max_score=max_score,
        code=code,
        hidden_hint=checks.hidden_hint(exercise.check_suite),
    )
    return GradeReport(
        status=status,
        score=score.quantize(POINTS_QUANTUM),
        max_score=max_score,
        feedback_en=feedback_en,
        feedback_zh=feedback_zh,
        seed=seed,
        tests=tests,
        duration_ms=(time.perf_counter() - started) * 1000,
        operator_detail=run.detail,
    )


@functools.cache
def _suite_source_digest(suite_name: str) -> str:
    # Source does not change under a running process: hashed once per suite.
    import engine
    from grader.checks import base, compare, messages, verdicts
    from grader.checks.registry import _MODULES

    modules = [m for m in _MODULES if m.SUITE.name == suite_name] + [base, compare, messages, verdicts]
    digest = hashlib.sha256()
    for module in modules:
        digest.update(inspect.getsource(module).encode("utf-8"))
    # The expected values come from the engine: a change there can change a grade.
    for path in sorted(Path(engine.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def suite_version(exercise) -> str:
    """A hash of everything that decides a grade besides the code and the seed.

    The check suite's source (its module and the shared judging code), its
    parameters, the points and the required functions: a run graded under
    another version is out of date, and `regrade --outdated` finds it.
    """
    digest = hashlib.sha256(_suite_source_digest(exercise.check_suite).encode("ascii"))
    settings = {
        "suite": exercise.check_suite,
        "params": exercise.check_params or {},
        "points": str(Decimal(exercise.points).quantize(POINTS_QUANTUM)),
        "required": list(exercise.required_functions),
        "limits": [float(exercise.cpu_limit_seconds), float(exercise.wall_limit_seconds), int(exercise.memory_limit_mb)],
    }
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]
