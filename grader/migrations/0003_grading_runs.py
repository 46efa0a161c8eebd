"""Grading runs: each submission's result moves onto a run; test rows hang off the run.

Every existing submission gets one run (reason "first") holding its status,
score, feedback, claim count and times, with suite_version "legacy" (so
`regrade --outdated` finds it), and its test rows move to that run. Then
TestResult.name becomes name_en, Submission.attempts (worker claims) lives on
as the run's claim_count, and Exercise's attempt_limit / is_open are gone
(courses 0002 moved them into the Assignment).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUS_CHOICES = [
    ("queued", "Queued · 排队中"),
    ("running", "Running · 评分中"),
    ("graded", "Graded · 已评分"),
    ("error", "Error · 出错"),
    ("timeout", "Time limit · 超时"),
    ("memory_limit", "Memory limit · 内存超限"),
    ("output_limit", "Output limit · 输出超限"),
    ("crashed", "Crashed · 崩溃"),
    ("internal_error", "Grader failure · 评分系统故障"),
]
LEGACY_SUITE_VERSION = "legacy"


def submissions_to_runs(apps, schema_editor):
    Submission = apps.get_model("grader", "Submission")
    GradingRun = apps.get_model("grader", "GradingRun")
    TestResult = apps.get_model("grader", "TestResult")
    for submission in Submission.objects.order_by("pk").iterator(chunk_size=500):
        run = GradingRun.objects.create(
            submission=submission,
            reason="first",
            seed=submission.seed,
            suite_version=LEGACY_SUITE_VERSION,
            status=submission.status,
            score=submission.score,
            max_score=submission.max_score,
            feedback_en=submission.feedback_en,
            feedback_zh=submission.feedback_zh,
            claim_count=submission.attempts,
            queued_at=submission.created_at,
            started_at=submission.started_at,
            finished_at=submission.graded_at,
        )
        TestResult.objects.filter(submission=submission).update(run=run)
        Submission.objects.filter(pk=submission.pk).update(current_run=run)


def runs_to_submissions(apps, schema_editor):
    Submission = apps.get_model("grader", "Submission")
    TestResult = apps.get_model("grader", "TestResult")
    for submission in Submission.objects.exclude(current_run__isnull=True).select_related("current_run"):
        run = submission.current_run
        Submission.objects.filter(pk=submission.pk).update(attempts=run.claim_count, started_at=run.started_at)
        TestResult.objects.filter(run=run).update(submission=submission)
    # Test rows of earlier runs have no place in the old shape.
    TestResult.objects.filter(submission__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("grader", "0002_test_result_name_zh"),
        ("courses", "0002_assignments"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegradeRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(help_text="What was asked, in words.", max_length=300)),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("total", models.PositiveIntegerField(default=0, help_text="Runs queued by this request.")),
                ("exercise", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="regrade_requests", to="grader.exercise")),
                ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.CreateModel(
            name="GradingRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(choices=[("first", "First grading · 首次评分"), ("retry", "Retry after a grader failure · 故障后重试"), ("regrade", "Regrade · 重新评分")], default="first", max_length=8)),
                ("seed", models.BigIntegerField()),
                ("suite_version", models.CharField(help_text="Hash of the check suite's source and parameters.", max_length=64)),
                ("status", models.CharField(choices=STATUS_CHOICES, db_index=True, default="queued", max_length=16)),
                ("score", models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True)),
                ("max_score", models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True)),
                ("feedback_en", models.TextField(blank=True)),
                ("feedback_zh", models.TextField(blank=True)),
                ("operator_detail", models.TextField(blank=True, help_text="The sandbox's own account; for staff, never shown to students.")),
                ("claim_count", models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed this run.")),
                ("queued_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("regrade_request", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="runs", to="grader.regraderequest")),
                ("submission", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="runs", to="grader.submission")),
            ],
            options={"ordering": ["submission", "id"]},
        ),
        migrations.CreateModel(
            name="ReferenceCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("pending", "Pending · 等待中"), ("passed", "Full marks · 满分"), ("failed", "Problems found · 发现问题"), ("error", "Could not run · 无法运行")], default="pending", max_length=8)),
                ("runs", models.PositiveSmallIntegerField(default=0)),
                ("problems", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("exercise", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reference_checks", to="grader.exercise")),
                ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddField(
            model_name="testresult",
            name="run",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="test_results", to="grader.gradingrun"),
        ),
        migrations.AddField(
            model_name="submission",
            name="current_run",
            field=models.ForeignKey(blank=True, help_text="The run whose result the student sees; a regrade moves it when its run is stored.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="grader.gradingrun"),
        ),
        migrations.RunPython(submissions_to_runs, runs_to_submissions),
        migrations.RemoveConstraint(model_name="testresult", name="one_result_per_test"),
        migrations.AlterModelOptions(name="testresult", options={"ordering": ["run", "position"]}),
        migrations.RemoveField(model_name="testresult", name="submission"),
        migrations.AlterField(
            model_name="testresult",
            name="run",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="test_results", to="grader.gradingrun"),
        ),
        migrations.RenameField(model_name="testresult", old_name="name", new_name="name_en"),
        migrations.AlterField(model_name="testresult", name="name_en", field=models.CharField(max_length=200)),
        migrations.AddConstraint(
            model_name="testresult",
            constraint=models.UniqueConstraint(fields=("run", "position"), name="one_result_per_test_of_a_run"),
        ),
        migrations.AddConstraint(
            model_name="gradingrun",
            constraint=models.UniqueConstraint(condition=models.Q(("status__in", ["queued", "running"])), fields=("submission",), name="one_pending_run_per_submission"),
        ),
        migrations.RemoveField(model_name="submission", name="attempts"),
        migrations.RemoveField(model_name="submission", name="started_at"),
        migrations.RemoveField(model_name="exercise", name="attempt_limit"),
        migrations.RemoveField(model_name="exercise", name="is_open"),
    ]
