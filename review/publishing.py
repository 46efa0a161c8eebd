"""Whether an exercise may be published: the one rule admin, the model and the content loader share.

An exercise is held back when the latest verdict on its checks says they are
wrong, whatever the students would submit:
  - its latest finished reference check found the reference losing points
    (or could not run the checks at all);
  - its latest finished reference check is out of date: the reference, the
    known-wrong solutions or the suite changed since (its fingerprint is not the
    exercise's), so whatever it said no longer speaks for the exercise;
  - its latest finished mutation report has a known-wrong solution that earned
    full marks.
No verdict yet is not a reason to hold it back (the loader creates exercises
before any worker has graded them); a pending check does not count until it
has answered. A mutation score below 90% is shown, not enforced: the mutants
are generated, and a survivor may be an equivalent one nobody has marked yet.
"""

from grader.models import ReferenceCheck
from grader.services.reference_checks import reference_check_is_current


def exercise_publish_blockers(*, exercise) -> list[str]:
    """Bilingual reasons the exercise may not be published; empty when it may."""
    from review.models import MutantResult, MutationReport

    blockers = []
    check = (
        ReferenceCheck.objects.filter(exercise=exercise)
        .exclude(status=ReferenceCheck.Status.PENDING)
        .order_by("-created_at", "-id")
        .first()
    )
    if check is not None and not reference_check_is_current(check=check, exercise=exercise):
        blockers.append(
            f"The reference check is out of date: run it again (reference check #{check.pk} was made before "
            f"the reference solution, the known-wrong solutions or the checks last changed). · "
            f"参考答案检查已过期：请重新运行（参考答案检查 #{check.pk} 早于参考答案、已知错误解法或检查的最近一次修改）。"
        )
    elif check is not None and check.status == ReferenceCheck.Status.FAILED:
        blockers.append(
            f"The reference solution loses points (reference check #{check.pk}): fix the reference or the checks first. · "
            f"参考答案未得满分（参考答案检查 #{check.pk}）：请先修正参考答案或检查。"
        )
    elif check is not None and check.status == ReferenceCheck.Status.ERROR:
        blockers.append(
            f"The checks could not run on the reference solution (reference check #{check.pk}). · "
            f"检查无法在参考答案上运行（参考答案检查 #{check.pk}）。"
        )
    report = (
        MutationReport.objects.filter(exercise=exercise, status=MutationReport.Status.DONE)
        .order_by("-created_at", "-id")
        .first()
    )
    if report is not None:
        survivors = list(
            report.results.filter(kind=MutantResult.Kind.KNOWN_WRONG, outcome=MutantResult.Outcome.SURVIVED)
            .values_list("mutant_id", flat=True)
        )
        if survivors:
            names = ", ".join(survivors)
            blockers.append(
                f"Known-wrong solution(s) {names} earn full marks (mutation report #{report.pk}): the checks miss them. · "
                f"已知错误解法 {names} 得了满分（变异分析报告 #{report.pk}）：检查未能发现它们。"
            )
    return blockers


def assignment_publish_blockers(*, assignment) -> list[str]:
    """Reasons `assignment` may not become published; empty for a quiz or when nothing blocks it."""
    if assignment.exercise_id is None:
        return []
    return exercise_publish_blockers(exercise=assignment.exercise)


def assignment_becomes_published(*, assignment) -> bool:
    """True when saving `assignment` would turn it from unpublished (or new) into published."""
    if not assignment.published:
        return False
    if assignment.pk is None or assignment._state.adding:
        return True
    stored = type(assignment)._default_manager.filter(pk=assignment.pk).values_list("published", flat=True).first()
    return stored is not True
