"""GET /api/v1/courses/<course>/{assignments/, grades/, roster/, gradebook.csv}: what an LMS reads.

Thin: the token and its scope are checked by lms.auth, the rows come from
lms.selectors and grades.gradebook. Errors have the API's one shape; beyond
those of every endpoint:
  401 lms_token_required (not an LMS token), token_invalid, token_revoked, token_expired
  403 wrong_course (the token is for another course), insufficient_scope
  429 throttled (LMS_TOKEN_RATE per token), with Retry-After
"""

import hashlib

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from grader.api.exceptions import ApiError
from grader.api.schema import page_of
from grades.gradebook import canvas_gradebook_csv
from lms import selectors
from lms.auth import LmsTokenAuthentication, lms_permission
from lms.models import Scope
from lms.pagination import cursor_decode, cursor_encode, feed_page, next_url
from lms.serializers import (
    AssignmentSerializer,
    FeedQuerySerializer,
    GradeFeedPageSerializer,
    RosterEntrySerializer,
    grade_row,
)
from lms.schema import LMS_ERRORS
from lms.throttles import LmsTokenThrottle


class LmsPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class _LmsView(APIView):
    authentication_classes = (LmsTokenAuthentication,)
    throttle_classes = (LmsTokenThrottle,)

    @property
    def course(self):
        # The permission has checked that the token's course is the URL's: no query for it.
        return self.request.auth.course


class AssignmentListView(_LmsView):
    permission_classes = (lms_permission(Scope.ASSIGNMENTS_READ),)
    pagination_class = LmsPagination

    @extend_schema(
        operation_id="lms_assignments_list",
        summary="The course's published assignments (scope assignments:read).",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int, description="1 to 1000; 100 by default.")],
        responses={200: page_of("AssignmentPage", AssignmentSerializer), **LMS_ERRORS},
    )
    def get(self, request, course):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.lms_assignment_list(course=self.course), request, view=self)
        return paginator.get_paginated_response(AssignmentSerializer(page, many=True).data)


class GradeFeedView(_LmsView):
    """One row per (student, assignment), oldest change first, resumable by `cursor`.

    A client stores the `cursor` of the last page it read and asks with it next
    time: it gets each grade that changed since exactly once, with its current
    state (a grade changed twice in between appears once, as it is now).
    """

    permission_classes = (lms_permission(Scope.GRADES_READ),)

    @extend_schema(
        operation_id="lms_grades_list",
        summary="The course's grades as a change feed (scope grades:read).",
        parameters=[FeedQuerySerializer],
        responses={200: GradeFeedPageSerializer, **LMS_ERRORS},
    )
    def get(self, request, course):
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        after = cursor_decode(params["cursor"]) if "cursor" in params else 0
        slug = params.get("assignment")
        if slug is not None and not selectors.lms_assignment_exists(course=self.course, slug=slug):
            raise ApiError.translated(
                status_code=status.HTTP_404_NOT_FOUND,
                code="unknown_assignment",
                message=gettext_noop("This course has no published assignment '%(slug)s'."),
                slug=slug,
            )
        feed = selectors.lms_grade_feed(
            course=self.course,
            after_sequence=after,
            assignment_slug=slug,
            student_id=params.get("student"),
            changed_since=params.get("changed_since"),
        )
        rows, last, more = feed_page(feed, after=after, page_size=params["page_size"])
        cursor = cursor_encode(last)
        return Response(
            {
                "results": [grade_row(row) for row in rows],
                "cursor": cursor,
                "next": next_url(request, cursor=cursor, more=more),
                "has_more": more,
            }
        )


class RosterView(_LmsView):
    permission_classes = (lms_permission(Scope.ROSTER_READ),)
    pagination_class = LmsPagination

    @extend_schema(
        operation_id="lms_roster_list",
        summary="Everyone enrolled in the course, with their role (scope roster:read).",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int, description="1 to 1000; 100 by default.")],
        responses={200: page_of("RosterPage", RosterEntrySerializer), **LMS_ERRORS},
    )
    def get(self, request, course):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.lms_roster(course=self.course), request, view=self)
        return paginator.get_paginated_response(RosterEntrySerializer(page, many=True).data)


class GradebookCsvView(_LmsView):
    """Canvas's gradebook import format; ETag is the CSV's hash, so If-None-Match answers 304 when nothing changed."""

    permission_classes = (lms_permission(Scope.GRADES_READ),)

    @extend_schema(
        operation_id="lms_gradebook_csv",
        summary="The gradebook as a CSV Canvas imports (scope grades:read).",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Student, ID, SIS User ID, SIS Login ID, Section, one column per assignment; a Points Possible row."),
            304: OpenApiResponse(description="Not modified: the If-None-Match ETag is current."),
            **LMS_ERRORS,
        },
    )
    def get(self, request, course):
        body = canvas_gradebook_csv(self.course)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["ETag"] = etag
        response["Content-Disposition"] = f'attachment; filename="{self.course.slug}-gradebook.csv"'
        # Grades: never from a shared cache; the client revalidates with If-None-Match.
        response["Cache-Control"] = "private, no-cache"
        # The same response when nothing matches; a 304 carrying the ETag when If-None-Match does.
        return get_conditional_response(request, etag=etag, response=response)
