"""Each student with submissions gets a grade per assignment, as grade_recompute would make it.

The historical models cannot call grades.services, so the rule is restated
here for the rows that exist today: no extensions, excusals or overrides exist
yet, and every assignment still has the defaults courses 0002 gave it (best
attempt, no due date, so no late penalty).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

COUNTED = {"graded", "error", "timeout", "memory_limit", "output_limit", "crashed"}
PENDING = {"queued", "running"}


def _next_sequence(schema_editor, apps):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT nextval('grades_change_seq')")
            return cursor.fetchone()[0]
    Counter = apps.get_model("grades", "GradeSequenceCounter")
    counter, _ = Counter.objects.get_or_create(pk=1)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def grades_from_submissions(apps, schema_editor):
    Assignment = apps.get_model("courses", "Assignment")
    Submission = apps.get_model("grader", "Submission")
    Grade = apps.get_model("grades", "Grade")
    GradeChange = apps.get_model("grades", "GradeChange")
    for assignment in Assignment.objects.exclude(exercise__isnull=True).order_by("pk"):
        by_user = {}
        for submission in Submission.objects.filter(exercise_id=assignment.exercise_id).order_by("created_at", "pk"):
            by_user.setdefault(submission.user_id, []).append(submission)
        max_score = Decimal(assignment.points).quantize(Decimal("0.001"))
        for user_id, submissions in sorted(by_user.items()):
            counted = [s for s in submissions if s.status in COUNTED and s.score is not None]
            if counted:
                best = max(counted, key=lambda s: s.score / s.max_score if s.max_score else Decimal(0))
                raw = best.score * assignment.points / best.max_score if best.max_score else Decimal(0)
                score, state, source = raw.quantize(Decimal("0.001"), ROUND_HALF_UP), "graded", best
            else:
                pending = any(s.status in PENDING for s in submissions)
                score, state, source = None, "pending" if pending else "not_submitted", None
            sequence = _next_sequence(schema_editor, apps)
            grade = Grade.objects.create(
                user_id=user_id,
                assignment=assignment,
                score=score,
                max_score=max_score,
                state=state,
                source_submission=source,
                source_run_id=source.current_run_id if source else None,
                sequence=sequence,
            )
            GradeChange.objects.create(
                grade=grade,
                cause="graded",
                old_state="",
                new_score=score,
                new_state=state,
                reason="carried over from the submissions graded before grades existed",
                sequence=sequence,
            )


class Migration(migrations.Migration):

    dependencies = [
        ("grades", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(grades_from_submissions, migrations.RunPython.noop),
    ]
