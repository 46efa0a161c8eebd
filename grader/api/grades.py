"""GET /api/v1/grades/: the student's own grades, each with the history of how it changed and why."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from grader.api.schema import COMMON_ERRORS, error, page_of
from grades.models import GradeChange
from grades.selectors import grade_list_for_student

# Why a grade changed, in the student's terms.
_CAUSE_TEXT = {
    GradeChange.Cause.SUBMITTED: ("You submitted; the grade waits for the grader.", "你已提交，成绩等待评分。"),
    GradeChange.Cause.GRADED: ("Your submission was graded.", "你的提交已评分。"),
    GradeChange.Cause.REGRADED: (
        "Your submission was graded again after the course staff changed the checks.",
        "课程助教修改了检查后，你的提交被重新评分。",
    ),
    GradeChange.Cause.LATE_PENALTY: ("The late policy changed how much lateness costs.", "迟交规则变更，扣分随之改变。"),
    GradeChange.Cause.EXTENSION: ("You were given an extension.", "你获得了延期。"),
    GradeChange.Cause.EXCUSED: ("Your excusal from this assignment changed.", "你在此作业上的免除状态已改变。"),
    GradeChange.Cause.OVERRIDE: ("An instructor set this grade.", "教师调整了此成绩。"),
}


def _number(value):
    return None if value is None else float(value)


class GradeChangeSerializer(serializers.Serializer):
    cause = serializers.CharField()
    old = serializers.SerializerMethodField()
    new = serializers.SerializerMethodField()
    old_state = serializers.CharField()
    new_state = serializers.CharField()
    late = serializers.BooleanField()
    message = serializers.SerializerMethodField()
    reason = serializers.CharField()
    time = serializers.DateTimeField(source="created_at")
    sequence = serializers.IntegerField()

    def get_old(self, change) -> float | None:
        return _number(change.old_score)

    def get_new(self, change) -> float | None:
        return _number(change.new_score)

    def get_message(self, change) -> str:
        en, zh = _CAUSE_TEXT.get(change.cause, (change.cause, change.cause))
        return zh if self.context.get("lang") == "zh" else en


class GradeSerializer(serializers.Serializer):
    assignment = serializers.CharField(source="assignment.slug")
    course = serializers.CharField(source="assignment.course.slug")
    score = serializers.SerializerMethodField()
    max_score = serializers.SerializerMethodField()
    state = serializers.CharField()
    late = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    history = serializers.SerializerMethodField()

    def get_score(self, grade) -> float | None:
        return _number(grade.score)

    def get_max_score(self, grade) -> float | None:
        return _number(grade.max_score)

    @extend_schema_field(GradeChangeSerializer(many=True))
    def get_history(self, grade):
        return GradeChangeSerializer(grade.changes.all(), many=True, context=self.context).data


class GradeListView(APIView):
    """GET /api/v1/grades/[?lang=zh][&page=N] → 200, your own grades only, whatever your role:

    {"count", "next", "previous", "results": [{"assignment", "course", "score", "max_score",
     "state", "late", "updated_at", "history": [{"cause", "old", "new", "old_state",
     "new_state", "late", "message", "reason", "time", "sequence"}]}]}
    state is not_submitted, pending, graded or excused; score is null unless graded. history
    is oldest first; cause is submitted, graded, regraded, late_penalty, extension, excused
    or override; message says why in English, or Chinese with ?lang=zh / Accept-Language: zh;
    reason is what the instructor wrote, if anyone did.
    Errors: 400 unsupported_language; 404 not_found: a page past the end.
    """

    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="grades_list",
        parameters=[
            OpenApiParameter("lang", str, enum=["en", "zh"], description="The language of each change's message."),
            OpenApiParameter("page", int, description="A page number."),
        ],
        responses={200: page_of("StudentGradePage", GradeSerializer), 400: error("unsupported_language"), 404: error("not_found: a page past the end"), **COMMON_ERRORS},
    )
    def get(self, request):
        from grader.api.views import _result_language

        context = {"request": request, "lang": _result_language(request)}
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(grade_list_for_student(user=request.user), request, view=self)
        return paginator.get_paginated_response(GradeSerializer(page, many=True, context=context).data)
