"""The grade that counts for each (student, assignment), and every change to it.

Submissions and quiz attempts are evidence; a Grade is what the student's
pages, the gradebook, exports and the LMS feed read. Only
grades.services.grade_recompute (and grade_override through it) writes here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GradeState(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "Not submitted · 未提交"
    PENDING = "pending", "Being graded · 评分中"
    GRADED = "graded", "Graded · 已评分"
    EXCUSED = "excused", "Excused · 已免除"


# A grade state -> (activityProgress, gradingProgress) in LTI AGS's vocabulary,
# which both the LMS feed's rows and the AGS score push speak.
AGS_PROGRESS = {
    GradeState.NOT_SUBMITTED: ("Initialized", "NotReady"),
    GradeState.PENDING: ("Submitted", "Pending"),
    GradeState.GRADED: ("Completed", "FullyGraded"),
    # Excused: nothing to grade, and nothing missing; the row's `excused` says which.
    GradeState.EXCUSED: ("Completed", "FullyGraded"),
}


# One grade per student and assignment; grades.services catches its violation by this name.
GRADE_UNIQUE_CONSTRAINT = "one_grade_per_student_and_assignment"


class Grade(models.Model):
    State = GradeState

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades", verbose_name=_("student")
    )
    assignment = models.ForeignKey(
        "courses.Assignment", on_delete=models.CASCADE, related_name="grades", verbose_name=_("assignment")
    )
    score = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        verbose_name=_("score"),
        help_text=_("The score that counts."),
    )
    max_score = models.DecimalField(max_digits=7, decimal_places=3, verbose_name=_("out of"))
    state = models.CharField(
        max_length=16, choices=GradeState.choices, default=GradeState.NOT_SUBMITTED, verbose_name=_("state")
    )
    late = models.BooleanField(default=False, verbose_name=_("late"))
    source_submission = models.ForeignKey(
        "grader.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counting submission"),
    )
    source_run = models.ForeignKey(
        "grader.GradingRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counting grading run"),
    )
    source_attempt = models.ForeignKey(
        "quizzes.QuizAttempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counting quiz attempt"),
    )
    override_score = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        verbose_name=_("override score"),
        help_text=_("An instructor's score, which wins over the policy."),
    )
    override_reason = models.CharField(max_length=500, blank=True, verbose_name=_("override reason"))
    sequence = models.BigIntegerField(
        unique=True, verbose_name=_("sequence"), help_text=_("Of the last change; the LMS feed pages on it.")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["assignment", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "assignment"], name=GRADE_UNIQUE_CONSTRAINT)]

    def __str__(self):
        return f"{self.user} on {self.assignment.slug}: {self.score} ({self.state})"


class GradeChange(models.Model):
    """Append-only: one row per change of a grade, old → new, with its cause."""

    class Cause(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, being graded · 已提交，评分中"
        GRADED = "graded", "Graded · 评分"
        REGRADED = "regraded", "Regraded · 重新评分"
        LATE_PENALTY = "late_penalty", "Late penalty · 迟交扣分"
        EXTENSION = "extension", "Extension · 延期"
        EXCUSED = "excused", "Excused · 免除"
        OVERRIDE = "override", "Instructor override · 教师调整"

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="changes")
    cause = models.CharField(max_length=16, choices=Cause.choices)
    old_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    new_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    old_state = models.CharField(max_length=16, choices=GradeState.choices, blank=True)
    new_state = models.CharField(max_length=16, choices=GradeState.choices)
    late = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    sequence = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["sequence"]

    def __str__(self):
        return f"{self.cause}: {self.old_score} → {self.new_score} (#{self.sequence})"


class GradeSequenceCounter(models.Model):
    """SQLite's stand-in for the PostgreSQL sequence: one row, bumped inside the changing transaction."""

    value = models.BigIntegerField(default=0)
