"""The students' REST API, version 1. Views translate HTTP to services and selectors, nothing more.

Every error body is {"error": {"code", "message", "message_zh", ...}} (see
grader.api.exceptions). Errors common to all endpoints:
  401 not_authenticated / authentication_failed: no or a bad token
      (header `Authorization: Token <key>`; the response says WWW-Authenticate: Token)
  404 not_found: no such endpoint (API paths end with a slash)
  405 method_not_allowed
"""

from django.contrib.auth.signals import user_logged_in
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop
from rest_framework import serializers, status
from rest_framework.fields import DateTimeField
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer

from accounts.lockout import LOCKOUT_CODE, LoginLockedOut, user_authenticate
from accounts.tokens import ApiTokenAuthentication, api_token_issue, api_token_revoke, api_tokens_revoke_all
from grader.api.exceptions import ApiError, unknown_exercise
from grader.api.parsers import Utf8JSONParser
from grader.api.schema import COMMON_ERRORS, error, page_of
from grader.api.serializers import (
    SubmissionCreatedSerializer,
    SubmissionCreateSerializer,
    SubmissionDetailSerializer,
    SubmissionListItemSerializer,
    TokenCreateSerializer,
)
from grader.models import Exercise
from grader.selectors import exercise_get_by_slug, submission_get_for_user, submission_list_for_user
from grader.services import submission_create

_LANGS = {"en": "en", "zh": "zh", "zh-hans": "zh", "zh-cn": "zh"}


def _result_language(request) -> str:
    """Return "zh" or "en": `?lang=` first, then Accept-Language; English by default."""
    requested = request.query_params.get("lang")
    if requested is not None:
        try:
            return _LANGS[requested.strip().lower()]
        except KeyError:
            raise ApiError.translated(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="unsupported_language",
                message=gettext_noop("lang must be 'en' or 'zh'."),
            ) from None
    return "zh" if translation.get_language_from_request(request).startswith("zh") else "en"


