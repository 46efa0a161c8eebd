"""One shape for every API error, DRF's own included.

    {"error": {"code": "...", "message": "...", "message_zh": "...", ...}}

`code` is stable (clients branch on it); `message` and `message_zh` are for
people. Validation errors add "fields": {name: [{code, message, message_zh}]};
rate limits add "retry_after" (seconds, also in the Retry-After header).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from courses.language import in_both_languages
from grader.services import SubmissionRejected

# How each refusal of submission_create is answered over HTTP.
#   400: the text itself is unusable (empty, not UTF-8, NUL)
#   413: the code is over SUBMISSION_MAX_BYTES
#   403: who you are: not enrolled in the exercise's course
#   409: the state of things: not assigned, not open yet, closed, attempts used up
#   429: too fast; retrying after Retry-After seconds will
REJECTION_STATUS = {
    "empty": status.HTTP_400_BAD_REQUEST,
    "not_utf8": status.HTTP_400_BAD_REQUEST,
    "null_character": status.HTTP_400_BAD_REQUEST,
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "not_enrolled": status.HTTP_403_FORBIDDEN,
    "exercise_closed": status.HTTP_409_CONFLICT,
    "attempt_limit": status.HTTP_409_CONFLICT,
    "not_assigned": status.HTTP_409_CONFLICT,
    "not_open_yet": status.HTTP_409_CONFLICT,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
}

# Chinese for DRF's errors whose English text DRF's own catalogue cannot
# translate (it is formatted, or has no entry); the English stays DRF's.
_GENERIC_ZH = {
    "not_found": "未找到。",
    "method_not_allowed": "不支持该请求方法。",
    "unsupported_media_type": "不支持该请求的媒体类型，请以 application/json 发送。",
    "parse_error": "请求格式错误。",
    "not_authenticated": "身份认证信息未提供。",
    "authentication_failed": "身份认证失败。",
    "permission_denied": "您没有执行该操作的权限。",
    "throttled": "请求过于频繁，请稍后重试。",
    "null_characters_not_allowed": "不允许包含 NUL 字符。",
    "surrogate_characters_not_allowed": "不允许包含代理字符（surrogate）。",
    "invalid": "该字段的值或类型无效。",
}


class ApiError(exceptions.APIException):
    """An error whose code and bilingual text the API chooses itself."""

    def __init__(
        self,
        *,
        status_code: int,
        code: str,
        message: str,
        message_zh: str,
        retry_after: int | None = None,
    ):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.message_zh = message_zh
        # DRF's handler turns `wait` into the Retry-After header.
        self.wait = retry_after

    @classmethod
    def translated(cls, *, status_code: int, code: str, message: str, retry_after: int | None = None, **params) -> "ApiError":
        """An error whose text is a gettext msgid (locale/ holds its Chinese), %-formatted with `params`."""
        en, zh = in_both_languages(message, **params)
        return cls(status_code=status_code, code=code, message=en, message_zh=zh, retry_after=retry_after)


def unknown_exercise(slug: str) -> ApiError:
    return ApiError.translated(
        status_code=status.HTTP_404_NOT_FOUND,
        code="unknown_exercise",
        message=gettext_noop("There is no exercise '%(slug)s'."),
        slug=slug,
    )


def _zh(message: str, code: str) -> str:
    # DRF ships a zh_Hans catalogue keyed by its English messages.
    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    if translated != message:
        return translated
    return _GENERIC_ZH.get(code, message)


def _field_errors(detail, prefix: str = "") -> dict[str, list[dict]]:
    """Flatten DRF's nested error detail into {"field" or "field.sub": [errors]}."""
    fields: dict[str, list[dict]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            fields.update(_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                fields.update(_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
            else:
                code = getattr(item, "code", "invalid")
                fields.setdefault(prefix or "non_field_errors", []).append(
                    {"code": code, "message": str(item), "message_zh": _zh(str(item), code)}
                )
    else:
        code = getattr(detail, "code", "invalid")
        fields.setdefault(prefix or "non_field_errors", []).append(
            {"code": code, "message": str(detail), "message_zh": _zh(str(detail), code)}
        )
    return fields


def _error_body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, ApiError):
        body = {"code": exc.code, "message": exc.message, "message_zh": exc.message_zh}
        if exc.wait is not None:
            body["retry_after"] = exc.wait
        return body
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)

        en, zh = [], []
        for name, errors in fields.items():
            # "code: This field is required.", or just the message when it is about no one field.
            label = "" if name == "non_field_errors" else f"{name}: "
            en += [label + error["message"] for error in errors]
            zh += [label + error["message_zh"] for error in errors]
        return {"code": "invalid_input", "message": " ".join(en), "message_zh": " ".join(zh), "fields": fields}
    code = getattr(exc.detail, "code", None) or exc.default_code
    message = str(exc.detail)
    body = {"code": code, "message": message, "message_zh": _zh(message, code)}
    if getattr(exc, "wait", None) is not None:
        body["retry_after"] = int(exc.wait)
    return body


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handling, reshaped into the one error shape."""
    if isinstance(exc, SubmissionRejected):
        exc = ApiError(
            status_code=REJECTION_STATUS[exc.code],
            code=exc.code,
            message=exc.message,
            message_zh=exc.message_zh,
            retry_after=exc.retry_after,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    # DRF's handler sets the status, the WWW-Authenticate and Retry-After
    # headers, and rolls back the transaction; only the body is ours.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a real bug, Django's 500
    response.data = {"error": _error_body(exc)}
    return response
