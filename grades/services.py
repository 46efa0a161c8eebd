"""Writes to grades. `grade_recompute` is the one way a Grade changes.

Every path that can change a grade calls it, in the transaction of its own
change: a submission accepted (pending), a grading run stored (graded or
regraded), an extension granted or changed, an excusal, an instructor's
override. It reads the evidence, applies the assignment's policy and late
penalty, and writes the Grade and a GradeChange only when something a reader
sees (score, state, late) differs, with a sequence number taken last.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from courses.models import Assignment, Excusal, Extension
from grader.models import PENDING_RUN_STATUSES, STUDENT_OUTCOME_STATUSES, Submission
from grades.models import GRADE_UNIQUE_CONSTRAINT, Grade, GradeChange, GradeState
from grades.sequence import grade_sequence_next
from lti.ags import ags_outbox_record
from quizzes.models import QuizAttempt

Cause = GradeChange.Cause
SCORE_QUANTUM = Decimal("0.001")
_DAY_SECONDS = 86400


@dataclass(frozen=True)
class _Evidence:
    """One graded try, whichever kind: a coding submission or a submitted quiz attempt."""

    score: Decimal
    max_score: Decimal | None
    at: object  # when it was handed in: what lateness is measured on
    submission: Submission | None = None
    attempt: QuizAttempt | None = None


@dataclass(frozen=True)
class _Computed:
    score: Decimal | None
    state: str
    late: bool
    evidence: _Evidence | None


def late_penalty_percent(*, assignment: Assignment, due_at, submitted_at) -> Decimal:
    """Percent taken off a submission made at `submitted_at`: per day or part of a day late, capped."""
    if due_at is None or submitted_at <= due_at:
        return Decimal(0)
    days = math.ceil((submitted_at - due_at).total_seconds() / _DAY_SECONDS)
    return min(assignment.late_penalty_per_day * days, assignment.late_penalty_cap)


def _fraction(score: Decimal, max_score: Decimal | None) -> Decimal:
    # What the best-attempt policy compares: the share of the try's own maximum.
    return score / max_score if max_score else Decimal(0)


def _scaled(evidence: _Evidence, points: Decimal) -> Decimal:
    # The exercise's (or quiz's) own scale is mapped onto the assignment's points.
    if not evidence.max_score:
        return Decimal(0)
    return evidence.score * points / evidence.max_score


def _evidence(*, user_id: int, assignment: Assignment) -> tuple[list[_Evidence], bool]:
    """The student's graded tries in the order handed in, and whether one is still being graded."""
    if assignment.kind == Assignment.Kind.QUIZ:
        # A quiz attempt is scored when it is submitted: never pending.
        attempts = (
            QuizAttempt.objects.filter(user_id=user_id, quiz_id=assignment.quiz_id, submitted_at__isnull=False)
            .order_by("submitted_at", "id")
            .only("id", "score", "max_score", "submitted_at")
        )
        return [_Evidence(a.score, a.max_score, a.submitted_at, attempt=a) for a in attempts if a.score is not None], False
    submissions = list(
        Submission.objects.filter(user_id=user_id, exercise_id=assignment.exercise_id)
        .order_by("created_at", "id")
        .only("id", "status", "score", "max_score", "created_at", "current_run_id")
    )
    counted = [
        _Evidence(s.score, s.max_score, s.created_at, submission=s)
        for s in submissions
        if s.status in STUDENT_OUTCOME_STATUSES and s.score is not None
    ]
    return counted, any(s.status in PENDING_RUN_STATUSES for s in submissions)


