"""Mutation analysis as a report: asked for in admin, prepared on "default", graded mutant by mutant.

Each mutant is its own message on the "grading" queue at the regrade priority,
so a live submission arriving mid-analysis is graded before the next mutant
(a worker takes the most urgent message waiting); the analysis only uses the
time live grading leaves. Every step is id-only and idempotent:
  - prepare claims the report (pending -> running) and creates its rows once;
  - grading a row claims it with a conditional UPDATE (a second delivery, or a
    second worker, finds it claimed and returns); a claim older than the task's
    hard limit is a dead worker's and may be taken again;
  - finishing is one conditional UPDATE (running -> done) once no row is pending;
  - the sweeper (review.services.mutation_sweep, on beat) sends again what a
    lost message or a dead worker left pending, and closes a row out of claims.
"""

import hashlib
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from grader.known_wrong import exercise_content_directory, exercise_known_wrong_solutions
from grader.models import Exercise
from grader.sweeping import sweep_cutoffs
from review.models import EquivalentMark, MutantResult, MutationReport

logger = logging.getLogger(__name__)

MARKED_IN_CONTENT = "content"
MARKED_IN_ADMIN = "admin"


class EquivalentMarkInvalid(ValueError):
    """A mark refused, with a message in both languages; nothing was changed."""


def exercise_equivalents(*, exercise: Exercise) -> dict[str, tuple[str, str]]:
    """Marked mutant id -> (reason, where marked): the content's mutants.toml, then admin's marks over it."""
    from grader.mutation.equivalents import equivalents_read

    marks: dict[str, tuple[str, str]] = {}
    directory = exercise_content_directory(exercise=exercise)
    if directory is not None:
        for mutant_id, reason in equivalents_read(exercise_dir=directory).items():
            marks[mutant_id] = (reason, MARKED_IN_CONTENT)
    for mutant_id, reason in EquivalentMark.objects.filter(exercise=exercise).values_list("mutant_id", "reason"):
        marks[mutant_id] = (reason, MARKED_IN_ADMIN)
    return marks


def mutation_report_request(*, exercise: Exercise, requested_by: AbstractBaseUser | None) -> MutationReport:
    """Store a pending report and queue its preparation after commit."""
    from grader.mutation.runner import MUTATION_SEED
    from review.tasks import mutation_report_prepare

    with transaction.atomic():
        report = MutationReport.objects.create(exercise=exercise, requested_by=requested_by, seed=MUTATION_SEED)
        transaction.on_commit(lambda: mutation_report_prepare.delay(report.pk), robust=True)
    return report


def mutation_report_prepare(*, report_id: int) -> list[int]:
    """Claim a pending report and create its rows; returns the ids of the rows still to grade (for the fan-out).

    Delivered twice, the second finds the report running and sends the
    pending rows again, which their claims make harmless.
    """
    # The claim and the rows commit together: a second delivery waits on the claim's row lock,
    # then finds the report running with all its rows, never running without them.
    with transaction.atomic():
        claimed = MutationReport.objects.filter(pk=report_id, status=MutationReport.Status.PENDING).update(
            status=MutationReport.Status.RUNNING
        )
        report = MutationReport.objects.select_related("exercise").filter(pk=report_id).first()
        if report is None or report.status != MutationReport.Status.RUNNING:
            return []
        if claimed and not _rows_create(report):
            return []
    rows = MutantResult.objects.filter(report_id=report_id, outcome=MutantResult.Outcome.PENDING)
    pending = list(rows.values_list("pk", flat=True))
    if not pending:
        mutation_report_finish(report_id=report_id)
    # Their messages go out now: the sweeper counts a row's wait from here.
    rows.filter(claimed_at__isnull=True).update(queued_at=timezone.now())
    return pending


