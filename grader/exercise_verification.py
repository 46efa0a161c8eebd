"""Verifying an exercise's checks: its reference must pass and its known-wrong solutions must fail.

A reference solution that loses points, or a known-wrong solution that
passes, means the exercise's checks are wrong, whatever the students submit.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from grader.code_grading import grade_code
from grader.exercise_validation import mistake_declared
from grader.models import new_seed


@dataclass
class ExerciseCheck:
    slug: str
    problems: list[str] = field(default_factory=list)
    runs: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def exercise_check_reference(*, exercise, seeds: list[int] | None = None) -> ExerciseCheck:
    """The reference solution must earn full marks on every seed."""
    check = ExerciseCheck(slug=exercise.slug)
    for seed in seeds or [new_seed() for _ in range(3)]:
        report = grade_code(exercise=exercise, code=exercise.reference_solution, seed=seed)
        check.runs += 1
        if report.status != "graded" or report.score != report.max_score:
            failing = [test.name_en for test in report.tests if not test.passed]
            check.problems.append(
                f"reference solution scored {report.score}/{report.max_score} ({report.status}) with seed {seed}; "
                f"failing: {', '.join(failing) or 'none'}; feedback: {report.feedback_en[:300]}"
            )
    return check


@dataclass(frozen=True)
class KnownWrongOutcome:
    """What the checks made of one known-wrong solution: it must lose points."""

    name: str
    mistake: str
    seed: int
    status: str
    score: Decimal
    max_score: Decimal
    named: frozenset[str]

    @property
    def lost_points(self) -> bool:
        return self.score < self.max_score

    @property
    def problem(self) -> str:
        return f"{self.name}: a known-wrong solution earned full marks (seed {self.seed})"


def known_wrong_grade(*, exercise, name: str, mistake: str, code: str, seed: int | None = None) -> KnownWrongOutcome:
    """Grade one known-wrong solution as a student's submission (SandboxUnavailable propagates)."""
    run_seed = new_seed() if seed is None else seed
    report = grade_code(exercise=exercise, code=code, seed=run_seed)
    return KnownWrongOutcome(
        name=name, mistake=mistake, seed=run_seed, status=report.status,
        score=report.score, max_score=report.max_score,
        named=frozenset(test.mistake for test in report.tests if test.mistake),
    )  # fmt: skip


def exercise_check_mistakes(*, exercise, directory: Path, seed: int | None = None) -> ExerciseCheck:
    """Each known-wrong solution in `directory` must lose points, and be named when it declares its mistake."""
    check = ExerciseCheck(slug=exercise.slug)
    for path in sorted(directory.glob("*.py")):
        code = path.read_text(encoding="utf-8")
        declared = mistake_declared(code)
        outcome = known_wrong_grade(exercise=exercise, name=path.name, mistake=declared or "", code=code, seed=seed)
        check.runs += 1
        if not outcome.lost_points:
            check.problems.append(outcome.problem)
            continue
        if declared and declared not in outcome.named:
            check.problems.append(
                f"{path.name}: declares mistake {declared!r} but the checks named {sorted(outcome.named) or 'nothing'} "
                f"(seed {outcome.seed})"
            )
    return check
