"""Quizzes in the database: a Quiz, its Questions, and each student's attempts.

A quiz is graded through its Assignment (kind "quiz", courses.Assignment.quiz),
which holds the dates, the attempt limit and the grade policy, like a coding
exercise's. A Question keeps the columns admin edits side by side in both
languages, and its type's own fields (options, answers, tolerances...) as JSON
in the layout of quizzes.item_codec; `to_item()` gives the pure Item that
validation and scoring work on.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quizzes.item_codec import item_from_parts
from quizzes.items import ITEM_TYPES, Text
from quizzes.validation import validate_item


def new_attempt_seed():
    # 63 bits: fits PostgreSQL bigint; the parameterised items draw from it.
    return secrets.randbits(63)


class Quiz(models.Model):
    class AnswersShown(models.TextChoices):
        AFTER_SUBMIT = "after_submit", "After each attempt · 每次提交后"
        AFTER_CLOSE = "after_close", "After the quiz closes · 测验关闭后"

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="quizzes")
    chapter = models.ForeignKey(
        "courses.Chapter", on_delete=models.PROTECT, null=True, blank=True, related_name="quizzes"
    )
    slug = models.SlugField(unique=True, help_text="Also its assignment's slug.")
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    answers_shown = models.CharField(
        max_length=16,
        choices=AnswersShown.choices,
        default=AnswersShown.AFTER_SUBMIT,
        help_text="When a student sees the right answers and explanations (scores are always shown).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["course", "chapter__number", "slug"]

    def __str__(self):
        return f"{self.slug}: {self.title_en}"


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(max_length=100, help_text="The item's id, unique in its quiz; answers are stored under it.")
    type = models.CharField(max_length=32, choices=[(t, t.replace("_", " ")) for t in ITEM_TYPES])
    section = models.CharField(max_length=20, blank=True, help_text="The textbook section it asks about, e.g. 2.1.3.")
    points = models.DecimalField(max_digits=7, decimal_places=3, default=1)
    prompt_zh = models.TextField()
    prompt_en = models.TextField()
    explanation_zh = models.TextField()
    explanation_en = models.TextField()
    body = models.JSONField(default=dict, blank=True, help_text="The type's own fields; see quizzes/item_codec.py.")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["quiz", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["quiz", "key"], name="question_key_unique_in_quiz")]

    def __str__(self):
        return f"{self.quiz.slug}/{self.key}"

    def to_item(self):
        return item_from_parts(
            id=self.key,
            type=self.type,
            section=self.section,
            points=Decimal(self.points),
            prompt=Text(self.prompt_zh, self.prompt_en),
            explanation=Text(self.explanation_zh, self.explanation_en),
            body=self.body or {},
        )

    def clean(self):
        try:
            item = self.to_item()
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError({"body": f"Malformed body: {error!r} · 题目数据格式错误：{error!r}"}) from error
        problems = validate_item(item)
        if problems:
            raise ValidationError("; ".join(str(problem) for problem in problems))


class QuizAttempt(models.Model):
    """One sitting of a quiz by one student: the seed of its drawn numbers, the answers, the result."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    seed = models.BigIntegerField(default=new_attempt_seed)
    responses = models.JSONField(default=dict, blank=True, help_text="Question key -> what the student answered.")
    results = models.JSONField(
        default=list, blank=True, help_text="Per question: key, status, earned, possible (after submitting)."
    )
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["quiz", "user", "started_at", "id"]
        indexes = [models.Index(fields=["quiz", "user"], name="attempt_quiz_user")]
        constraints = [
            # Start-or-resume relies on it: two tabs starting at once get the same attempt.
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=models.Q(submitted_at__isnull=True), name="one_attempt_in_progress"
            )
        ]

    def __str__(self):
        return f"{self.user} on {self.quiz.slug} ({'submitted' if self.submitted_at else 'in progress'})"