def _compute(*, user_id: int, assignment: Assignment, override: Decimal | None) -> _Computed:
    if Excusal.objects.filter(assignment=assignment, user_id=user_id).exists():
        return _Computed(None, GradeState.EXCUSED, False, None)
    counted, pending = _evidence(user_id=user_id, assignment=assignment)
    if override is not None:
        return _Computed(override, GradeState.GRADED, False, counted[-1] if counted else None)
    if not counted:
        return _Computed(None, GradeState.PENDING if pending else GradeState.NOT_SUBMITTED, False, None)
    if assignment.grade_policy == Assignment.GradePolicy.LAST:
        chosen = counted[-1]
    else:
        # max() keeps the first of equals: the earliest best attempt.
        chosen = max(counted, key=lambda e: _fraction(e.score, e.max_score))
    extension = Extension.objects.filter(assignment=assignment, user_id=user_id).first()
    due_at = extension.due_at if extension is not None and extension.due_at is not None else assignment.due_at
    penalty = late_penalty_percent(assignment=assignment, due_at=due_at, submitted_at=chosen.at)
    score = _scaled(chosen, assignment.points) * (100 - penalty) / 100
    return _Computed(score.quantize(SCORE_QUANTUM, ROUND_HALF_UP), GradeState.GRADED, penalty > 0, chosen)


def _grade_locked(*, user_id: int, assignment: Assignment) -> Grade | None:
    # of=("self",) and no ordering: Grade's default ordering joins the assignment,
    # and a FOR UPDATE on that shared row would serialise (and deadlock) every
    # grade change of the assignment behind the sequence lock.
    return (
        Grade.objects.select_for_update(of=("self",))
        .filter(user_id=user_id, assignment=assignment)
        .order_by()
        .first()
    )


def grade_recompute(
    *,
    student: AbstractBaseUser | int,
    assignment: Assignment,
    cause: str,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
) -> Grade:
    """Recompute `student`'s grade on `assignment`; record a change if a reader would see one."""
    user_id = student if isinstance(student, int) else student.pk
    try:
        return _grade_recompute_once(user_id=user_id, assignment=assignment, cause=cause, actor=actor, reason=reason)
    except IntegrityError as exc:
        # Two first changes of a grade at once: with no row yet, neither could lock
        # one, and our INSERT waited for the other's and then collided with it. That
        # row is committed now: lock it and compute again (our attempt was a savepoint).
        if GRADE_UNIQUE_CONSTRAINT not in str(exc):
            raise
        return _grade_recompute_once(user_id=user_id, assignment=assignment, cause=cause, actor=actor, reason=reason)


def _grade_recompute_once(
    *, user_id: int, assignment: Assignment, cause: str, actor: AbstractBaseUser | None, reason: str
) -> Grade:
    with transaction.atomic():
        grade = _grade_locked(user_id=user_id, assignment=assignment)
        computed = _compute(
            user_id=user_id, assignment=assignment, override=grade.override_score if grade is not None else None
        )
        max_score = Decimal(assignment.points).quantize(SCORE_QUANTUM)
        old = (None, "", False) if grade is None else (grade.score, grade.state, grade.late)
        new = (computed.score, computed.state, computed.late)
        evidence = computed.evidence
        source_submission = evidence.submission if evidence is not None else None
        source_attempt = evidence.attempt if evidence is not None else None
        source_run_id = source_submission.current_run_id if source_submission is not None else None
        if grade is not None and old == new and grade.max_score == max_score:
            if (grade.source_submission_id, grade.source_run_id, grade.source_attempt_id) != (
                source_submission.pk if source_submission else None,
                source_run_id,
                source_attempt.pk if source_attempt else None,
            ):
                # Same score from other evidence (a regrade that changed nothing): no change to report.
                grade.source_submission = source_submission
                grade.source_run_id = source_run_id
                grade.source_attempt = source_attempt
                grade.save(update_fields=["source_submission", "source_run", "source_attempt", "updated_at"])
            return grade
        # Taken last: the sequence lock is held only from here to commit.
        sequence = grade_sequence_next()
        if grade is None:
            grade = Grade(user_id=user_id, assignment=assignment)
        grade.score, grade.state, grade.late = new
        grade.max_score = max_score
        grade.source_submission = source_submission
        grade.source_run_id = source_run_id
        grade.source_attempt = source_attempt
        grade.sequence = sequence
        grade.save()
        change = GradeChange.objects.create(
            grade=grade,
            cause=cause,
            old_score=old[0],
            new_score=computed.score,
            old_state=old[1],
            new_state=computed.state,
            late=computed.late,
            actor=actor if actor is not None and actor.is_authenticated else None,
            reason=reason[:500],
            sequence=sequence,
        )
        ags_outbox_record(change)  # the LMS grade push (LTI AGS): its outbox rows commit with this change
    return grade


