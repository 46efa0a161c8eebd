from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils import timezone


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return f"{self.title_en} · {self.title_zh}"


class Chapter(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField()
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="chapter_number_unique_in_course")]

    def __str__(self):
        return f"{self.course.slug} ch.{self.number}: {self.title_en}"


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student · 学生"
        INSTRUCTOR = "instructor", "Instructor · 教师"
        # Grants extensions and reads the course's data; changes no exercise and overrides no grade.
        TEACHING_ASSISTANT = "ta", "Teaching assistant · 助教"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    # The student's id in the institution's student information system, as the LMS roster gives it
    # (Canvas "SIS User ID", LTI lis_person_sourcedid). Per enrollment: it comes with a course's roster.
    sis_user_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_user_and_course")]

    def __str__(self):
        return f"{self.user} in {self.course.slug} as {self.role}"


class Assignment(models.Model):
    """What a grade is for, in a course: the one place that says when and how often one may submit.

    A coding assignment points at an Exercise, a quiz assignment at a Quiz; the
    slug is theirs.
    """

    class Kind(models.TextChoices):
        CODING = "coding", "Coding exercise · 编程练习"
        QUIZ = "quiz", "Quiz · 测验"

    class GradePolicy(models.TextChoices):
        BEST = "best", "Best attempt · 最高分"
        LAST = "last", "Last attempt · 最后一次"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("course"))
    slug = models.SlugField(unique=True, verbose_name=_("slug"), help_text=_("A coding assignment's slug is its exercise's."))
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CODING, verbose_name=_("kind"))
    exercise = models.OneToOneField(
        "grader.Exercise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignment",
        verbose_name=_("exercise"),
    )
    quiz = models.OneToOneField(
        "quizzes.Quiz", on_delete=models.PROTECT, null=True, blank=True, related_name="assignment", verbose_name=_("quiz")
    )
    points = models.DecimalField(max_digits=6, decimal_places=2, default=10, verbose_name=_("points"))
    opens_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opens at"), help_text=_("Empty: open now."))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"), help_text=_("Empty: never late."))
    closes_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("closes at"), help_text=_("Hard close. Empty: never closes.")
    )
    late_penalty_per_day = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=0,
        verbose_name=_("late penalty per day"),
        help_text=_("Percent of the score taken off per day (or part) late."),
    )
    late_penalty_cap = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=100,
        verbose_name=_("late penalty cap"),
        help_text=_("The most the late penalty takes off, in percent."),
    )
    attempt_limit = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("attempt limit"), help_text=_("Empty: unlimited attempts.")
    )
    grade_policy = models.CharField(
        max_length=8, choices=GradePolicy.choices, default=GradePolicy.BEST, verbose_name=_("grade policy")
    )
    published = models.BooleanField(default=True, verbose_name=_("published"))
    # What an LMS polling the assignment list compares to know a row changed.
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["course", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="coding") | models.Q(exercise__isnull=False),
                name="coding_assignment_has_exercise",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="quiz") | models.Q(quiz__isnull=False, exercise__isnull=True),
                name="quiz_assignment_has_quiz",
            ),
            models.CheckConstraint(
                condition=models.Q(late_penalty_per_day__gte=0, late_penalty_cap__gte=0, late_penalty_cap__lte=100),
                name="late_penalty_is_a_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.course.slug}/{self.slug}"

    def clean(self):
        self._clean_identity()
        # Admin's publication rule (review.publishing): an exercise is published on a current, passing
        # self-check only (its reference earns full marks, its known-wrong solutions lose points).
        # The content loader does not come here; it keeps the rule for shipped content (see there).
        from review.publishing import assignment_becomes_published, assignment_publish_blockers

        if assignment_becomes_published(assignment=self):
            blockers = assignment_publish_blockers(assignment=self)
            if blockers:
                raise ValidationError({"published": blockers})

    def _clean_identity(self):
        # The slug is how everything else finds the assignment of an exercise or quiz: an LTI
        # launch of /exercises/<slug>/, the LMS feed, the content loader (which would otherwise
        # try to make a second assignment for the exercise). So it is the exercise's or quiz's own.
        target = self.exercise if self.exercise_id else self.quiz if self.quiz_id else None
        if target is None:
            return
        errors = {}
        if self.slug and self.slug != target.slug:
            errors["slug"] = (
                f"Must be {target.slug!r}, the slug of its {target._meta.model_name}. · "
                f"必须与其{'练习' if self.exercise_id else '测验'}的标识 {target.slug!r} 相同。"
            )
        course_id = target.chapter.course_id if self.exercise_id else target.course_id
        if self.course_id and course_id != self.course_id:
            errors["course"] = (
                f"Its {target._meta.model_name} {target.slug!r} belongs to another course. · "
                f"其{'练习' if self.exercise_id else '测验'} {target.slug!r} 属于另一门课程。"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        """Closed to everyone without an extension: unpublished, or past the hard close."""
        return not self.published or (self.closes_at is not None and self.closes_at <= timezone.now())


class Extension(models.Model):
    """One student's own due and close times (and extra attempts) on one assignment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the assignment's.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the assignment's.")
    extra_attempts = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="one_extension_per_student")]

    def __str__(self):
        return f"extension for {self.user} on {self.assignment.slug}"


class Excusal(models.Model):
    """A student excused from an assignment: the grade reads "excused" and counts for nothing."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="excusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="excusals")
    reason = models.CharField(max_length=500, blank=True)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    excused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("excusal")
        verbose_name_plural = _("excusals")
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="one_excusal_per_student")]

    def __str__(self):
        return f"{self.user} excused from {self.assignment.slug}"


class ContentFingerprint(models.Model):
    """What the content loader (`manage.py seed_course`) last wrote to one row, field by field.

    A later load compares the row with it: a row still as the loader left it
    takes the files' new values; a row whose fields differ was edited in admin
    since, and is kept (`--overwrite` takes the files' version). One digest per
    field, so the report can name the fields edited. The key names the row as
    the files do (e.g. "grader.exercise:softmax"), so a load reads every
    fingerprint it needs in one query.
    """

    key = models.CharField(max_length=300, unique=True)
    digests = models.JSONField(default=dict, help_text="Field name -> SHA-256 of the value the loader wrote.")
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.key
