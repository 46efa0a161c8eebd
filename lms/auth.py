"""`Authorization: Bearer lms_…` for the LMS endpoints, and what a token may read.

These views take LMS tokens only: a student's `Token …` (knox) or a signed-in
browser session is not an LMS credential, whoever holds it, and is answered
401 lms_token_required. A token reads only the course in the URL it was
issued for (403 wrong_course) and only within its scopes (403
insufficient_scope, naming the scope, as RFC 6750 does).
"""

from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from courses.language import in_both_languages
from grader.api.exceptions import ApiError
from lms.models import LmsToken
from lms.tokens import LmsTokenRefused, lms_token_authenticate

_REFUSALS = {
    "invalid": ("token_invalid", gettext_noop("This LMS token is not valid.")),
    "revoked": ("token_revoked", gettext_noop("This LMS token has been revoked.")),
    "expired": ("token_expired", gettext_noop("This LMS token has expired.")),
}


class LmsAuthenticationError(ApiError, exceptions.AuthenticationFailed):
    """Our code and both languages (ApiError), answered as DRF answers a failed login: 401 + WWW-Authenticate."""


def _refused(code: str, message: str) -> LmsAuthenticationError:
    en, zh = in_both_languages(message)
    return LmsAuthenticationError(status_code=status.HTTP_401_UNAUTHORIZED, code=code, message=en, message_zh=zh)


class LmsTokenAuthentication(BaseAuthentication):
    """request.user stays anonymous (a token is no person); request.auth is the LmsToken row."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword:
            # A student's "Token …", HTTP Basic…: a credential, but not one these endpoints take.
            raise _refused(
                "lms_token_required",
                gettext_noop("This endpoint takes an LMS token: Authorization: Bearer lms_…"),
            )
        if len(header) != 2:
            raise _refused(*_REFUSALS["invalid"])
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise _refused(*_REFUSALS["invalid"]) from None
        try:
            token = lms_token_authenticate(raw)
        except LmsTokenRefused as refusal:
            raise _refused(*_REFUSALS[refusal.code]) from None
        return (_TokenHolder(token), token)

    def authenticate_header(self, request):
        return 'Bearer realm="lms"'


class _TokenHolder:
    """Stands in for request.user: authenticated, but nobody's account (no staff, no superuser, no pk)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, token: LmsToken):
        self.token = token

    def __str__(self):
        return f"LMS token {self.token.key_id}"


def lms_permission(scope: str) -> type[BasePermission]:
    """A permission class: an LMS token of the URL's course, holding `scope`."""

    class HasScope(BasePermission):
        required_scope = scope

        def has_permission(self, request, view):
            token = request.auth
            if not isinstance(token, LmsToken):
                # Session users reach here unauthenticated (no SessionAuthentication on these views).
                raise _refused(
                    "lms_token_required",
                    gettext_noop("This endpoint takes an LMS token: Authorization: Bearer lms_…"),
                )
            if token.course.slug != view.kwargs.get("course"):
                # The URL's course is never looked up: whether it exists is not this token's business.
                raise ApiError.translated(
                    status_code=status.HTTP_403_FORBIDDEN,
                    code="wrong_course",
                    message=gettext_noop("This token is for the course '%(course)s' only."),
                    course=token.course.slug,
                )
            if scope not in token.scopes:
                raise ApiError.translated(
                    status_code=status.HTTP_403_FORBIDDEN,
                    code="insufficient_scope",
                    message=gettext_noop("This token lacks the scope %(scope)s."),
                    scope=scope,
                )
            return True

    HasScope.__name__ = f"HasScope_{scope.replace(':', '_')}"
    return HasScope