# A queued submission is never counted (only outcomes are), so it moves a grade
# only when nothing is counted yet: not submitted -> pending. In these states
# it changes nothing a reader sees.
_UNMOVED_BY_A_QUEUED_SUBMISSION = (GradeState.PENDING, GradeState.GRADED, GradeState.EXCUSED)


def grade_submission_queued(*, student: AbstractBaseUser | int, assignment: Assignment) -> Grade:
    """`grade_recompute` after a new queued submission, without redoing a computation whose answer is known.

    Call in the transaction that stores the submission. The grade row is locked
    first, as grade_recompute does: a concurrent change (an excusal lifted, an
    override) either commits before we read the state here, or waits for us and
    then sees our submission.
    """
    user_id = student if isinstance(student, int) else student.pk
    # No savepoint: nothing here is caught and retried, so an error rolls back the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        grade = _grade_locked(user_id=user_id, assignment=assignment)
        if (
            grade is not None
            and grade.state in _UNMOVED_BY_A_QUEUED_SUBMISSION
            and grade.max_score == Decimal(assignment.points).quantize(SCORE_QUANTUM)
        ):
            return grade
        return grade_recompute(student=user_id, assignment=assignment, cause=Cause.SUBMITTED)


def _best_unmoved_by(*, grade: Grade, assignment: Assignment, submission: Submission) -> bool:
    """Whether `submission`'s new result leaves a best-attempt grade as it is, known without the whole history.

    Only for a graded, not overridden grade whose source is another submission:
    then the result that counts stays chosen if the new one is below it, or equal
    and handed in later (the earliest best counts). The source and the policy are
    read after the grade row is locked, so they are what the last change saw or newer.
    """
    if (
        assignment.kind != Assignment.Kind.CODING
        or grade.state != GradeState.GRADED
        or grade.override_score is not None
        or grade.source_submission_id in (None, submission.pk)
        or submission.status not in STUDENT_OUTCOME_STATUSES
        or submission.score is None
    ):
        return False
    source = (
        Submission.objects.filter(pk=grade.source_submission_id)
        .values("status", "score", "max_score", "created_at", "current_run_id",
                "exercise__assignment__grade_policy", "exercise__assignment__points")
        .first()
    )  # fmt: skip
    if (
        source is None
        or source["exercise__assignment__grade_policy"] != Assignment.GradePolicy.BEST
        or Decimal(source["exercise__assignment__points"]).quantize(SCORE_QUANTUM) != grade.max_score
        or source["current_run_id"] != grade.source_run_id
        or source["status"] not in STUDENT_OUTCOME_STATUSES
        or source["score"] is None
    ):
        return False
    new = _fraction(submission.score, submission.max_score)
    counted = _fraction(source["score"], source["max_score"])
    handed_in_later = (submission.created_at, submission.pk) > (source["created_at"], grade.source_submission_id)
    return new < counted or (new == counted and handed_in_later)


def grade_submission_graded(
    *, submission: Submission, assignment: Assignment, cause: str, actor: AbstractBaseUser | None = None, reason: str = ""
) -> Grade:
    """`grade_recompute` after `submission`'s result is stored, skipping it when the answer is known.

    Call in the transaction that stores the result, with `submission` as stored
    (status, score, max_score, current_run). Under the best-attempt policy a
    result below the one that counts changes nothing (see _best_unmoved_by);
    everything else is recomputed.
    """
    with transaction.atomic(savepoint=False):  # as in grade_submission_queued
        grade = _grade_locked(user_id=submission.user_id, assignment=assignment)
        if grade is not None and _best_unmoved_by(grade=grade, assignment=assignment, submission=submission):
            return grade
        # Read again now that the grade is locked: a policy change committed since the
        # caller read the assignment (whose own recompute of this grade is then done) counts.
        assignment.refresh_from_db()
        return grade_recompute(student=submission.user_id, assignment=assignment, cause=cause, actor=actor, reason=reason)


