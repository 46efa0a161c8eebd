"""Exercises are data: an instructor changes a check or a limit in admin, no deploy."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def new_seed():
    # 63 bits: fits PostgreSQL bigint and numpy's SeedSequence.
    return secrets.randbits(63)


class Exercise(models.Model):
    slug = models.SlugField(unique=True)
    chapter = models.ForeignKey("courses.Chapter", on_delete=models.PROTECT, related_name="exercises")
    position = models.PositiveSmallIntegerField(default=0)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    statement_zh = models.TextField(help_text="Markdown")
    statement_en = models.TextField(help_text="Markdown")
    starter_code = models.TextField(blank=True)
    reference_solution = models.TextField(help_text="Must earn full marks; checked by `manage.py check_exercises`.")
    required_functions = models.JSONField(default=list, help_text='Names the submission must define, e.g. ["softmax"].')
    check_suite = models.CharField(max_length=64, help_text="Name of the check suite in grader/checks.")
    check_params = models.JSONField(
        default=dict,
        blank=True,
        help_text="Overrides of the suite's parameters: visible/hidden case counts, shapes, rtol, atol.",
    )
    points = models.DecimalField(max_digits=6, decimal_places=2, default=10)
    cpu_limit_seconds = models.FloatField(default=2.0)
    wall_limit_seconds = models.FloatField(default=5.0)
    memory_limit_mb = models.PositiveIntegerField(default=512)
    attempt_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited attempts.")
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["chapter__number", "position", "slug"]

    def __str__(self):
        return f"{self.slug}: {self.title_en}"

    def clean(self):
        # The one validation admin, the content loader and importers share.
        from grader.exercise_validation import EXERCISE_FIELDS, exercise_problems

        problems = exercise_problems({name: getattr(self, name) for name in EXERCISE_FIELDS})
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise ValidationError(errors)


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued · 排队中"
        RUNNING = "running", "Running · 评分中"
        GRADED = "graded", "Graded · 已评分"
        ERROR = "error", "Error · 出错"
        TIMEOUT = "timeout", "Time limit · 超时"
        MEMORY_LIMIT = "memory_limit", "Memory limit · 内存超限"
        OUTPUT_LIMIT = "output_limit", "Output limit · 输出超限"
        CRASHED = "crashed", "Crashed · 崩溃"
        INTERNAL_ERROR = "internal_error", "Grader failure · 评分系统故障"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="submissions")
    code = models.TextField()
    code_sha256 = models.CharField(max_length=64)
    seed = models.BigIntegerField(default=new_seed)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    feedback_en = models.TextField(blank=True)
    feedback_zh = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed it.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "exercise", "-created_at"], name="submission_history")]

    def __str__(self):
        return f"#{self.pk} {self.exercise.slug} by {self.user} ({self.status})"


class TestResult(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="test_results")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, help_text="In English; name_zh holds the Chinese.")
    name_zh = models.CharField(max_length=200, blank=True)
    hidden = models.BooleanField()
    passed = models.BooleanField()
    points = models.DecimalField(max_digits=7, decimal_places=3)
    max_points = models.DecimalField(max_digits=7, decimal_places=3)
    message_en = models.TextField(blank=True)
    message_zh = models.TextField(blank=True)
    mistake = models.CharField(max_length=64, blank=True, help_text="A known mistake the output matched.")

    class Meta:
        ordering = ["submission", "position"]
        constraints = [models.UniqueConstraint(fields=["submission", "position"], name="one_result_per_test")]
