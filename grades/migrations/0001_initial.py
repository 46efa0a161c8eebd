import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATE_CHOICES = [
    ("not_submitted", "Not submitted · 未提交"),
    ("pending", "Being graded · 评分中"),
    ("graded", "Graded · 已评分"),
    ("excused", "Excused · 已免除"),
]
CAUSE_CHOICES = [
    ("submitted", "Submitted, being graded · 已提交，评分中"),
    ("graded", "Graded · 评分"),
    ("regraded", "Regraded · 重新评分"),
    ("late_penalty", "Late penalty · 迟交扣分"),
    ("extension", "Extension · 延期"),
    ("excused", "Excused · 免除"),
    ("override", "Instructor override · 教师调整"),
]


def sequence_create(apps, schema_editor):
    # The one sequence every grade change takes its number from (see grades.sequence).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS grades_change_seq")


def sequence_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS grades_change_seq")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("courses", "0002_assignments"),
        ("grader", "0003_grading_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="GradeSequenceCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Grade",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.DecimalField(blank=True, decimal_places=3, help_text="The score that counts.", max_digits=7, null=True)),
                ("max_score", models.DecimalField(decimal_places=3, max_digits=7)),
                ("state", models.CharField(choices=STATE_CHOICES, default="not_submitted", max_length=16)),
                ("late", models.BooleanField(default=False)),
                ("override_score", models.DecimalField(blank=True, decimal_places=3, help_text="An instructor's score, which wins over the policy.", max_digits=7, null=True)),
                ("override_reason", models.CharField(blank=True, max_length=500)),
                ("sequence", models.BigIntegerField(help_text="Of the last change; the LMS feed pages on it.", unique=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("assignment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="grades", to="courses.assignment")),
                ("source_run", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="grader.gradingrun")),
                ("source_submission", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="grader.submission")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="grades", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["assignment", "user"],
                "constraints": [models.UniqueConstraint(fields=("user", "assignment"), name="one_grade_per_student_and_assignment")],
            },
        ),
        migrations.CreateModel(
            name="GradeChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cause", models.CharField(choices=CAUSE_CHOICES, max_length=16)),
                ("old_score", models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True)),
                ("new_score", models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True)),
                ("old_state", models.CharField(blank=True, choices=STATE_CHOICES, max_length=16)),
                ("new_state", models.CharField(choices=STATE_CHOICES, max_length=16)),
                ("late", models.BooleanField(default=False)),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("sequence", models.BigIntegerField(unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("grade", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="grades.grade")),
            ],
            options={"ordering": ["sequence"]},
        ),
        migrations.RunPython(sequence_create, sequence_drop),
    ]
