"""When an assignment accepts a student's try: one rule for coding submissions and quiz attempts.

The window and the attempt limit are the assignment's, with the student's
extension counted (its own close time, its extra attempts). Instructors try
their own course's assignments whatever the window and the limit say. Each
caller words the refusal for its own kind of try (an exercise's submission,
a quiz's attempt) and counts its own attempts.
"""

from collections.abc import Callable
from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils import timezone

from courses.models import Assignment, Extension


UNREAD = object()  # the caller has not read the student's extension


class WindowRefusal(Exception):
    """The assignment does not take this student's try now.

    `reason` is "closed", "not_open_yet" (params: opens_at, UTC text) or
    "attempt_limit" (params: limit, the student's own with extra attempts).
    """

    def __init__(self, reason: str, **params):
        self.reason = reason
        self.params = params
        super().__init__(f"{reason}: {params}")


def assignment_window_check(
    *,
    assignment: Assignment,
    user_id: int,
    is_instructor: bool,
    attempts_used: Callable[[], int],
    default_attempt_limit: int = 0,
    now: datetime | None = None,
    extension: Extension | None | object = UNREAD,
) -> Extension | None:
    """Raise WindowRefusal unless `assignment` takes a try from the student now; return their extension.

    `attempts_used` is called only when a limit applies (the assignment's, else
    `default_attempt_limit`; 0 or None = unlimited), so an unlimited assignment
    costs no count query. A caller that already read the student's extension
    (None: there is none) passes it as `extension`, saving the query.
    """
    if is_instructor:
        return None
    if not assignment.published:
        raise WindowRefusal("closed")
    now = now or timezone.now()
    if assignment.opens_at is not None and now < assignment.opens_at:
        raise WindowRefusal("not_open_yet", opens_at=assignment.opens_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M"))
    if extension is UNREAD:
        extension = Extension.objects.filter(assignment=assignment, user_id=user_id).first()
    closes_at = closes_at_for(assignment=assignment, extension=extension)
    if closes_at is not None and now >= closes_at:
        raise WindowRefusal("closed")
    limit = assignment.attempt_limit if assignment.attempt_limit is not None else default_attempt_limit
    if not limit:
        return extension
    limit += extension.extra_attempts if extension is not None else 0
    if attempts_used() >= limit:
        raise WindowRefusal("attempt_limit", limit=limit)
    return extension


def closes_at_for(*, assignment: Assignment, extension: Extension | None):
    """The student's own hard close: the extension's when it sets one, else the assignment's (None: never)."""
    if extension is not None and extension.closes_at is not None:
        return extension.closes_at
    return assignment.closes_at


def due_at_for(*, assignment: Assignment, extension: Extension | None):
    """The student's own due time: the extension's when it sets one, else the assignment's (None: never late)."""
    if extension is not None and extension.due_at is not None:
        return extension.due_at
    return assignment.due_at
