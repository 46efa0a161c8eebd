"""JSON request bodies: UTF-8 only, bounded, and every failure a clear 4xx.

DRF's JSONParser decodes with whatever charset the client declares and reads
the whole body whatever its size; a student API wants neither.
"""

import json
import re

from django.conf import settings
from django.utils.translation import gettext_lazy, gettext_noop
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from grader.api.exceptions import ApiError


# JSON's \ud800 escape decodes to a str that no UTF-8 text (a database column,
# a response body) can hold: refused here, for every field of every endpoint.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_path(value) -> str | None:
    """Where in the parsed JSON a lone surrogate sits ("code", "items.2", "<key>"), or None.

    Iterative: the parser accepted nesting as deep as its recursion allows.
    """
    pending = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return path or "<body>"
        elif isinstance(item, dict):
            for key, child in item.items():
                if _LONE_SURROGATE.search(key):
                    return f"{path}.<key>" if path else "<key>"
                pending.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            pending.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))
    return None


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
            data = json.loads(text, parse_constant=_reject_constant)
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
        where = _surrogate_path(data)
        # The submitted code is judged by submission_create, in the same words
        # as `manage.py grade` uses for a file: its refusal, not this one.
        if where is not None and where != "code":
            # The path, never the text: echoing it would fail to encode all over again.
            raise ApiError(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="not_utf8",
                message=f"The request contains text that is not valid Unicode at '{_printable(where)}' "
                "(an unpaired surrogate such as \\ud800). Send UTF-8 text.",
                message_zh=f"请求中“{_printable(where)}”处的文本不是有效的 Unicode（含有未配对的代理字符，例如 \\ud800）。"
                "请发送 UTF-8 文本。",
            )
        return data


def _printable(path: str) -> str:
    # A key on the path may itself be odd: keep the message short and plain.
    return _LONE_SURROGATE.sub("?", path)[:100]
