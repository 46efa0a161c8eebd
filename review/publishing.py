"""Whether an exercise may be published: admin's rule, and the content loader's.

An exercise is held back when the latest verdict on its checks says they are
wrong, whatever the students would submit (exercise_publish_blockers):
  - its latest finished self-check (reference check) found the reference losing
    points, a known-wrong solution earning full marks, or could not run;
  - its latest finished self-check is out of date: the reference, the
    known-wrong solutions or the suite changed since (its fingerprint is not the
    exercise's), so whatever it said no longer speaks for the exercise;
  - its latest finished mutation report has a known-wrong solution that earned
    full marks.
A pending check does not count until it has answered. A mutation score below
90% is shown, not enforced: the mutants are generated, and a survivor may be an
equivalent one nobody has marked yet.

Publishing in admin (Assignment.clean(), which admin's form runs) asks more: a
current, passing self-check (exercise_publish_blockers_in_admin). An exercise
authored in admin has been graded by nobody until its author runs one.

The content loader (courses.services, run by `make install` and every deploy)
keeps the first rule only, where no verdict yet is no reason to hold an exercise
back: it must work without the sandbox, and the exercises it ships are graded
elsewhere, before they ship: `manage.py check_exercises` and the test suite in CI
grade every shipped reference on several seeds and every known-wrong solution of
content/exercises/<slug>/mistakes/, and a failure stops the change from merging.
"""

from grader.models import ReferenceCheck
from grader.services.reference_checks import reference_check_is_current


def _latest_answered_check(exercise) -> ReferenceCheck | None:
    return (
        ReferenceCheck.objects.filter(exercise=exercise)
        .exclude(status=ReferenceCheck.Status.PENDING)
        .order_by("-created_at", "-id")
        .first()
    )


def exercise_publish_blockers(*, exercise) -> list[str]:
    """Bilingual reasons the exercise's checks are known to be wrong; empty when none is (the loader's rule)."""
    return _blockers(exercise, _latest_answered_check(exercise), check_required=False)


def exercise_publish_blockers_in_admin(*, exercise) -> list[str]:
    """As exercise_publish_blockers, and without a current passing self-check: "run the self-check first"."""
    return _blockers(exercise, _latest_answered_check(exercise), check_required=True)


def _blockers(exercise, check: ReferenceCheck | None, *, check_required: bool) -> list[str]:
    from review.models import MutantResult, MutationReport

    blockers = []
    if check is None and check_required:
        pending = ReferenceCheck.objects.filter(exercise=exercise, status=ReferenceCheck.Status.PENDING).order_by("-id").first()
        if pending is not None:
            blockers.append(
                f"The self-check (reference check #{pending.pk}) has not answered yet: publish once it has passed. · "
                f"自检（参考答案检查 #{pending.pk}）尚未完成：通过后再发布。"
            )
        else:
            blockers.append(
                "Run the self-check first: in Exercises, select this exercise and run the action "
                "“Self-check”; once its answer under Reference checks reads Passed, publish. "
                "Nobody has yet graded this exercise's reference solution. · "
                "请先运行自检：在“练习”列表中选中本练习，执行“自检”操作；待“参考答案检查”中结果为“通过”后再发布。"
                "本练习的参考答案尚未经过评分。"
            )
    elif check is not None and not reference_check_is_current(check=check, exercise=exercise):
        blockers.append(
            f"The reference check is out of date: run it again (reference check #{check.pk} was made before "
            f"the reference solution, the known-wrong solutions or the checks last changed). · "
            f"参考答案检查已过期：请重新运行（参考答案检查 #{check.pk} 早于参考答案、已知错误解法或检查的最近一次修改）。"
        )
    elif check is not None and check.status == ReferenceCheck.Status.FAILED:
        survivors = list(check.known_wrong.filter(lost_points=False).values_list("name", flat=True))
        # Checks made before the known-wrong solutions were graded recorded nothing: their failure was the reference's.
        if check.reference_full_marks is not True:
            blockers.append(
                f"The reference solution loses points (reference check #{check.pk}): fix the reference or the checks first. · "
                f"参考答案未得满分（参考答案检查 #{check.pk}）：请先修正参考答案或检查。"
            )
        if survivors:
            names = ", ".join(survivors)
            blockers.append(
                f"Known-wrong solution(s) {names} earn full marks (reference check #{check.pk}): "
                f"add a check that catches each, then run the self-check again. · "
                f"已知错误解法 {names} 得了满分（参考答案检查 #{check.pk}）：请添加能发现它们的检查，再重新运行自检。"
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
    """Reasons `assignment` may not become published in admin; empty for a quiz or when nothing blocks it."""
    if assignment.exercise_id is None:
        return []
    return exercise_publish_blockers_in_admin(exercise=assignment.exercise)


def assignment_becomes_published(*, assignment) -> bool:
    """True when saving `assignment` would turn it from unpublished (or new) into published."""
    if not assignment.published:
        return False
    if assignment.pk is None or assignment._state.adding:
        return True
    stored = type(assignment)._default_manager.filter(pk=assignment.pk).values_list("published", flat=True).first()
    return stored is not True