class GradeOverrideInvalid(ValueError):
    pass


def grade_override(
    *, student: AbstractBaseUser | int, assignment: Assignment, score: Decimal | None, actor: AbstractBaseUser, reason: str
) -> Grade:
    """An instructor's score, which counts instead of the policy's, with the reason why. None lifts it."""
    if not reason.strip():
        raise GradeOverrideInvalid("An override needs a reason. · 调整成绩必须说明理由。")
    if score is not None and not (0 <= score <= assignment.points):
        raise GradeOverrideInvalid(
            f"The score must be between 0 and {assignment.points}. · 分数必须在 0 到 {assignment.points} 之间。"
        )
    user_id = student if isinstance(student, int) else student.pk
    with transaction.atomic():
        grade = _grade_locked(user_id=user_id, assignment=assignment)
        if grade is None:
            grade = grade_recompute(student=user_id, assignment=assignment, cause=Cause.GRADED)
        Grade.objects.filter(pk=grade.pk).update(
            override_score=None if score is None else Decimal(score).quantize(SCORE_QUANTUM), override_reason=reason[:500]
        )
        return grade_recompute(student=user_id, assignment=assignment, cause=Cause.OVERRIDE, actor=actor, reason=reason)


def grades_recompute_for_assignment(*, assignment: Assignment, cause: str, actor=None, reason: str = "") -> int:
    """After a change to the assignment's dates or policy: every student with evidence, again."""
    if assignment.kind == Assignment.Kind.QUIZ:
        user_ids = set(QuizAttempt.objects.filter(quiz_id=assignment.quiz_id).values_list("user_id", flat=True))
    else:
        user_ids = set(Submission.objects.filter(exercise_id=assignment.exercise_id).values_list("user_id", flat=True))
    user_ids |= set(Grade.objects.filter(assignment=assignment).values_list("user_id", flat=True))
    for user_id in sorted(user_ids):
        grade_recompute(student=user_id, assignment=assignment, cause=cause, actor=actor, reason=reason)
    return len(user_ids)


def extension_grant(
    *,
    student: AbstractBaseUser,
    assignment: Assignment,
    actor: AbstractBaseUser | None,
    due_at=None,
    closes_at=None,
    extra_attempts: int = 0,
    reason: str = "",
) -> Extension:
    """Give (or change) one student's own due/close times and extra attempts; the grade follows."""
    with transaction.atomic():
        extension, _ = Extension.objects.update_or_create(
            assignment=assignment,
            user=student,
            defaults={
                "due_at": due_at,
                "closes_at": closes_at,
                "extra_attempts": extra_attempts,
                "reason": reason[:500],
                "granted_by": actor,
            },
        )
        grade_recompute(student=student, assignment=assignment, cause=Cause.EXTENSION, actor=actor, reason=reason)
    return extension


def excusal_set(
    *, student: AbstractBaseUser, assignment: Assignment, excused: bool, actor: AbstractBaseUser | None, reason: str = ""
) -> Grade:
    """Excuse a student from an assignment, or take the excusal back; the grade follows."""
    with transaction.atomic():
        if excused:
            Excusal.objects.update_or_create(
                assignment=assignment, user=student, defaults={"reason": reason[:500], "excused_by": actor}
            )
        else:
            Excusal.objects.filter(assignment=assignment, user=student).delete()
        return grade_recompute(student=student, assignment=assignment, cause=Cause.EXCUSED, actor=actor, reason=reason)
