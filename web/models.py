"""A precheck: the visible tests run on a student's code, for their own information.

It is not a submission: it costs no attempt, moves no grade, and never runs a
hidden test (grader.code_grading.grade_code(visible_only=True)). It runs in a
worker like a submission (web.tasks.precheck_run), never in the web process.
"""

from django.conf import settings
from django.db import models

from grader.models import new_seed


class Precheck(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued · 排队中"
        RUNNING = "running", "Running · 运行中"
        DONE = "done", "Done · 完成"
        FAILED = "failed", "Could not run · 无法运行"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prechecks")
    exercise = models.ForeignKey("grader.Exercise", on_delete=models.CASCADE, related_name="prechecks")
    code = models.TextField()
    seed = models.BigIntegerField(default=new_seed)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The run's own outcome once done: graded, error, timeout, memory_limit, output_limit or crashed.
    outcome = models.CharField(max_length=16, blank=True)
    passed = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    feedback_en = models.TextField(blank=True)
    feedback_zh = models.TextField(blank=True)
    # One entry per visible test: name_en, name_zh, passed, message_en, message_zh, visible_data.
    tests = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="precheck_rate_window")]

    def __str__(self):
        return f"precheck #{self.pk} of {self.exercise_id} by {self.user_id} ({self.status})"
