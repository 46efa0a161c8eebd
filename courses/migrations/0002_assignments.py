"""Assignments, extensions and excusals; every existing exercise becomes an assignment.

Exercise.attempt_limit moves here, and Exercise.is_open becomes a hard close:
a closed exercise's assignment closes at the moment of this migration
(grader 0003 then removes both fields from Exercise).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def exercises_to_assignments(apps, schema_editor):
    Exercise = apps.get_model("grader", "Exercise")
    Assignment = apps.get_model("courses", "Assignment")
    now = timezone.now()
    Assignment.objects.bulk_create(
        [
            Assignment(
                course_id=exercise.chapter.course_id,
                slug=exercise.slug,
                kind="coding",
                exercise=exercise,
                points=exercise.points,
                attempt_limit=exercise.attempt_limit,
                closes_at=None if exercise.is_open else now,
                published=True,
            )
            for exercise in Exercise.objects.select_related("chapter").filter(assignment__isnull=True)
        ]
    )


def assignments_to_exercises(apps, schema_editor):
    Assignment = apps.get_model("courses", "Assignment")
    Exercise = apps.get_model("grader", "Exercise")
    for assignment in Assignment.objects.exclude(exercise__isnull=True):
        Exercise.objects.filter(pk=assignment.exercise_id).update(
            attempt_limit=assignment.attempt_limit, is_open=assignment.closes_at is None
        )


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("courses", "0001_initial"),
        ("grader", "0002_test_result_name_zh"),
    ]

    operations = [
        migrations.CreateModel(
            name="Assignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(help_text="A coding assignment's slug is its exercise's.", unique=True)),
                ("kind", models.CharField(choices=[("coding", "Coding exercise · 编程练习"), ("quiz", "Quiz · 测验")], default="coding", max_length=16)),
                ("points", models.DecimalField(decimal_places=2, default=10, max_digits=6)),
                ("opens_at", models.DateTimeField(blank=True, help_text="Empty: open now.", null=True)),
                ("due_at", models.DateTimeField(blank=True, help_text="Empty: never late.", null=True)),
                ("closes_at", models.DateTimeField(blank=True, help_text="Hard close. Empty: never closes.", null=True)),
                ("late_penalty_per_day", models.DecimalField(decimal_places=2, default=0, help_text="Percent of the score taken off per day (or part) late.", max_digits=5)),
                ("late_penalty_cap", models.DecimalField(decimal_places=2, default=100, help_text="The most the late penalty takes off, in percent.", max_digits=5)),
                ("attempt_limit", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited attempts.", null=True)),
                ("grade_policy", models.CharField(choices=[("best", "Best attempt · 最高分"), ("last", "Last attempt · 最后一次")], default="best", max_length=8)),
                ("published", models.BooleanField(default=True)),
                ("course", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="courses.course")),
                ("exercise", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="assignment", to="grader.exercise")),
            ],
            options={
                "ordering": ["course", "slug"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("kind", "coding"), _negated=True) | models.Q(("exercise__isnull", False)), name="coding_assignment_has_exercise"),
                    models.CheckConstraint(condition=models.Q(("late_penalty_cap__gte", 0), ("late_penalty_cap__lte", 100), ("late_penalty_per_day__gte", 0)), name="late_penalty_is_a_percentage"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Extension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("due_at", models.DateTimeField(blank=True, help_text="Empty: the assignment's.", null=True)),
                ("closes_at", models.DateTimeField(blank=True, help_text="Empty: the assignment's.", null=True)),
                ("extra_attempts", models.PositiveIntegerField(default=0)),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("granted_at", models.DateTimeField(auto_now=True)),
                ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="extensions", to="courses.assignment")),
                ("granted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="extensions", to=settings.AUTH_USER_MODEL)),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("assignment", "user"), name="one_extension_per_student")]},
        ),
        migrations.CreateModel(
            name="Excusal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("excused_at", models.DateTimeField(auto_now_add=True)),
                ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="excusals", to="courses.assignment")),
                ("excused_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="excusals", to=settings.AUTH_USER_MODEL)),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("assignment", "user"), name="one_excusal_per_student")]},
        ),
        migrations.RunPython(exercises_to_assignments, assignments_to_exercises),
    ]
