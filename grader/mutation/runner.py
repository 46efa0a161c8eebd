"""Grade every mutant of an exercise's reference through the real sandbox.

A mutant is killed when the check suite takes points off it (or it fails to
run: an error, a timeout); it survives when it earns full marks. A survivor
is either a weakness of the suite (add a test) or a mutant no test could
kill (mark it equivalent in mutants.toml).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from grader.mutation.generate import Mutant, generate_mutants

# The one place the mutation runner reaches the grading path: every mutant is
# graded exactly as a student's submission would be.
from grader.code_grading import grade_code
from grader.sandbox import SandboxUnavailable

# Fixed, so that a report is reproducible and two runs agree on which mutants survive.
MUTATION_SEED = 20_240_917
# Statuses that mean our infrastructure failed rather than the mutant.
INFRASTRUCTURE_STATUSES = {"crashed"}
# Two graders in flight: while one waits on the sandbox (another process), the
# other builds its cases and judges, so both cores work.
GRADING_THREADS = 2
MINIMUM_SCORE = 0.9


@dataclass
class MutantResult:
    mutant: Mutant
    outcome: str  # killed | survived | equivalent | error
    status: str = ""
    score: str = ""
    reason: str = ""


@dataclass
class MutationReport:
    slug: str
    seed: int
    results: list[MutantResult] = field(default_factory=list)
    stale_marks: list[str] = field(default_factory=list)  # marked ids no current mutant has

    def count(self, outcome: str) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def score(self) -> float:
        """killed / (total - equivalent); 1.0 when every mutant is marked equivalent."""
        considered = self.total - self.count("equivalent")
        return self.count("killed") / considered if considered else 1.0

    @property
    def survivors(self) -> list[MutantResult]:
        return [result for result in self.results if result.outcome == "survived"]

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "seed": self.seed,
            "total": self.total,
            "killed": self.count("killed"),
            "survived": self.count("survived"),
            "equivalent": self.count("equivalent"),
            "errors": self.count("error"),
            "score": round(self.score, 4),
            "survivors": [
                {"id": r.mutant.id, "description": r.mutant.description, "diff": r.mutant.diff} for r in self.survivors
            ],
            "errored": [
                {"id": r.mutant.id, "description": r.mutant.description, "reason": r.reason}
                for r in self.results
                if r.outcome == "error"
            ],
            "stale_marks": self.stale_marks,
        }


@dataclass(frozen=True)
class Verdict:
    outcome: str  # killed | survived | error
    status: str = ""
    score: str = ""
    reason: str = ""


def code_verdict(*, exercise, code: str, seed: int = MUTATION_SEED) -> Verdict:
    """Grade one wrong version of the reference as a student's submission; killed unless it earns full marks.

    The one judgement the command, the benchmark and the report task share.
    """
    try:
        report = grade_code(exercise=exercise, code=code, seed=seed)
    except SandboxUnavailable as exc:
        return Verdict(outcome="error", reason=str(exc))
    if report.status in INFRASTRUCTURE_STATUSES:
        return Verdict(outcome="error", status=report.status, reason=report.feedback_en[:300])
    survived = report.status == "graded" and report.score >= report.max_score
    return Verdict(
        outcome="survived" if survived else "killed", status=report.status, score=f"{report.score}/{report.max_score}"
    )


def _grade_mutant(exercise, mutant: Mutant, seed: int) -> MutantResult:
    verdict = code_verdict(exercise=exercise, code=mutant.source, seed=seed)
    return MutantResult(
        mutant=mutant, outcome=verdict.outcome, status=verdict.status, score=verdict.score, reason=verdict.reason
    )


def exercise_mutation_report(
    *, exercise, equivalents: dict[str, str] | None = None, seed: int = MUTATION_SEED, threads: int = GRADING_THREADS
) -> MutationReport:
    """Generate the mutants of `exercise.reference_solution` and grade each one not marked equivalent."""
    equivalents = equivalents or {}
    mutants = generate_mutants(exercise.reference_solution)
    report = MutationReport(slug=exercise.slug, seed=seed)
    to_grade = [mutant for mutant in mutants if mutant.id not in equivalents]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as executor:
        graded = dict(zip((m.id for m in to_grade), executor.map(lambda m: _grade_mutant(exercise, m, seed), to_grade)))
    for mutant in mutants:
        if mutant.id in equivalents:
            report.results.append(MutantResult(mutant=mutant, outcome="equivalent", reason=equivalents[mutant.id]))
        else:
            report.results.append(graded[mutant.id])
    known = {mutant.id for mutant in mutants}
    report.stale_marks = sorted(set(equivalents) - known)
    return report
