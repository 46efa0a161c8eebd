"""Writes for quiz attempts: starting (or resuming) one, and submitting it.

`quiz_attempt_start` and `quiz_attempt_submit` are the only ways a QuizAttempt
comes into being or gets its score, whatever the channel (web page, demo
data), so the window and the attempt limit cannot be enforced in one place
and forgotten in another. Both apply courses.assignment_window's rule, the
one coding submissions follow, counting submitted attempts.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from courses.assignment_window import WindowRefusal, assignment_window_check
from courses.language import in_both_languages
from courses.models import Assignment, Enrollment
from quizzes.models import Question, Quiz, QuizAttempt
from quizzes.scoring import InvalidResponse, score_attempt

__all__ = ["QuizRefused", "attempt_results_data", "quiz_attempt_start", "quiz_attempt_submit"]

# Each reason an attempt is turned away, in the student's terms: English msgids
# whose Chinese is in locale/zh_Hans. `status` is the HTTP status a page answers with.
_MESSAGES = {
    "not_enrolled": (403, gettext_noop("You are not enrolled in the course of quiz '%(slug)s'.")),
    "not_assigned": (409, gettext_noop("Quiz '%(slug)s' is not an assignment of its course yet, so it takes no attempts.")),
    "closed": (409, gettext_noop("Quiz '%(slug)s' is closed and takes no more attempts.")),
    "not_open_yet": (409, gettext_noop("Quiz '%(slug)s' opens at %(opens_at)s (UTC).")),
    "attempt_limit": (409, gettext_noop("You have used all %(limit)s attempts at quiz '%(slug)s'.")),
    "invalid_response": (
        400,
        gettext_noop("Some answers could not have come from this quiz's form, so nothing was saved. "
                     "Reload the page and answer again."),
    ),
}


class QuizRefused(Exception):
    """An attempt that is refused before anything is stored; `code` is stable, the messages are for people."""

    def __init__(self, code: str, **params):
        self.code = code
        self.status = _MESSAGES[code][0]
        self.params = params
        self.message, self.message_zh = in_both_languages(_MESSAGES[code][1], **params)
        super().__init__(f"{code}: {self.message}")


def _assignment_and_role(*, quiz: Quiz, user_id: int) -> tuple[Assignment, bool]:
    # One query: the assignment with the user's role in its course (None: not enrolled).
    role = Enrollment.objects.filter(user_id=user_id, course_id=OuterRef("course_id")).values("role")[:1]
    assignment = (
        Assignment.objects.filter(quiz_id=quiz.pk, kind=Assignment.Kind.QUIZ).annotate(role=Subquery(role)).first()
    )
    if assignment is None:
        if not Enrollment.objects.filter(user_id=user_id, course_id=quiz.course_id).exists():
            raise QuizRefused("not_enrolled", slug=quiz.slug)
        raise QuizRefused("not_assigned", slug=quiz.slug)
    if assignment.role is None or assignment.role == Enrollment.Role.TEACHING_ASSISTANT:
        raise QuizRefused("not_enrolled", slug=quiz.slug)
    return assignment, assignment.role == Enrollment.Role.INSTRUCTOR


def _window_check(*, quiz: Quiz, user_id: int, exclude_attempt_id: int | None = None) -> Assignment:
    assignment, is_instructor = _assignment_and_role(quiz=quiz, user_id=user_id)
    submitted = QuizAttempt.objects.filter(quiz_id=quiz.pk, user_id=user_id, submitted_at__isnull=False)
    if exclude_attempt_id is not None:
        submitted = submitted.exclude(pk=exclude_attempt_id)
    try:
        assignment_window_check(
            assignment=assignment, user_id=user_id, is_instructor=is_instructor, attempts_used=submitted.count
        )
    except WindowRefusal as refusal:
        raise QuizRefused(refusal.reason, slug=quiz.slug, **refusal.params) from None
    return assignment


def quiz_attempt_start(*, user: AbstractBaseUser, quiz: Quiz) -> QuizAttempt:
    """The student's attempt in progress at `quiz`, or a new one with a fresh seed.

    Raises QuizRefused (nothing stored) when the student is not enrolled, or
    when the quiz is not open to them now or their attempts are used up (the
    assignment's window and limit, their extension counted). Resuming is
    allowed as long as a new attempt would be: an attempt in progress at the
    close can no longer be submitted.
    """
    with transaction.atomic():
        _window_check(quiz=quiz, user_id=user.pk)
        in_progress = QuizAttempt.objects.filter(quiz=quiz, user_id=user.pk, submitted_at__isnull=True).first()
        if in_progress is not None:
            return in_progress
        try:
            with transaction.atomic():
                return QuizAttempt.objects.create(quiz=quiz, user_id=user.pk)
        except IntegrityError:
            # Another request (a second tab) started one a moment ago: that one is the student's.
            return QuizAttempt.objects.get(quiz=quiz, user_id=user.pk, submitted_at__isnull=True)


def attempt_results_data(result) -> list[dict]:
    """The stored per-question layout (analytics reads exactly this): key, status, earned, possible."""
    return [
        {"key": question.item_id, "status": question.status, "earned": str(question.earned),
         "possible": str(question.possible)}
        for question in result.questions
    ]  # fmt: skip


# Longer than any answer a student types; keeps a forged form from storing megabytes.
RESPONSE_MAX_CHARACTERS = 1000


def _responses_check(responses) -> None:
    """Only what a form can produce is stored: JSON text without NUL (PostgreSQL's jsonb refuses it), short."""

    def texts(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, inner in value.items():
                yield from texts(key)
                yield from texts(inner)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                yield from texts(inner)
        elif not (value is None or isinstance(value, (bool, int, float))):
            raise QuizRefused("invalid_response")

    if not isinstance(responses, dict):
        raise QuizRefused("invalid_response")
    for text in texts(responses):
        if "\x00" in text or len(text) > RESPONSE_MAX_CHARACTERS:
            raise QuizRefused("invalid_response")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            raise QuizRefused("invalid_response") from None


def quiz_attempt_submit(*, user: AbstractBaseUser, attempt_id: int, responses: dict) -> QuizAttempt:
    """Score `responses` (question key -> response, see quizzes.scoring) as the student's attempt and store it.

    The attempt must be the user's own (QuizAttempt.DoesNotExist otherwise).
    Submitting an attempt already submitted returns it unchanged (a double
    click, a resent form). Raises QuizRefused, storing nothing, when the quiz
    no longer takes the attempt (closed, attempts used up) or a response could
    not have come from the quiz's form. The grade is recomputed in the same
    transaction.
    """
    from grades.models import GradeChange
    from grades.services import grade_recompute

    with transaction.atomic():
        # The lock makes a double submit wait for the first and then see it submitted.
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt_id, user_id=user.pk)
        )
        if attempt.submitted_at is not None:
            return attempt
        assignment = _window_check(quiz=attempt.quiz, user_id=user.pk, exclude_attempt_id=attempt.pk)
        _responses_check(responses)
        items = [question.to_item() for question in Question.objects.filter(quiz_id=attempt.quiz_id)]
        try:
            result = score_attempt(items, responses, seed=attempt.seed)
        except InvalidResponse:
            raise QuizRefused("invalid_response") from None
        attempt.responses = responses
        attempt.results = attempt_results_data(result)
        attempt.score = result.total
        attempt.max_score = result.possible
        attempt.submitted_at = timezone.now()
        attempt.save(update_fields=["responses", "results", "score", "max_score", "submitted_at"])
        grade_recompute(student=user.pk, assignment=assignment, cause=GradeChange.Cause.GRADED)
    return attempt
