"""Admin for the reports: what a worker wrote, read by the course's staff; marks made by its instructors.

Reports are started from the exercise list (actions in review.admin_actions)
and never edited here. A surviving mutant links to the form that marks it
equivalent (with a reason) and to the exercise, to add a check that kills it.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from courses.admin_scoping import VIEW_ONLY, CourseScopedAdmin
from grader.models import Exercise
from review.models import EquivalentMark, MutantResult, MutationReport, SimilarityReport, SimilarPair
from review.services.mutation import EquivalentMarkInvalid, equivalent_mark_create, equivalent_mark_validate


class _ReportAdmin(CourseScopedAdmin, admin.ModelAdmin):
    """Written by workers only: no add, change or delete here, for anyone.

    The course's instructors and teaching assistants read the reports; what an
    instructor may act on (re-send a report, mark a mutant) is declared where
    that action lives.
    """

    instructor_actions = VIEW_ONLY
    ta_actions = VIEW_ONLY

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # No report is edited by hand. Without a row this answers "may act on
        # the reports" (the admin actions), which the course role decides.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


def _may_mark(request, report) -> bool:
    """Whoever may add an equivalent mark in the report's course: its instructors, not its assistants."""
    if request.user.is_superuser:
        return True
    mark_admin = admin.site._registry[EquivalentMark]
    return report.exercise.chapter.course_id in mark_admin.course_ids_allowing(request, "add")


