"""The one service that recomputes a grade: policy, late penalty, extension, excusal, override, history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from courses.models import Assignment
from grader.models import Submission
from grades.models import Grade, GradeChange
from grades.services import (
    GradeOverrideInvalid,
    excusal_set,
    extension_grant,
    grade_override,
    grade_recompute,
    late_penalty_percent,
)

pytestmark = pytest.mark.django_db


def _grade(user, assignment) -> Grade:
    return Grade.objects.get(user=user, assignment=assignment)


def _history(user, assignment) -> list[tuple]:
    return list(
        GradeChange.objects.filter(grade__user=user, grade__assignment=assignment)
        .order_by("sequence")
        .values_list("cause", "old_score", "new_score", "old_state", "new_state")
    )


def test_submitting_makes_the_grade_pending_then_grading_sets_it(alice, assignment, exercise, submit_and_grade):
    submission = submit_and_grade(alice, exercise, None)
    assert _grade(alice, assignment).state == "pending"

    from grades_helpers import grade_pending_run

    grade_pending_run(submission, "7.5")
    grade = _grade(alice, assignment)
    # 7.5 of the exercise's 10 is 15 of the assignment's 20.
    assert (grade.score, grade.max_score, grade.state, grade.late) == (Decimal("15.000"), Decimal("20.000"), "graded", False)
    assert grade.source_submission_id == submission.pk and grade.source_run_id == submission.current_run_id
    assert _history(alice, assignment) == [
        ("submitted", None, None, "", "pending"),
        ("graded", None, Decimal("15.000"), "pending", "graded"),
    ]


def test_the_best_attempt_counts_by_default_and_the_last_when_asked(alice, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "8")
    submit_and_grade(alice, exercise, "4")
    assert _grade(alice, assignment).score == Decimal("16.000")

    Assignment.objects.filter(pk=assignment.pk).update(grade_policy="last")
    assignment.refresh_from_db()
    grade = grade_recompute(student=alice, assignment=assignment, cause="late_penalty")
    assert grade.score == Decimal("8.000")


def test_a_crash_is_a_grade_but_our_failure_is_not(alice, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "0", status="crashed")
    grade = _grade(alice, assignment)
    assert (grade.score, grade.state) == (Decimal("0.000"), "graded")


@pytest.mark.parametrize(
    ("late_by", "percent"),
    [(timedelta(0), 0), (timedelta(minutes=1), 10), (timedelta(days=1), 10), (timedelta(days=1, seconds=1), 20),
     (timedelta(days=30), 50)],
)  # fmt: skip
def test_the_late_penalty_is_per_day_or_part_and_capped(assignment, late_by, percent):
    assignment.late_penalty_per_day, assignment.late_penalty_cap = Decimal(10), Decimal(50)
    due = timezone.now()
    assert late_penalty_percent(assignment=assignment, due_at=due, submitted_at=due + late_by) == percent


def test_a_late_submission_loses_the_penalty_and_an_extension_gives_it_back(
    alice, teacher, assignment, exercise, submit_and_grade
):
    Assignment.objects.filter(pk=assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=1), late_penalty_per_day=25, late_penalty_cap=100
    )
    assignment.refresh_from_db()
    submit_and_grade(alice, exercise, "10")
    grade = _grade(alice, assignment)
    assert (grade.score, grade.late) == (Decimal("15.000"), True)

    extension_grant(
        student=alice, assignment=assignment, actor=teacher, due_at=timezone.now() + timedelta(days=1), reason="ill"
    )
    grade = _grade(alice, assignment)
    assert (grade.score, grade.late) == (Decimal("20.000"), False)
    change = GradeChange.objects.filter(grade=grade).latest("sequence")
    assert (change.cause, change.old_score, change.new_score, change.actor, change.reason) == (
        "extension", Decimal("15.000"), Decimal("20.000"), teacher, "ill",
    )  # fmt: skip


def test_an_excused_student_has_no_score_until_the_excusal_is_taken_back(alice, teacher, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "6")
    excusal_set(student=alice, assignment=assignment, excused=True, actor=teacher, reason="medical")
    grade = _grade(alice, assignment)
    assert (grade.score, grade.state) == (None, "excused")
    excusal_set(student=alice, assignment=assignment, excused=False, actor=teacher, reason="back")
    grade = _grade(alice, assignment)
    assert (grade.score, grade.state) == (Decimal("12.000"), "graded")
    assert [cause for cause, *_ in _history(alice, assignment)][-2:] == ["excused", "excused"]


def test_an_instructor_overrides_with_a_reason_and_can_lift_it(alice, teacher, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "5")
    with pytest.raises(GradeOverrideInvalid):
        grade_override(student=alice, assignment=assignment, score=Decimal(18), actor=teacher, reason=" ")
    with pytest.raises(GradeOverrideInvalid):
        grade_override(student=alice, assignment=assignment, score=Decimal(21), actor=teacher, reason="too much")
    assert _grade(alice, assignment).score == Decimal("10.000")  # the refusals changed nothing

    grade_override(student=alice, assignment=assignment, score=Decimal(18), actor=teacher, reason="oral exam")
    assert _grade(alice, assignment).score == Decimal("18.000")
    # A later grading does not undo an override.
    submit_and_grade(alice, exercise, "10")
    assert _grade(alice, assignment).score == Decimal("18.000")
    grade_override(student=alice, assignment=assignment, score=None, actor=teacher, reason="lifted")
    assert _grade(alice, assignment).score == Decimal("20.000")
    overrides = GradeChange.objects.filter(grade__user=alice, cause="override").order_by("sequence")
    assert [(c.new_score, c.reason, c.actor) for c in overrides] == [
        (Decimal("18.000"), "oral exam", teacher), (Decimal("20.000"), "lifted", teacher),
    ]  # fmt: skip


def test_nothing_is_recorded_when_nothing_changes(alice, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "10")
    before = GradeChange.objects.count()
    grade_recompute(student=alice, assignment=assignment, cause="regraded")
    assert GradeChange.objects.count() == before


def test_every_change_takes_the_next_number_of_one_sequence(alice, bob, assignment, exercise, submit_and_grade):
    for user, score in ((alice, "2"), (bob, "4"), (alice, "6"), (bob, "8")):
        submit_and_grade(user, exercise, score)
    sequences = list(GradeChange.objects.order_by("id").values_list("sequence", flat=True))
    # Each: submitted (pending), graded, then graded again with a better score.
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences) == 6
    for grade in Grade.objects.all():
        assert grade.sequence == GradeChange.objects.filter(grade=grade).latest("sequence").sequence
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM grades_change_seq")
            assert cursor.fetchone()[0] == max(sequences)


def test_a_grade_history_is_append_only(alice, teacher, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "3")
    first = list(GradeChange.objects.order_by("sequence").values())
    grade_override(student=alice, assignment=assignment, score=Decimal(1), actor=teacher, reason="copying")
    after = list(GradeChange.objects.order_by("sequence").values())
    assert after[: len(first)] == first and len(after) == len(first) + 1
    assert Submission.objects.filter(user=alice).count() == 1


def test_the_grade_lock_takes_the_grade_row_only(alice, bob, assignment, exercise, submit_and_grade):
    # Locking the assignment row too (Grade's ordering joins it) made two students'
    # concurrent submits deadlock at commit, behind the sequence lock.
    from django.test.utils import CaptureQueriesContext

    submit_and_grade(alice, exercise, "5")
    with CaptureQueriesContext(connection) as queries:
        grade_recompute(student=alice, assignment=assignment, cause="graded")
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1 and "JOIN" not in locks[0] and "courses_assignment" not in locks[0]