def _rows_create(report: MutationReport) -> bool:
    """The report's rows: every mutant of the reference (marked ones already equivalent), then the
    known-wrong solutions. False, with the report closed as an error, when they cannot be made."""
    from grader.mutation.generate import generate_mutants

    exercise = report.exercise
    try:
        mutants = generate_mutants(exercise.reference_solution)
        equivalents = exercise_equivalents(exercise=exercise)
        known_wrong = exercise_known_wrong_solutions(exercise=exercise)
    except Exception as exc:  # noqa: BLE001 - a reference that does not parse, a bad mutants.toml: shown to its author
        logger.exception("mutation report %s: preparing failed", report.pk)
        MutationReport.objects.filter(pk=report.pk).update(
            status=MutationReport.Status.ERROR, problems=f"Could not prepare · 无法准备: {exc}", finished_at=timezone.now()
        )
        return False
    rows = []
    for position, mutant in enumerate(mutants):
        mark = equivalents.get(mutant.id)
        rows.append(
            MutantResult(
                report=report, position=position, kind=MutantResult.Kind.MUTANT, mutant_id=mutant.id,
                description=mutant.description, diff=mutant.diff, source=mutant.source,
                outcome=MutantResult.Outcome.EQUIVALENT if mark else MutantResult.Outcome.PENDING,
                reason=mark[0] if mark else "", marked_in=mark[1] if mark else "",
            )  # fmt: skip
        )
    for offset, (name, mistake, code) in enumerate(known_wrong):
        rows.append(
            MutantResult(
                report=report, position=len(mutants) + offset, kind=MutantResult.Kind.KNOWN_WRONG,
                mutant_id=name, description=f"known-wrong solution {name}" + (f" ({mistake})" if mistake else ""),
                source=code,
            )  # fmt: skip
        )
    MutantResult.objects.bulk_create(rows, ignore_conflicts=True)
    MutationReport.objects.filter(pk=report.pk).update(
        total=len(rows), reference_sha256=hashlib.sha256(exercise.reference_solution.encode()).hexdigest()
    )
    return True


def mutant_result_grade(*, result_id: int) -> str:
    """Grade one row of a report, once; then finish the report if it was the last.

    The claim counts (claim_count): a row a worker died on again and again is
    not claimed past GRADING_MAX_ATTEMPTS, and the sweeper closes it as the
    grader's failure. The verdict is stored under this claim only, so a worker
    whose claim the sweeper gave to another cannot write a second one.
    """
    from grader.mutation.runner import code_verdict

    cutoffs = sweep_cutoffs()
    claimed = (
        MutantResult.objects.filter(pk=result_id, outcome=MutantResult.Outcome.PENDING)
        .filter(claim_count__lt=cutoffs.max_claims)
        # Past the task's hard limit, the worker that claimed the row is gone: it may be claimed again.
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=cutoffs.running))
        .update(claimed_at=timezone.now(), claim_count=F("claim_count") + 1)
    )
    if not claimed:
        return "not_pending"
    # Just claimed, so no other worker can have claimed it since: this reads our own claim.
    result = MutantResult.objects.select_related("report__exercise").get(pk=result_id)
    verdict = code_verdict(exercise=result.report.exercise, code=result.source, seed=result.report.seed)
    stored = MutantResult.objects.filter(
        pk=result_id, outcome=MutantResult.Outcome.PENDING, claim_count=result.claim_count
    ).update(
        outcome=verdict.outcome, status=verdict.status, score=verdict.score, reason=verdict.reason,
        graded_at=timezone.now(),
    )  # fmt: skip
    if not stored:
        return "superseded"
    mutation_report_finish(report_id=result.report_id)
    return verdict.outcome


def _counts(report_id: int) -> dict:
    mutants = Q(kind=MutantResult.Kind.MUTANT)
    outcome = MutantResult.Outcome
    return MutantResult.objects.filter(report_id=report_id).aggregate(
        pending=Count("pk", filter=Q(outcome=outcome.PENDING)),
        killed=Count("pk", filter=mutants & Q(outcome=outcome.KILLED)),
        survived=Count("pk", filter=mutants & Q(outcome=outcome.SURVIVED)),
        equivalent=Count("pk", filter=mutants & Q(outcome=outcome.EQUIVALENT)),
        errors=Count("pk", filter=Q(outcome=outcome.ERROR)),
        mutant_errors=Count("pk", filter=mutants & Q(outcome=outcome.ERROR)),
    )


def _score(counts: dict) -> float | None:
    # As `check_exercises --mutants`: killed / (mutants - equivalent); a mutant the grader failed on is not killed.
    considered = counts["killed"] + counts["survived"] + counts["mutant_errors"]
    return counts["killed"] / considered if considered else None