@admin.register(MutationReport)
class MutationReportAdmin(_ReportAdmin):
    course_path = "exercise__chapter__course"
    # Re-sending a report changes what the workers do: the instructors' call.
    instructor_actions = frozenset({"view", "change"})
    ta_actions = VIEW_ONLY
    change_form_template = "review/mutation_report_change_form.html"
    list_display = ("id", "exercise", "status", "progress", "score_display", "survived", "requested_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("exercise", "requested_by")
    fields = (
        "exercise", "status", "progress", "score_display", "killed", "survived", "equivalent", "errors",
        "seed", "problems", "requested_by", "created_at", "finished_at",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(done=Count("results", filter=~Q(results__outcome=MutantResult.Outcome.PENDING)))
        )

    actions = ("send_pending_again",)

    @admin.action(
        description="Send the mutants still pending again (after a lost message) · 重新发送仍在等待的变异体",
        permissions=["change"],
    )
    def send_pending_again(self, request, queryset):
        # The scoping narrows `queryset` to the courses where the role allows "change".
        from review.services.mutation import mutation_reports_resume

        count = mutation_reports_resume(reports=queryset)
        self.message_user(
            request,
            f"{count} running report(s) sent again; a mutant already graded is not graded twice. · "
            f"已重新发送 {count} 份进行中的报告；已评分的变异体不会重复评分。",
            messages.SUCCESS,
        )

    @admin.display(description="Graded / total · 已评 / 总数")
    def progress(self, report):
        return f"{report.done} / {report.total}"

    @admin.display(description="Mutation score · 变异得分", ordering="score")
    def score_display(self, report):
        if report.score is None:
            return "—"
        warning = "" if report.score >= 0.9 else " (below 90% · 低于 90%)"
        return f"{report.score:.1%}{warning}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if report is not None:
            report = MutationReport.objects.select_related("exercise__chapter").get(pk=report.pk)
            results = list(report.results.order_by("position"))
            may_mark = _may_mark(request, report)
            exercise_admin = admin.site._registry[Exercise]
            may_edit_exercise = exercise_admin.has_change_permission(request, report.exercise)
            extra_context.update(
                survivors=[r for r in results if r.outcome == MutantResult.Outcome.SURVIVED],
                known_wrong=[r for r in results if r.kind == MutantResult.Kind.KNOWN_WRONG],
                equivalents=[r for r in results if r.outcome == MutantResult.Outcome.EQUIVALENT],
                others=[
                    r for r in results
                    if r.kind == MutantResult.Kind.MUTANT
                    and r.outcome not in (MutantResult.Outcome.SURVIVED, MutantResult.Outcome.EQUIVALENT)
                ],  # fmt: skip
                mark_url=reverse("admin:review_equivalentmark_add") if may_mark else "",
                exercise_url=(
                    reverse("admin:grader_exercise_change", args=[report.exercise_id]) if may_edit_exercise else ""
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)


class EquivalentMarkForm(forms.ModelForm):
    class Meta:
        model = EquivalentMark
        fields = ("exercise", "mutant_id", "reason")
        labels = {
            "exercise": "Exercise · 练习",
            "mutant_id": "Mutant id · 变异体编号",
            "reason": "Why no correct check can tell it from the reference · 为何任何正确的检查都无法区分它与参考答案",
        }

    def clean(self):
        cleaned = super().clean()
        exercise = cleaned.get("exercise")
        if exercise is not None and "mutant_id" in cleaned and "reason" in cleaned:
            try:
                equivalent_mark_validate(exercise=exercise, mutant_id=cleaned["mutant_id"], reason=cleaned["reason"])
            except EquivalentMarkInvalid as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(EquivalentMark)
class EquivalentMarkAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "exercise__chapter__course"
    # Instructors mark; a mark is history (the reports it changed say so): no edit, no delete.
    instructor_actions = frozenset({"view", "add"})
    # Assistants read the marks and make none.
    ta_actions = VIEW_ONLY
    form = EquivalentMarkForm
    list_display = ("exercise", "mutant_id", "reason", "marked_by", "created_at")
    list_select_related = ("exercise", "marked_by")
    search_fields = ("exercise__slug", "mutant_id")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("exercise", "mutant_id", "reason")
        return ("exercise", "mutant_id", "description", "reason", "marked_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: the mark and the reports it changes are one transaction.
        try:
            saved = equivalent_mark_create(
                exercise=obj.exercise, mutant_id=obj.mutant_id, reason=obj.reason, marked_by=request.user
            )
        except EquivalentMarkInvalid as exc:  # a race with another mark: the form had checked the rest
            self.message_user(request, str(exc), messages.ERROR)
            raise
        obj.pk = saved.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        # Marking is a step of reading a report: back to that report, not to the list of marks.
        report = _report_to_return_to(request, obj)
        if report is None or "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            _("Mutant %(mutant)s marked equivalent: the mutation score no longer counts it.") % {"mutant": obj.mutant_id},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:review_mutationreport_change", args=[report.pk]))


def _report_to_return_to(request, mark):
    """The report the mark was made from (the link says which), else the latest one listing the mutant.

    Only a report of the mark's own exercise: the link's number picks nothing else.
    """
    reports = MutationReport.objects.filter(exercise=mark.exercise_id)
    asked = request.GET.get("report", "")
    if asked.isdigit():
        report = reports.filter(pk=int(asked)).first()
        if report is not None:
            return report
    return reports.filter(results__mutant_id=mark.mutant_id).order_by("-created_at", "-id").first()


@admin.register(SimilarityReport)
class SimilarityReportAdmin(_ReportAdmin):
    course_path = "exercise__chapter__course"
    change_form_template = "review/similarity_report_change_form.html"
    list_display = ("id", "exercise", "status", "progress", "submissions", "pair_count", "threshold", "created_at")
    list_filter = ("status",)
    list_select_related = ("exercise",)
    fields = (
        "exercise", "status", "progress", "submissions", "threshold", "problems", "requested_by", "created_at",
        "finished_at",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pairs_listed=Count("pairs"))

    @admin.display(description="Pairs compared / total · 已比较 / 总对数")
    def progress(self, report):
        return f"{report.pairs_done} / {report.pairs_total}"

    @admin.display(description="Similar pairs · 相似对", ordering="pairs_listed")
    def pair_count(self, report):
        return report.pairs_listed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if report is not None:
            extra_context["pairs"] = report.pairs.select_related("first__user", "second__user").order_by("-similarity", "id")
        return super().change_view(request, object_id, form_url, extra_context)


def _highlighted(code: str, spans: list[list[int]]):
    """The code as HTML, the spans it shares with the other submission marked."""
    pieces, position = [], 0
    for start, end in sorted(spans):
        start, end = max(start, position), min(end, len(code))
        if start >= end:
            continue
        pieces.append(format_html("{}", code[position:start]))
        pieces.append(format_html('<mark class="shared">{}</mark>', code[start:end]))
        position = end
    pieces.append(format_html("{}", code[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece was escaped by format_html


@admin.register(SimilarPair)
class SimilarPairAdmin(_ReportAdmin):
    course_path = "report__exercise__chapter__course"
    change_form_template = "review/similar_pair_change_form.html"
    list_display = ("id", "report", "first_student", "second_student", "similarity_display")
    list_select_related = ("report__exercise", "first__user", "second__user")
    fields = ("report", "first", "second", "similarity_display", "shared_tokens")
    readonly_fields = fields

    @admin.display(description="Student A · 学生 A")
    def first_student(self, pair):
        return pair.first.user

    @admin.display(description="Student B · 学生 B")
    def second_student(self, pair):
        return pair.second.user

    @admin.display(description="Similarity · 相似度", ordering="similarity")
    def similarity_display(self, pair):
        return f"{pair.similarity:.0%} (A in B {pair.first_similarity:.0%}, B in A {pair.second_similarity:.0%})"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("report__exercise", "first__user", "second__user")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pair = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if pair is not None:
            extra_context.update(
                first_code=_highlighted(pair.first.code, pair.first_spans),
                second_code=_highlighted(pair.second.code, pair.second_spans),
                first_user=pair.first.user,
                second_user=pair.second.user,
            )
        return super().change_view(request, object_id, form_url, extra_context)
