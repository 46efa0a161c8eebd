"""Exercises are data: an instructor changes a check or a limit in admin, no deploy."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils import timezone


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

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["chapter__number", "position", "slug"]

    def __str__(self):
        return f"{self.slug}: {self.title_en}"

    def clean(self):
        # A browser sends a textarea's lines ending in CRLF, and admin's form strips the
        # code's last newline; the content files end their lines in LF, the last one too.
        # Stored the files' way, so an exercise saved in admin without a change does not
        # differ from its files (the loader would report every text as overwritten).
        for name in ("statement_zh", "statement_en", "starter_code", "reference_solution"):
            value = getattr(self, name)
            if not isinstance(value, str):
                continue
            value = value.replace("\r\n", "\n")
            if name in ("starter_code", "reference_solution") and value and not value.endswith("\n"):
                value += "\n"
            setattr(self, name, value)
        # The one validation admin, the content loader and importers share.
        from grader.exercise_validation import EXERCISE_FIELDS, exercise_problems

        problems = exercise_problems({name: getattr(self, name) for name in EXERCISE_FIELDS})
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise ValidationError(errors)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued · 排队中"
    RUNNING = "running", "Running · 评分中"
    GRADED = "graded", "Graded · 已评分"
    ERROR = "error", "Error · 出错"
    TIMEOUT = "timeout", "Time limit · 超时"
    MEMORY_LIMIT = "memory_limit", "Memory limit · 内存超限"
    OUTPUT_LIMIT = "output_limit", "Output limit · 输出超限"
    CRASHED = "crashed", "Crashed · 崩溃"
    INTERNAL_ERROR = "internal_error", "Grader failure · 评分系统故障"


PENDING_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
# What the student's code earned (a crash or a timeout is a grade too); internal_error is ours.
STUDENT_OUTCOME_STATUSES = (
    RunStatus.GRADED,
    RunStatus.ERROR,
    RunStatus.TIMEOUT,
    RunStatus.MEMORY_LIMIT,
    RunStatus.OUTPUT_LIMIT,
    RunStatus.CRASHED,
)


class Submission(models.Model):
    """What a student handed in. Its result is that of its current run, copied here in the
    same transaction that stores the run, so lists and limits read one row."""

    Status = RunStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="submissions")
    code = models.TextField()
    code_sha256 = models.CharField(max_length=64)
    seed = models.BigIntegerField(default=new_seed)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    feedback_en = models.TextField(blank=True)
    feedback_zh = models.TextField(blank=True)
    current_run = models.ForeignKey(
        "GradingRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The run whose result the student sees; a regrade moves it when its run is stored.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "exercise", "-created_at"], name="submission_history")]

    def __str__(self):
        return f"#{self.pk} {self.exercise.slug} by {self.user} ({self.status})"


class RegradeRequest(models.Model):
    """One ask to grade submissions again; its runs show how far it has got."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="regrade_requests", verbose_name=_("exercise")
    )
    scope = models.CharField(
        max_length=300,
        verbose_name=_("which submissions"),
        help_text=_("The submissions asked for, e.g. every submission, or only those graded by older checks."),
    )
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # One grading run per submission covered: the progress column counts the finished ones.
    total = models.PositiveIntegerField(
        default=0,
        verbose_name=_("submissions covered"),
        help_text=_("How many submissions this request queued to be graded again."),
    )

    class Meta:
        verbose_name = _("regrade request")
        verbose_name_plural = _("regrade requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"regrade #{self.pk}: {self.scope}"


class GradingRun(models.Model):
    """One grading of one submission: the first, a retry after our failure, or a regrade.

    Never deleted; the exactly-once claim and store are conditional UPDATEs on this row.
    """

    class Reason(models.TextChoices):
        FIRST = "first", "First grading · 首次评分"
        RETRY = "retry", "Retry after a grader failure · 故障后重试"
        REGRADE = "regrade", "Regrade · 重新评分"

    Status = RunStatus

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    reason = models.CharField(max_length=8, choices=Reason.choices, default=Reason.FIRST)
    regrade_request = models.ForeignKey(
        RegradeRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    seed = models.BigIntegerField()
    suite_version = models.CharField(max_length=64, help_text="Hash of the check suite's source and parameters.")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    feedback_en = models.TextField(blank=True)
    feedback_zh = models.TextField(blank=True)
    operator_detail = models.TextField(blank=True, help_text="The sandbox's own account; for staff, never shown to students.")
    claim_count = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed this run.")
    queued_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("grading run")
        verbose_name_plural = _("grading runs")
        ordering = ["submission", "id"]
        constraints = [
            # Asking twice for a regrade while one is pending finds this row, not a second one.
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_pending_run_per_submission",
            )
        ]

    def __str__(self):
        return f"run #{self.pk} of submission {self.submission_id} ({self.reason}, {self.status})"


class TestResult(models.Model):
    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="test_results")
    position = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    hidden = models.BooleanField()
    passed = models.BooleanField()
    points = models.DecimalField(max_digits=7, decimal_places=3)
    max_points = models.DecimalField(max_digits=7, decimal_places=3)
    message_en = models.TextField(blank=True)
    message_zh = models.TextField(blank=True)
    mistake = models.CharField(max_length=64, blank=True, help_text="A known mistake the output matched.")
    check_key = models.CharField(
        max_length=100,
        blank=True,
        help_text="The check's identity across seeds, e.g. 'worked-example' or 'random-hidden-2' "
        "(its name can show drawn shapes): what statistics of failed tests group by.",
    )
    visible_data = models.JSONField(
        default=dict, blank=True, help_text="Visible tests only: e.g. attention weights, expected and returned, for a heatmap."
    )

    __test__ = False  # not a pytest test class, despite the name

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="one_result_per_test_of_a_run")]


