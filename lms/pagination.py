"""A cursor over the grade change sequence that a client keeps between pulls.

Every page carries `cursor`: the sequence of its last row (or the cursor it
was asked with, when it has none), opaque to the client. Asking again with it,
now or an hour later, returns exactly the grades that changed since, each
once, including on the last page: that is how an LMS pulls every few minutes.
`next` is the URL of the following page, or null when this one reached the
end of what has been committed so far.
"""

import base64
import binascii

from django.utils.translation import gettext_noop
from rest_framework import status
from rest_framework.utils.urls import replace_query_param

from grader.api.exceptions import ApiError

_VERSION = "v1"


def cursor_encode(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{_VERSION}:{sequence}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    """The sequence a cursor stands for; a clear 400 for anything this service did not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, _, number = raw.partition(":")
        if version != _VERSION or not number.isdecimal() or len(number) > 19:
            raise ValueError(raw)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError.translated(
            status_code=status.HTTP_400_BAD_REQUEST,
            code="invalid_cursor",
            message=gettext_noop("The cursor is not one this API gave out: use the 'cursor' of a previous page."),
        ) from None


def feed_page(queryset, *, after: int, page_size: int) -> tuple[list[dict], int, bool]:
    """Up to page_size rows after `after`, the sequence to resume from, and whether more are waiting."""
    rows = list(queryset[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    return rows, (rows[-1]["sequence"] if rows else after), more


def next_url(request, *, cursor: str, more: bool) -> str | None:
    if not more:
        return None
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor)
