"""JSON request bodies: UTF-8 only, bounded, and every failure a clear 4xx.

DRF's JSONParser decodes with whatever charset the client declares and reads
the whole body whatever its size; a student API wants neither.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy, gettext_noop
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from grader.api.exceptions import ApiError


def _reject_constant(name):
    # NaN and Infinity are not JSON, whatever Python's json module allows.
    raise ValueError(f"{name} is not valid JSON")


class Utf8JSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        # Django's own cap on a request body held in memory (2.5 MiB by
        # default); DRF reads the stream directly, so Django never applies it.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise ApiError.translated(
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                code="request_too_large",
                message=gettext_noop("The request body is larger than %(limit)s bytes."),
                limit=limit,
            )
        try:
            # JSON is UTF-8 (RFC 8259 §8.1), whatever charset the header names;
            # a leading byte-order mark is tolerated.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApiError.translated(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="not_utf8",
                message=gettext_noop("The request body is not valid UTF-8 (byte %(byte)s). Send the code as UTF-8 text."),
                byte=exc.start,
            ) from None
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ApiError.translated(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="malformed_json",
                message=gettext_noop("The request body is not valid JSON: %(reason)s (line %(line)s, column %(column)s)."),
                reason=exc.msg,
                line=exc.lineno,
                column=exc.colno,
            ) from None
        except (ValueError, RecursionError) as exc:
            # NaN/Infinity, an integer too long to convert, or nesting deep
            # enough to exhaust the parser's recursion: all malformed input.
            reason = gettext_lazy("nested too deeply") if isinstance(exc, RecursionError) else str(exc)
            raise ApiError.translated(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="malformed_json",
                message=gettext_noop("The request body is not valid JSON: %(reason)s."),
                reason=reason,
            ) from None