class ReferenceCheck(models.Model):
    """An instructor's self-check of an exercise's checks, answered by a worker, not the web.

    It passes when the reference solution earns full marks on every seed tried and
    every known-wrong solution the exercise ships loses points (each one's grading
    is a KnownWrongGrading row of the check).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending · 等待中"
        PASSED = "passed", "Passed · 通过"
        FAILED = "failed", "Problems found · 发现问题"
        ERROR = "error", "Could not run · 无法运行"

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="reference_checks", verbose_name=_("exercise")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    runs = models.PositiveSmallIntegerField(
        default=0,
        verbose_name=_("runs"),
        help_text=_("Gradings made: the reference's seeds and the known-wrong solutions."),
    )
    reference_full_marks = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("reference at full marks"),
        help_text=_("Whether the reference earned full marks on every seed; empty until answered."),
    )
    problems = models.TextField(blank=True, verbose_name=_("problems"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        verbose_name=_("fingerprint"),
        help_text=_(
            "Hash of the reference solution, the known-wrong solutions and the suite version checked; "
            "a check whose fingerprint is not the exercise's current one is out of date."
        ),
    )

    class Meta:
        verbose_name = _("reference check")
        verbose_name_plural = _("reference checks")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"reference check #{self.pk} of {self.exercise.slug} ({self.status})"


class KnownWrongGrading(models.Model):
    """One known-wrong solution as a self-check graded it: it must lose points, or the checks miss it."""

    reference_check = models.ForeignKey(
        ReferenceCheck, on_delete=models.CASCADE, related_name="known_wrong", verbose_name=_("reference check")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    name = models.CharField(
        max_length=200, verbose_name=_("name"), help_text=_("The solution's file name in the exercise's mistakes folder.")
    )
    mistake = models.CharField(
        max_length=64, blank=True, verbose_name=_("mistake"), help_text=_("The mistake the file declares, if any.")
    )
    seed = models.BigIntegerField(verbose_name=_("seed"))
    status = models.CharField(max_length=16, choices=RunStatus.choices, verbose_name=_("status"))
    score = models.DecimalField(max_digits=7, decimal_places=3, verbose_name=_("score"))
    max_score = models.DecimalField(max_digits=7, decimal_places=3, verbose_name=_("max score"))
    lost_points = models.BooleanField(verbose_name=_("lost points"))

    class Meta:
        verbose_name = _("known-wrong solution graded")
        verbose_name_plural = _("known-wrong solutions graded")
        ordering = ["reference_check", "position"]
        constraints = [models.UniqueConstraint(fields=["reference_check", "position"], name="one_row_per_known_wrong_of_a_check")]

    def __str__(self):
        return f"{self.name}: {self.score}/{self.max_score}"
