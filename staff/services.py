"""Writes the staff make in bulk: extensions and excusals for many students of one assignment at once.

Every change goes through grades.services (extension_grant, excusal_set),
which recompute the grade with the cause "extension" or "excused". The preview
is the same work done in a transaction that is then rolled back, so what the
page shows before confirming is exactly what confirming does (it costs a
number of the grade change sequence per change, which leaves harmless gaps).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Assignment, Enrollment
from grades.models import Grade, GradeState
from grades.services import excusal_set, extension_grant


class BulkAction:
    EXTEND = "extend"
    EXCUSE = "excuse"
    UNEXCUSE = "unexcuse"
    CHOICES = (EXTEND, EXCUSE, UNEXCUSE)


class BulkInvalid(ValueError):
    """The request names something wrong; nothing was changed."""

    def __init__(self, message: str, *, unknown: list[str] | None = None):
        super().__init__(message)
        self.unknown = unknown or []


@dataclass(frozen=True)
class GradeMove:
    username: str
    old_score: Decimal | None
    old_state: str
    old_late: bool
    new_score: Decimal | None
    new_state: str
    new_late: bool

    @property
    def old_state_label(self) -> str:
        return GradeState(self.old_state).label if self.old_state in GradeState.values else ""

    @property
    def new_state_label(self) -> str:
        return GradeState(self.new_state).label

    @property
    def changed(self) -> bool:
        return (self.old_score, self.old_state, self.old_late) != (self.new_score, self.new_state, self.new_late)


def usernames_parse(text: str) -> list[str]:
    """The usernames in `text` (one a line, or separated by commas, semicolons or spaces), first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for name in re.split(r"[\s,;]+", text):
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _students_by_username(*, assignment: Assignment, usernames: list[str]) -> list[AbstractBaseUser]:
    students = {
        user.username: user
        for user in get_user_model().objects.filter(
            username__in=usernames,
            enrollments__course_id=assignment.course_id,
            enrollments__role=Enrollment.Role.STUDENT,
        )
    }
    unknown = [name for name in usernames if name not in students]
    if unknown:
        raise BulkInvalid(
            _("Not a student of this course: %(names)s. Nothing was changed.") % {"names": ", ".join(unknown)},
            unknown=unknown,
        )
    return [students[name] for name in usernames]


def _grades_of(assignment: Assignment, user_ids) -> dict[int, tuple]:
    return {
        user_id: (score, state, late)
        for user_id, score, state, late in Grade.objects.filter(assignment=assignment, user_id__in=user_ids).values_list(
            "user_id", "score", "state", "late"
        )
    }


def extensions_bulk_apply(
    *,
    assignment: Assignment,
    usernames: list[str],
    action: str,
    actor: AbstractBaseUser,
    reason: str,
    due_at=None,
    closes_at=None,
    extra_attempts: int = 0,
    dry_run: bool,
) -> list[GradeMove]:
    """Extend, excuse or lift the excusal of each student named; the grade moves, old → new, per student.

    Raises BulkInvalid, with nothing changed, when no one is named, a name is
    not a student of the assignment's course, the action is unknown, or an
    extension gives nothing (no date and no extra attempt). With `dry_run` the
    work is rolled back: the moves are what confirming would do.
    """
    if action not in BulkAction.CHOICES:
        raise BulkInvalid(_("Unknown action."))
    if not usernames:
        raise BulkInvalid(_("Name at least one student."))
    if not reason.strip():
        raise BulkInvalid(_("Give a reason."))
    if action == BulkAction.EXTEND:
        if due_at is None and closes_at is None and not extra_attempts:
            raise BulkInvalid(_("An extension needs a new due date, a new close date or extra attempts."))
        if due_at is not None and closes_at is not None and closes_at < due_at:
            raise BulkInvalid(_("The close date is before the due date."))
    students = _students_by_username(assignment=assignment, usernames=usernames)
    ids = [student.pk for student in students]
    with transaction.atomic():
        before = _grades_of(assignment, ids)
        for student in students:
            if action == BulkAction.EXTEND:
                extension_grant(
                    student=student, assignment=assignment, actor=actor, due_at=due_at, closes_at=closes_at,
                    extra_attempts=extra_attempts, reason=reason,
                )  # fmt: skip
            else:
                excusal_set(
                    student=student, assignment=assignment, excused=action == BulkAction.EXCUSE, actor=actor, reason=reason
                )
        after = _grades_of(assignment, ids)
        if dry_run:
            transaction.set_rollback(True)
    nothing = (None, GradeState.NOT_SUBMITTED, False)
    return [
        GradeMove(student.username, *before.get(student.pk, nothing), *after.get(student.pk, nothing))
        for student in students
    ]
