"""Starting and submitting quiz attempts through the services: scoring, storing, grades, refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from courses.models import Assignment, Extension
from grades.models import Grade, GradeChange, GradeState
from quizzes.models import QuizAttempt
from quizzes.services import QuizRefused, quiz_attempt_start, quiz_attempt_submit

from quiz_attempt_helpers import right_responses

pytestmark = pytest.mark.django_db


def _submitted(user, quiz, responses=None):
    attempt = quiz_attempt_start(user=user, quiz=quiz)
    return quiz_attempt_submit(
        user=user, attempt_id=attempt.pk, responses=right_responses(attempt.seed) if responses is None else responses
    )


def test_start_then_resume_gives_the_same_attempt_with_a_stored_seed(alice, quiz, assignment):
    first = quiz_attempt_start(user=alice, quiz=quiz)
    again = quiz_attempt_start(user=alice, quiz=quiz)
    assert again.pk == first.pk and again.seed == first.seed
    assert QuizAttempt.objects.filter(user=alice).count() == 1


def test_one_attempt_in_progress_is_enforced_by_the_database(alice, quiz, assignment):
    quiz_attempt_start(user=alice, quiz=quiz)
    with pytest.raises(Exception), transaction.atomic():
        QuizAttempt.objects.create(quiz=quiz, user=alice)


def test_a_right_attempt_is_stored_with_its_per_question_results_and_counts_as_the_grade(alice, quiz, assignment):
    attempt = _submitted(alice, quiz)

    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score) == (Decimal("11.000"), Decimal("11.000"))
    assert attempt.submitted_at is not None
    assert attempt.responses == right_responses(attempt.seed)
    assert attempt.results[0] == {"key": "single", "status": "correct", "earned": "1.00", "possible": "1.00"}
    assert [row["key"] for row in attempt.results] == [
        "single", "multiple", "tf", "numeric", "short", "param", "match", "cloze",
    ]  # fmt: skip
    assert {row["status"] for row in attempt.results} == {"correct"}
    grade = Grade.objects.get(user=alice, assignment=assignment)
    assert (grade.state, grade.score, grade.source_attempt_id) == (GradeState.GRADED, Decimal("10.000"), attempt.pk)
    assert grade.changes.get().cause == GradeChange.Cause.GRADED


def test_partial_wrong_and_unanswered_questions_are_told_apart(alice, quiz, assignment):
    attempt = _submitted(alice, quiz, {"single": "b", "multiple": ["a"], "numeric": "14.5"})

    by_key = {row["key"]: row for row in attempt.results}
    assert by_key["single"] == {"key": "single", "status": "incorrect", "earned": "0.00", "possible": "1.00"}
    assert by_key["multiple"] == {"key": "multiple", "status": "partial", "earned": "2.00", "possible": "4.00"}
    assert by_key["tf"]["status"] == "unanswered"
    assert attempt.score == Decimal("2.00")


def test_the_parameterised_answer_is_drawn_from_the_attempt_s_own_seed(alice, bob, quiz, assignment):
    mine = quiz_attempt_start(user=alice, quiz=quiz)
    theirs = quiz_attempt_start(user=bob, quiz=quiz)
    # Fixed seeds whose draws differ by more than the tolerance: bob's number is wrong for alice.
    QuizAttempt.objects.filter(pk=mine.pk).update(seed=1)
    QuizAttempt.objects.filter(pk=theirs.pk).update(seed=2)
    assert abs(float(right_responses(1)["param"]) - float(right_responses(2)["param"])) > 0.01
    bob_number = {"param": right_responses(2)["param"]}

    assert quiz_attempt_submit(user=alice, attempt_id=mine.pk, responses=bob_number).results[5]["status"] == "incorrect"
    assert quiz_attempt_submit(user=bob, attempt_id=theirs.pk, responses=bob_number).results[5]["status"] == "correct"


def test_a_double_submit_changes_nothing(alice, quiz, assignment):
    attempt = _submitted(alice, quiz, {"single": "a"})
    again = quiz_attempt_submit(user=alice, attempt_id=attempt.pk, responses={"single": "b"})
    again.refresh_from_db()
    assert (again.score, again.responses, again.submitted_at) == (attempt.score, {"single": "a"}, attempt.submitted_at)
    assert GradeChange.objects.count() == 1


def test_another_student_s_attempt_cannot_be_submitted(alice, bob, quiz, assignment):
    attempt = quiz_attempt_start(user=alice, quiz=quiz)
    with pytest.raises(QuizAttempt.DoesNotExist):
        quiz_attempt_submit(user=bob, attempt_id=attempt.pk, responses={})
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.parametrize(
    "responses",
    [
        {"single": "z"},  # no such option
        {"multiple": ["a", "nope"]},
        {"tf": "maybe"},
        {"match": {"1": "9"}},
        {"cloze": {"7": "x"}},
        {"not-a-question": "a"},
        {"short": "x" * 1001},
        {"short": "nul\x00"},
        {"short": {"nested": object()}},
    ],
)
def test_a_response_no_form_could_send_is_refused_and_nothing_is_stored(alice, quiz, assignment, responses):
    attempt = quiz_attempt_start(user=alice, quiz=quiz)

    with pytest.raises(QuizRefused) as caught:
        quiz_attempt_submit(user=alice, attempt_id=attempt.pk, responses=responses)

    assert (caught.value.code, caught.value.status) == ("invalid_response", 400)
    assert caught.value.message != caught.value.message_zh
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.responses, attempt.results) == (None, {}, [])
    assert not Grade.objects.exists()


def _refused(code, call):
    with pytest.raises(QuizRefused) as caught:
        call()
    assert caught.value.code == code and caught.value.status in (403, 409)
    assert caught.value.message and caught.value.message_zh and caught.value.message != caught.value.message_zh
    return caught.value


def test_the_attempt_limit_counts_submitted_attempts_and_extra_attempts(alice, quiz, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(attempt_limit=1)
    _submitted(alice, quiz)
    refusal = _refused("attempt_limit", lambda: quiz_attempt_start(user=alice, quiz=quiz))
    assert "1" in refusal.message
    assert QuizAttempt.objects.count() == 1

    Extension.objects.create(assignment=assignment, user=alice, extra_attempts=1)
    second = quiz_attempt_start(user=alice, quiz=quiz)
    assert second.submitted_at is None


def test_an_attempt_started_before_the_limit_was_reached_elsewhere_cannot_exceed_it(alice, quiz, assignment):
    first = quiz_attempt_start(user=alice, quiz=quiz)
    QuizAttempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now(), score=1, max_score=11)
    second = quiz_attempt_start(user=alice, quiz=quiz)
    Assignment.objects.filter(pk=assignment.pk).update(attempt_limit=1)

    _refused("attempt_limit", lambda: quiz_attempt_submit(user=alice, attempt_id=second.pk, responses={}))
    second.refresh_from_db()
    assert second.submitted_at is None


def test_not_open_yet_closed_and_unpublished_are_refused(alice, quiz, assignment):
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=now + timedelta(hours=1))
    refusal = _refused("not_open_yet", lambda: quiz_attempt_start(user=alice, quiz=quiz))
    assert (now + timedelta(hours=1)).strftime("%Y-%m-%d") in refusal.message

    Assignment.objects.filter(pk=assignment.pk).update(opens_at=None, closes_at=now - timedelta(minutes=1))
    _refused("closed", lambda: quiz_attempt_start(user=alice, quiz=quiz))

    Assignment.objects.filter(pk=assignment.pk).update(closes_at=None, published=False)
    _refused("closed", lambda: quiz_attempt_start(user=alice, quiz=quiz))
    assert not QuizAttempt.objects.exists()


def test_an_attempt_in_progress_at_the_close_cannot_be_submitted_after_it(alice, quiz, assignment):
    attempt = quiz_attempt_start(user=alice, quiz=quiz)
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(seconds=1))

    _refused("closed", lambda: quiz_attempt_submit(user=alice, attempt_id=attempt.pk, responses={"single": "a"}))
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not Grade.objects.exists()


def test_an_extension_keeps_the_quiz_open_for_its_student_only(alice, bob, quiz, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    Extension.objects.create(assignment=assignment, user=alice, closes_at=timezone.now() + timedelta(days=1))

    assert _submitted(alice, quiz).score == Decimal("11.00")
    _refused("closed", lambda: quiz_attempt_start(user=bob, quiz=quiz))


def test_a_student_of_another_course_and_a_ta_cannot_start(stranger, ta, quiz, assignment):
    _refused("not_enrolled", lambda: quiz_attempt_start(user=stranger, quiz=quiz))
    _refused("not_enrolled", lambda: quiz_attempt_start(user=ta, quiz=quiz))
    assert not QuizAttempt.objects.exists()


def test_the_instructor_tries_the_quiz_whatever_the_window(teacher, quiz, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(hours=1), attempt_limit=1)
    _submitted(teacher, quiz)
    assert _submitted(teacher, quiz).score == Decimal("11.00")


def test_a_late_attempt_loses_the_late_penalty_in_the_grade(alice, quiz, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=2), late_penalty_per_day=Decimal("25")
    )
    _submitted(alice, quiz)
    grade = Grade.objects.get(user=alice)
    assert (grade.score, grade.late) == (Decimal("7.500"), True)
