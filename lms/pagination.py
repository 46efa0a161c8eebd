"""A cursor over the grade change sequence that a client keeps between pulls.

Every page carries `cursor`: the sequence of its last row (or the cursor it
was asked with, when it has none); clients store it as they got it. Asking again with it,
now or an hour later, returns exactly the grades that changed since, each
once, including on the last page: that is how an LMS pulls every few minutes.
`next` is the URL of the following page, or null when this one reached the
end of what has been committed so far.
"""

from django.utils.translation import gettext_noop
from rest_framework import status
from rest_framework.utils.urls import replace_query_param

from grader.api.exceptions import ApiError

# A sequence number, written out: resumable for as long as the service runs, whatever the client stores.
CURSOR_PATTERN = r"^[0-9]{1,18}$"


def cursor_encode(sequence: int) -> str:
    return str(sequence)


def cursor_decode(cursor: str) -> int:
    """The sequence a cursor stands for; a clear 400 for anything else."""
    if not (cursor.isascii() and cursor.isdecimal() and len(cursor) <= 18):
        raise ApiError.translated(
            status_code=status.HTTP_400_BAD_REQUEST,
            code="invalid_cursor",
            message=gettext_noop("The cursor must be the 'cursor' of a previous page (a whole number)."),
        )
    return int(cursor)


def feed_page(queryset, *, after: int, page_size: int) -> tuple[list[tuple], int, bool]:
    """Up to page_size rows after `after`, the sequence to resume from, and whether more are waiting."""
    rows = list(queryset[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    # The sequence is the first column of a feed row (lms.selectors.FEED_FIELDS).
    return rows, (rows[-1][0] if rows else after), more


def next_url(request, *, cursor: str, more: bool) -> str | None:
    if not more:
        return None
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor)