class TokenView(APIView):
    """POST /api/v1/auth/token/ {"username", "password"} → 200 {"token": "...", "expiry": "<ISO 8601>"}

    Send it back as `Authorization: Token <token>`. Every call issues a new
    token; the API_TOKENS_PER_USER newest stay valid until they expire (the
    oldest is revoked past that), and all are revoked by a password change.
    Errors:
      400 invalid_input: wrong credentials ("Unable to log in with provided credentials."),
          a missing field, a body that is not UTF-8 (not_utf8) or not JSON (malformed_json)
      429 login_locked_out: too many failures for this account or from this address
          (the same answer whether the account exists or not); Retry-After says when
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    # What `curl -d` and HTML forms send, besides JSON.
    parser_classes = (Utf8JSONParser, FormParser, MultiPartParser)

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCreateSerializer,
        responses={
            200: inline_serializer("IssuedToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}),
            400: error("invalid_input (wrong credentials, a missing field), not_utf8, malformed_json"),
            429: error("login_locked_out; see Retry-After"),
        },
        auth=[],
    )
    def post(self, request):
        payload = TokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            user = user_authenticate(request=request, **payload.validated_data)
        except LoginLockedOut as exc:
            raise ApiError(
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                code=LOCKOUT_CODE,
                message=exc.message,
                message_zh=exc.message_zh,
                retry_after=exc.retry_after,
            ) from None
        if user is None:
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        token, expiry = api_token_issue(user=user)
        # Records the login (last_login) and clears the account's failure count.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token, "expiry": DateTimeField().to_representation(expiry)})


class LogoutView(APIView):
    """POST /api/v1/auth/logout/ → 204: the token this request carries stops working.

    Token authentication only (a browser session logs out on the site).
    """

    authentication_classes = (ApiTokenAuthentication,)

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None, **COMMON_ERRORS})
    def post(self, request):
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """POST /api/v1/auth/logout-all/ → 204: every token of this user stops working."""

    authentication_classes = (ApiTokenAuthentication,)

    @extend_schema(operation_id="auth_logout_all", request=None, responses={204: None, **COMMON_ERRORS})
    def post(self, request):
        api_tokens_revoke_all(user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmissionCollectionView(APIView):
    """POST: submit code. GET: your own history, newest first.

    POST /api/v1/submissions/ {"exercise": "<slug>", "code": "<python source>"}
      201 {"id", "exercise", "status": "queued", "created_at"}, Location: the result's URL.
      400 invalid_input: a missing field, or one that is not a JSON string (details in "fields")
      400 malformed_json, not_utf8 (the body, or a lone surrogate such as "\\ud800" in the code),
          empty, null_character
      413 too_large: the code is over 64 KiB in UTF-8; request_too_large: the whole body is over
          Django's DATA_UPLOAD_MAX_MEMORY_SIZE
      415 unsupported_media_type: only application/json is accepted
      404 unknown_exercise
      403 not_enrolled: not enrolled in the exercise's course
      409 not_assigned, not_open_yet, exercise_closed (past the close or unpublished; a student's
          extension counts); attempt_limit: this assignment's attempts are used up
      429 rate_limited: over SUBMISSION_RATE_LIMIT; "retry_after" and Retry-After say when to retry

    GET /api/v1/submissions/[?exercise=<slug>][&page=N]
      200 {"count", "next", "previous", "results": [{"id", "exercise", "status", "score",
           "max_score", "created_at", "graded_at"}]}; your own submissions only, whatever your role.
      404 unknown_exercise; not_found: a page past the end
    """

    parser_classes = (Utf8JSONParser,)
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="submissions_list",
        parameters=[
            OpenApiParameter("exercise", str, description="Only this exercise (its slug)."),
            OpenApiParameter("page", int, description="A page number."),
        ],
        responses={200: page_of("SubmissionPage", SubmissionListItemSerializer), 404: error("unknown_exercise, not_found"), **COMMON_ERRORS},
    )
    def get(self, request):
        slug = request.query_params.get("exercise") or None
        try:
            submissions = submission_list_for_user(user=request.user, exercise_slug=slug)
        except Exercise.DoesNotExist:
            raise unknown_exercise(slug) from None
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(submissions, request, view=self)
        items = SubmissionListItemSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(items.data)

    @extend_schema(
        operation_id="submissions_create",
        request=SubmissionCreateSerializer,
        responses={
            201: SubmissionCreatedSerializer,
            400: error("invalid_input, malformed_json, not_utf8, empty, null_character"),
            403: error("not_enrolled"),
            404: error("unknown_exercise"),
            409: error("not_assigned, not_open_yet, exercise_closed, attempt_limit"),
            413: error("too_large, request_too_large"),
            415: error("unsupported_media_type"),
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        payload = SubmissionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            exercise = exercise_get_by_slug(slug=payload.validated_data["exercise"])
        except Exercise.DoesNotExist:
            raise unknown_exercise(payload.validated_data["exercise"]) from None
        submission = submission_create(user=request.user, exercise=exercise, code=payload.validated_data["code"])
        location = request.build_absolute_uri(reverse("api:submission-detail", args=[submission.id]))
        return Response(
            SubmissionCreatedSerializer(submission).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class SubmissionDetailView(APIView):
    """GET /api/v1/submissions/<id>/[?lang=zh] → 200, the result as COURSE.md defines it:

    {"id", "exercise", "status", "score", "max_score", "feedback",
     "tests": [{"name", "passed", "hidden", "points", "max_points", "message"}],
     "seed", "runs", "created_at", "graded_at"}
    runs counts the gradings that produced a result: 2 or more after a regrade.
    score, max_score and points are JSON numbers; while the status is queued or
    running, score and max_score are null and tests is []. feedback and the
    messages are in English, or Chinese with ?lang=zh or Accept-Language: zh.
    The seed is a string: it is 63 bits, more than a JavaScript number holds.

    Visible to its owner and the course's instructors. Errors:
      404 not_found: no such submission, or not yours (the same answer, so ids do not leak)
      400 unsupported_language
    """

    @extend_schema(
        operation_id="submissions_retrieve",
        parameters=[OpenApiParameter("lang", str, enum=["en", "zh"], description="The language of feedback and messages.")],
        responses={
            200: SubmissionDetailSerializer,
            400: error("unsupported_language"),
            404: error("not_found: no such submission, or not yours"),
            **COMMON_ERRORS,
        },
    )
    def get(self, request, submission_id: int):
        submission = submission_get_for_user(user=request.user, submission_id=submission_id)
        context = {"request": request, "lang": _result_language(request)}
        return Response(SubmissionDetailSerializer(submission, context=context).data)


@extend_schema(exclude=True)
class ApiNotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404 rather than Django's HTML page."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    # The view defines no handler, so every method lands here: the path, not
    # the method, is what is wrong. OPTIONS too, which APIView would answer.
    def http_method_not_allowed(self, request, *args, **kwargs):
        if request.path.endswith("/"):
            message = gettext_noop("There is no API endpoint at %(path)s.")
        else:
            message = gettext_noop("There is no API endpoint at %(path)s. API paths end with '/'.")
        raise ApiError.translated(status_code=status.HTTP_404_NOT_FOUND, code="not_found", message=message, path=request.path)

    options = http_method_not_allowed