def mutation_report_finish(*, report_id: int) -> bool:
    """When no row is pending, store the counts and the score (once)."""
    counts = _counts(report_id)
    if counts["pending"]:
        return False
    return bool(
        MutationReport.objects.filter(pk=report_id, status=MutationReport.Status.RUNNING).update(
            status=MutationReport.Status.DONE, killed=counts["killed"], survived=counts["survived"],
            equivalent=counts["equivalent"], errors=counts["errors"], score=_score(counts), finished_at=timezone.now(),
        )  # fmt: skip
    )


def mutation_reports_resume(*, reports) -> int:
    """Queue the preparation of each running report again, which re-sends its pending rows.

    For a message lost with Redis: the claims make a row still queued, or in
    flight, harmless to send twice.
    """
    from review.tasks import mutation_report_prepare

    ids = list(reports.filter(status=MutationReport.Status.RUNNING).values_list("pk", flat=True))
    for report_id in ids:
        transaction.on_commit(lambda report_id=report_id: mutation_report_prepare.delay(report_id), robust=True)
    return len(ids)


def equivalent_mark_validate(*, exercise: Exercise, mutant_id: str, reason: str) -> None:
    """Raise EquivalentMarkInvalid (in both languages) unless the mark may be made.

    Refused: no reason; an id no report of the exercise lists; a known-wrong
    solution (wrong by definition); a mutant already marked, here or in the content.
    """
    reason = (reason or "").strip()
    mutant_id = (mutant_id or "").strip()
    if not reason:
        raise EquivalentMarkInvalid(
            "Say why no correct check can tell this mutant from the reference. · "
            "请说明为何任何正确的检查都无法区分该变异体与参考答案。"
        )
    rows = MutantResult.objects.filter(report__exercise=exercise, mutant_id=mutant_id)
    kinds = set(rows.values_list("kind", flat=True))
    if not kinds:
        raise EquivalentMarkInvalid(
            f"No mutation report of {exercise.slug} has a mutant {mutant_id!r}. · "
            f"{exercise.slug} 的变异分析报告中没有变异体 {mutant_id!r}。"
        )
    if MutantResult.Kind.KNOWN_WRONG in kinds:
        raise EquivalentMarkInvalid("A known-wrong solution cannot be marked equivalent. · 已知错误解法不能标记为等价。")
    if mutant_id in exercise_equivalents(exercise=exercise):
        raise EquivalentMarkInvalid(f"Mutant {mutant_id} is already marked equivalent. · 变异体 {mutant_id} 已标记为等价。")


def equivalent_mark_create(
    *, exercise: Exercise, mutant_id: str, reason: str, marked_by: AbstractBaseUser | None
) -> EquivalentMark:
    """Mark a surviving mutant equivalent: stored, and applied at once to the exercise's reports that list it."""
    equivalent_mark_validate(exercise=exercise, mutant_id=mutant_id, reason=reason)
    reason, mutant_id = reason.strip(), mutant_id.strip()
    rows = MutantResult.objects.filter(report__exercise=exercise, mutant_id=mutant_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                mark = EquivalentMark.objects.create(
                    exercise=exercise, mutant_id=mutant_id, reason=reason, marked_by=marked_by,
                    description=rows.values_list("description", flat=True).first() or "",
                )  # fmt: skip
        except IntegrityError:  # marked by someone else since the check above
            raise EquivalentMarkInvalid(
                f"Mutant {mutant_id} is already marked equivalent. · 变异体 {mutant_id} 已标记为等价。"
            ) from None
        survivors = rows.filter(outcome=MutantResult.Outcome.SURVIVED)
        report_ids = set(survivors.values_list("report_id", flat=True))
        survivors.update(outcome=MutantResult.Outcome.EQUIVALENT, reason=reason, marked_in=MARKED_IN_ADMIN)
        for report_id in report_ids:
            _recount(report_id)
    return mark


def _recount(report_id: int) -> None:
    counts = _counts(report_id)
    MutationReport.objects.filter(pk=report_id, status=MutationReport.Status.DONE).update(
        killed=counts["killed"], survived=counts["survived"], equivalent=counts["equivalent"],
        errors=counts["errors"], score=_score(counts),
    )  # fmt: skip
