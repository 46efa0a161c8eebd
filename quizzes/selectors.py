"""Reads of quizzes and attempts. Who may see a quiz or an attempt is decided here, once.

A quiz opens for the students of its course while its assignment is
published, and for the course's instructors and teaching assistants always;
for anyone else it does not exist (404). An attempt is its owner's alone.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import slug_re
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.assignment_window import closes_at_for, due_at_for
from courses.models import Assignment, Enrollment, Extension
from grades.models import Grade
from grades.selectors import grade_history_for_student
from quizzes.models import Question, Quiz, QuizAttempt


def quizzes_visible_to(*, user: AbstractBaseUser) -> QuerySet:
    """The quizzes `user` may open (see the module's docstring); none for anonymous users."""
    if not user.is_authenticated:
        return Quiz.objects.none()
    if user.is_superuser:
        return Quiz.objects.all()
    mine = Enrollment.objects.filter(user_id=user.pk)
    studied = mine.filter(role=Enrollment.Role.STUDENT).values("course_id")
    staffed = mine.exclude(role=Enrollment.Role.STUDENT).values("course_id")
    return Quiz.objects.filter(
        Q(course_id__in=staffed) | Q(course_id__in=studied, assignment__published=True, assignment__kind="quiz")
    )


def quiz_get_visible(*, user: AbstractBaseUser, slug: str) -> Quiz:
    """The quiz with this slug, with its assignment, course and chapter, if `user` may open it; else Http404.

    A quiz without an assignment is not a student's to open (nothing would count).
    """
    if not isinstance(slug, str) or not slug_re.match(slug):
        raise Http404("No such quiz.")
    quiz = (
        quizzes_visible_to(user=user)
        .filter(slug=slug, assignment__isnull=False)
        .select_related("assignment", "course", "chapter")
        .first()
    )
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz


def quiz_attempt_get_for_user(*, user: AbstractBaseUser, slug: str, attempt_id: int) -> QuizAttempt:
    """`user`'s own attempt at the quiz `slug`, with the quiz, its assignment and course; Http404 for anyone else's.

    An attempt of a classmate answers exactly as an id that does not exist;
    so does the user's own once the quiz is no longer theirs to open. One query.
    """
    if not isinstance(slug, str) or not slug_re.match(slug):
        raise Http404("No such attempt.")
    visible = quizzes_visible_to(user=user).filter(assignment__isnull=False).values("pk")
    attempt = (
        QuizAttempt.objects.filter(pk=attempt_id, user_id=user.pk, quiz__slug=slug, quiz_id__in=visible)
        .select_related("quiz__assignment", "quiz__course", "quiz__chapter")
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def quiz_questions(*, quiz: Quiz) -> list[Question]:
    return list(Question.objects.filter(quiz_id=quiz.pk).order_by("position", "id"))


@dataclass(frozen=True)
class QuizStanding:
    """Where a student stands on a quiz: their dates, their attempts, what is left."""

    assignment: Assignment
    extension: Extension | None
    due_at: object
    closes_at: object
    attempts: list  # of QuizAttempt, submitted ones first to last, then the one in progress
    in_progress: QuizAttempt | None
    submitted_count: int
    attempt_limit: int | None  # the student's own, extra attempts counted; None: unlimited
    grade: Grade | None  # the score that counts, as the grades app keeps it
    grade_changes: list  # of GradeChange, the student's own, newest first

    @property
    def attempts_left(self) -> int | None:
        return None if self.attempt_limit is None else max(0, self.attempt_limit - self.submitted_count)

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        a = self.assignment
        return (
            a.published
            and (a.opens_at is None or now >= a.opens_at)
            and (self.closes_at is None or now < self.closes_at)
        )


def quiz_standing(*, user: AbstractBaseUser, quiz: Quiz) -> QuizStanding:
    """The student's standing on `quiz` (fetched with quiz_get_visible): three queries, however many attempts or grade changes."""
    assignment = quiz.assignment
    extension = Extension.objects.filter(assignment=assignment, user_id=user.pk).first()
    attempts = list(
        QuizAttempt.objects.filter(quiz_id=quiz.pk, user_id=user.pk)
        .only("id", "seed", "score", "max_score", "started_at", "submitted_at", "quiz_id", "user_id")
        .order_by("started_at", "id")
    )
    submitted = [a for a in attempts if a.submitted_at is not None]
    in_progress = next((a for a in attempts if a.submitted_at is None), None)
    grade, grade_changes = grade_history_for_student(user=user, assignment=assignment)  # one query, joined
    limit = assignment.attempt_limit
    if limit is not None and extension is not None:
        limit += extension.extra_attempts
    return QuizStanding(
        assignment=assignment,
        extension=extension,
        due_at=due_at_for(assignment=assignment, extension=extension),
        closes_at=closes_at_for(assignment=assignment, extension=extension),
        attempts=submitted + ([in_progress] if in_progress else []),
        in_progress=in_progress,
        submitted_count=len(submitted),
        attempt_limit=limit,
        grade=grade,
        grade_changes=grade_changes,
    )


def quiz_answers_shown(*, quiz: Quiz) -> bool:
    """Whether right answers and explanations may be shown now, per Quiz.answers_shown.

    "After the close" means after everyone's close, extensions counted: a
    student still entitled to an attempt must not be able to read the answers
    over a classmate's shoulder. A quiz that never closes never shows them.
    """
    if quiz.answers_shown == Quiz.AnswersShown.AFTER_SUBMIT:
        return True
    assignment = quiz.assignment
    if assignment.closes_at is None:
        return False
    latest_extension = Extension.objects.filter(assignment=assignment).aggregate(latest=Max("closes_at"))["latest"]
    last_close = max(assignment.closes_at, latest_extension) if latest_extension else assignment.closes_at
    return timezone.now() >= last_close
