"""Reports an instructor asks for in admin and a worker writes: mutation analysis and similarity.

Each report is a row the worker fills in as it goes (progress is counted from
its rows), so admin shows how far it has got while it runs. Nothing here
changes a grade: a similar pair is for a person to look at, a surviving
mutant for the author to answer with a test or an equivalence mark.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils import timezone


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending · 等待中"
    RUNNING = "running", "Running · 进行中"
    DONE = "done", "Done · 已完成"
    ERROR = "error", "Could not run · 无法运行"


class MutationReport(models.Model):
    """One mutation analysis of an exercise: its reference's mutants and its known-wrong solutions, graded."""

    Status = ReportStatus

    exercise = models.ForeignKey(
        "grader.Exercise", on_delete=models.CASCADE, related_name="mutation_reports", verbose_name=_("exercise")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING, verbose_name=_("status")
    )
    seed = models.BigIntegerField(
        verbose_name=_("seed"), help_text=_("Every mutant is graded with this seed, so two reports agree.")
    )
    reference_sha256 = models.CharField(
        max_length=64,
        blank=True,
        verbose_name=_("reference SHA-256"),
        help_text=_("Of the reference the mutants came from."),
    )
    total = models.PositiveIntegerField(
        default=0, verbose_name=_("total"), help_text=_("Rows to grade (mutants and known-wrong solutions).")
    )
    # Filled in when the last row is graded.
    killed = models.PositiveIntegerField(default=0, verbose_name=_("killed"))
    survived = models.PositiveIntegerField(default=0, verbose_name=_("survived"))
    equivalent = models.PositiveIntegerField(default=0, verbose_name=_("equivalent"))
    errors = models.PositiveIntegerField(default=0, verbose_name=_("errors"))
    score = models.FloatField(
        null=True,
        blank=True,
        verbose_name=_("score"),
        help_text=_("killed / (mutants - equivalent), known-wrong rows apart."),
    )
    problems = models.TextField(blank=True, verbose_name=_("problems"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("mutation report")
        verbose_name_plural = _("mutation reports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"mutation report #{self.pk} of {self.exercise.slug} ({self.status})"


class MutantResult(models.Model):
    """One mutant (or one known-wrong solution) of a report, and what the checks made of it."""

    class Kind(models.TextChoices):
        MUTANT = "mutant", "Mutant · 变异体"
        KNOWN_WRONG = "known_wrong", "Known-wrong solution · 已知错误解法"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending · 等待中"
        KILLED = "killed", "Killed · 已检出"
        SURVIVED = "survived", "Survived · 未检出"
        EQUIVALENT = "equivalent", "Equivalent · 等价"
        ERROR = "error", "Grader failure · 评分故障"

    report = models.ForeignKey(MutationReport, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MUTANT)
    mutant_id = models.CharField(max_length=64, help_text="A mutant's stable id, or a known-wrong solution's file name.")
    description = models.TextField(blank=True)
    diff = models.TextField(blank=True)
    source = models.TextField(help_text="The code graded.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    status = models.CharField(max_length=16, blank=True, help_text="The grading status (graded, error, timeout, ...).")
    score = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True, help_text="Why equivalent, or what failed.")
    # Where an equivalence mark came from: content/exercises/<slug>/mutants.toml, or admin.
    marked_in = models.CharField(max_length=8, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_count = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed this row.")
    # When its message was last sent: the sweeper sends again a row waiting too long (a lost message).
    queued_at = models.DateTimeField(default=timezone.now)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mutant result")
        verbose_name_plural = _("mutant results")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "mutant_id"], name="one_result_per_mutant_of_a_report"),
        ]

    def __str__(self):
        return f"{self.mutant_id} ({self.outcome})"


class EquivalentMark(models.Model):
    """An instructor's "no correct check can tell this mutant from the reference", kept in the database.

    The marks shipped with the content (mutants.toml) count as well; these are
    the ones made in admin, for exercises authored there or marked mid-term.
    """

    exercise = models.ForeignKey("grader.Exercise", on_delete=models.CASCADE, related_name="equivalent_marks")
    mutant_id = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    reason = models.TextField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("equivalent mark")
        verbose_name_plural = _("equivalent marks")
        ordering = ["exercise", "mutant_id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "mutant_id"], name="one_mark_per_mutant")]

    def __str__(self):
        return f"{self.exercise.slug}: {self.mutant_id} marked equivalent"


class SimilarityReport(models.Model):
    """Which students' latest submissions to one exercise look alike; for a person to review."""

    Status = ReportStatus

    exercise = models.ForeignKey("grader.Exercise", on_delete=models.CASCADE, related_name="similarity_reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    threshold = models.FloatField(help_text="Pairs whose similarity reaches this (0 to 1) are listed.")
    submissions = models.PositiveIntegerField(default=0, help_text="Latest submissions compared, one per student.")
    pairs_total = models.PositiveIntegerField(default=0)
    pairs_done = models.PositiveIntegerField(default=0)
    problems = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("similarity report")
        verbose_name_plural = _("similarity reports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"similarity report #{self.pk} of {self.exercise.slug} ({self.status})"


class SimilarPair(models.Model):
    """Two submissions above the report's threshold, with where their shared code is."""

    report = models.ForeignKey(SimilarityReport, on_delete=models.CASCADE, related_name="pairs")
    first = models.ForeignKey("grader.Submission", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("grader.Submission", on_delete=models.CASCADE, related_name="+")
    # Share of each one's own code found in the other (after starter code and reference are removed).
    first_similarity = models.FloatField()
    second_similarity = models.FloatField()
    similarity = models.FloatField(db_index=True, help_text="The larger of the two shares.")
    shared_tokens = models.PositiveIntegerField()
    # [[start, end], ...] character spans of the shared code in each submission.
    first_spans = models.JSONField(default=list)
    second_spans = models.JSONField(default=list)

    class Meta:
        verbose_name = _("similar pair")
        verbose_name_plural = _("similar pairs")
        ordering = ["report", "-similarity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "first", "second"], name="one_row_per_pair_of_a_report"),
        ]

    def __str__(self):
        return f"submissions {self.first_id} and {self.second_id}: {self.similarity:.0%}"
