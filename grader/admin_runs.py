"""Admin for grading runs, regrade requests and reference checks: records a worker writes.

Instructors ask (an action on exercises); workers answer; these pages show the
answers and the progress. Nothing here runs the sandbox.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from courses.admin_scoping import CourseScopedAdmin
from grader.admin import TestResultInline, _admin_link
from grader.models import PENDING_RUN_STATUSES, GradingRun, KnownWrongGrading, ReferenceCheck, RegradeRequest


def reference_checks_request(model_admin, request, exercises) -> None:
    from grader.services.reference_checks import reference_check_request

    for exercise in exercises:
        reference_check_request(exercise=exercise, requested_by=request.user)
    model_admin.message_user(
        request,
        f"{len(exercises)} reference check(s) queued: the reference solution and each known-wrong solution "
        f"will be graded; see Reference checks for the answer. · "
        f"已排队 {len(exercises)} 项参考答案检查（自检），将为参考答案和每个已知错误解法评分，结果见“参考答案检查”。",
        messages.SUCCESS,
    )


def regrade_request(model_admin, request, exercises, *, outdated: bool) -> None:
    from grader.services.regrades import regrade_request_create, regrade_scope

    for exercise in exercises:
        plan = regrade_request_create(
            submissions=regrade_scope(exercise=exercise, outdated=outdated),
            exercise=exercise,
            scope=f"exercise {exercise.slug}" + (" (outdated)" if outdated else ""),
            requested_by=request.user,
            # The grade's history shows it to the student: in both languages.
            reason=(
                "regraded in admin after the checks changed · 检查修改后在管理后台重新评分"
                if outdated
                else "regraded in admin · 在管理后台重新评分"
            ),
        )
        model_admin.message_user(
            request,
            f"{exercise.slug}: {plan.queued} of {plan.submissions} submission(s) queued for regrading. · "
            f"{exercise.slug}：{plan.submissions} 份提交中 {plan.queued} 份已排队重新评分。",
            messages.SUCCESS,
        )


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GradingRun)
class GradingRunAdmin(CourseScopedAdmin, _ReadOnlyAdmin):
    course_path = "submission__exercise__chapter__course"
    ta_actions = frozenset({"view"})
    list_display = ("id", "submission_link", "reason", "status", "score", "claim_count", "queued_at", "finished_at")
    list_filter = ("status", "reason")
    list_select_related = ("submission",)
    search_fields = ("submission__user__username", "submission__exercise__slug")
    show_full_result_count = False
    fields = (
        "submission_link", "reason", "regrade_request", "seed", "suite_version", "status", "score", "max_score",
        "feedback_en", "feedback_zh", "operator_detail", "claim_count", "queued_at", "started_at", "finished_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (TestResultInline,)

    @admin.display(description="Submission · 提交")
    def submission_link(self, run):
        return _admin_link(run.submission)


@admin.register(RegradeRequest)
class RegradeRequestAdmin(CourseScopedAdmin, _ReadOnlyAdmin):
    course_path = "exercise__chapter__course"
    ta_actions = frozenset({"view"})
    list_display = ("id", "exercise", "scope", "requested_by", "created_at", "progress")
    list_select_related = ("exercise", "requested_by")
    fields = ("exercise", "scope", "reason", "requested_by", "created_at", "total", "progress")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(done=Count("runs", filter=~Q(runs__status__in=PENDING_RUN_STATUSES)))
        )

    @admin.display(description=_("Regraded so far / covered"))
    def progress(self, regrade):
        return f"{regrade.done} / {regrade.total}"


class KnownWrongGradingInline(CourseScopedAdmin, admin.TabularInline):
    """Each known-wrong solution the self-check graded: it must lose points, or the checks miss it."""

    model = KnownWrongGrading
    course_path = "reference_check__exercise__chapter__course"
    ta_actions = frozenset({"view"})
    fields = ("name", "mistake", "score_display", "lost_points_display", "status", "seed")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "Known-wrong solution · 已知错误解法"
    verbose_name_plural = "Known-wrong solutions (each must lose points) · 已知错误解法（每个都必须失分）"

    @admin.display(description="Score · 得分")
    def score_display(self, row):
        # normalize: 7.72 / 10, not 7.720 / 10.000.
        return f"{row.score.normalize():f} / {row.max_score.normalize():f}"

    @admin.display(description="Lost points · 是否失分")
    def lost_points_display(self, row):
        if row.lost_points:
            return "Yes: caught · 是：已发现"
        return "No: full marks, the checks miss it · 否：得满分，检查未能发现"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceCheck)
class ReferenceCheckAdmin(CourseScopedAdmin, _ReadOnlyAdmin):
    """The self-checks: the reference on a few seeds, then each known-wrong solution (the inline)."""

    course_path = "exercise__chapter__course"
    ta_actions = frozenset({"view"})
    list_display = ("id", "exercise", "status", "currency", "runs", "requested_by", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("exercise", "requested_by")
    fields = (
        "exercise", "status", "currency", "reference_full_marks", "runs", "problems", "requested_by", "created_at",
        "finished_at", "fingerprint",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (KnownWrongGradingInline,)

    @admin.display(description="Up to date · 是否最新")
    def currency(self, check):
        # Out of date once the reference, the known-wrong solutions or the suite changed since: such a
        # check no longer lets the exercise be published, whatever it found.
        from grader.services.reference_checks import reference_check_is_current

        if reference_check_is_current(check=check):
            return "Up to date · 最新"
        return "Out of date: run it again · 已过期：请重新运行"
