"""Admin for assignments (windows, policies, extensions, excusals) and grades (history, overrides).

Every save that can change a grade goes through grades.services, so the
grade, its history and its sequence number follow in the same transaction.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html

from courses.admin_scoping import ALL_ACTIONS, VIEW_ONLY, CourseScopedAdmin
from courses.admin_widgets import LABELLED_DATETIMES
from courses.models import Assignment, Excusal, Extension
from grades.models import Grade, GradeChange
from grades.services import GradeOverrideInvalid, grade_override, grade_recompute, grades_recompute_for_assignment

# A change to any of these can change the score that counts.
_POLICY_FIELDS = {"points", "due_at", "late_penalty_per_day", "late_penalty_cap", "grade_policy"}


class ExtensionInline(CourseScopedAdmin, admin.TabularInline):
    model = Extension
    course_path = "assignment__course"
    # Teaching staff grant extensions: that is their job, not the superuser's.
    instructor_actions = ALL_ACTIONS
    # A TA's assignment page is read-only, so this inline is too; they grant on the bulk page.
    ta_actions = ALL_ACTIONS
    fields = ("user", "due_at", "closes_at", "extra_attempts", "reason")
    formfield_overrides = LABELLED_DATETIMES
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = "Extension · 延期"
    verbose_name_plural = "Extensions · 延期"


class ExcusalInline(CourseScopedAdmin, admin.TabularInline):
    model = Excusal
    course_path = "assignment__course"
    instructor_actions = ALL_ACTIONS
    ta_actions = ALL_ACTIONS
    fields = ("user", "reason")
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = "Excusal · 免除"
    verbose_name_plural = "Excusals · 免除"


@admin.register(Assignment)
class AssignmentAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "course"
    instructor_actions = frozenset({"view", "add", "change"})
    # Dates, points and policies are the instructor's; a TA reads them and grants extensions.
    ta_actions = VIEW_ONLY
    list_display = ("slug", "course", "kind", "points", "opens_at", "due_at", "closes_at", "attempt_limit", "published")
    formfield_overrides = LABELLED_DATETIMES
    list_filter = ("course", "kind", "published")
    list_select_related = ("course",)
    search_fields = ("slug",)
    fieldsets = (
        ("What · 内容", {"fields": ("course", "slug", "kind", "exercise", "points", "published")}),
        ("When · 时间", {"fields": ("opens_at", "due_at", "closes_at")}),
        ("Rules · 规则", {"fields": ("attempt_limit", "grade_policy", "late_penalty_per_day", "late_penalty_cap")}),
    )
    inlines = (ExtensionInline, ExcusalInline)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return (*self.fieldsets, ("Extensions and excusals · 延期与免除", {"fields": ("bulk_links",)}))

    def get_changeform_initial_data(self, request):
        # A new assignment starts unpublished: its exercise is published once a self-check passed
        # (Assignment.clean()). The model's default stays published, for the content loader's.
        return {"published": False, **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published" and formfield is not None:
            formfield.help_text = (
                "Students see it once published. A coding exercise is published only after a passing, "
                "up-to-date self-check (Exercises → “Self-check”). · "
                "发布后学生可见。编程练习须先通过最新的自检（练习 →“自检”）才能发布。"
            )
        return formfield

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "bulk_links") if obj is not None else ()

    @admin.display(description="Many students at once · 批量处理")
    def bulk_links(self, assignment):
        return format_html(
            '<a id="bulk-extend-link" href="{}">Extend · 延期</a> · <a id="bulk-excuse-link" href="{}">Excuse · 免除</a>',
            _bulk_url("extend", assignment.pk),
            _bulk_url("excuse", assignment.pk),
        )

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and _POLICY_FIELDS & set(form.changed_data):
                count = grades_recompute_for_assignment(
                    assignment=obj, cause=GradeChange.Cause.LATE_PENALTY, actor=request.user,
                    reason="assignment policy changed: " + ", ".join(sorted(_POLICY_FIELDS & set(form.changed_data))),
                )  # fmt: skip
                self.message_user(request, f"{count} grade(s) recomputed · 已重新计算 {count} 个成绩", messages.INFO)

    def save_formset(self, request, form, formset, change):
        cause = GradeChange.Cause.EXTENSION if formset.model is Extension else GradeChange.Cause.EXCUSED
        with transaction.atomic():
            saved = formset.save()
            touched = {row.user_id: row.reason for row in saved}
            touched.update({row.user_id: "removed" for row in formset.deleted_objects})
            for user_id, reason in touched.items():
                grade_recompute(student=user_id, assignment=form.instance, cause=cause, actor=request.user, reason=reason)


class GradeChangeInline(CourseScopedAdmin, admin.TabularInline):
    model = GradeChange
    course_path = "grade__assignment__course"
    ta_actions = VIEW_ONLY
    fields = ("sequence", "created_at", "cause", "old_score", "new_score", "old_state", "new_state", "late", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "Change · 变更"
    verbose_name_plural = "History (append-only) · 变更记录（只增不改）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GradeOverrideForm(forms.ModelForm):
    """An instructor's score with the reason why; an empty score lifts the override."""

    new_override = forms.DecimalField(
        label="Override score · 调整后的分数", required=False, max_digits=7, decimal_places=3,
        help_text="Empty: the policy's score counts again. · 留空：恢复按规则计算的分数。",
    )  # fmt: skip
    override_why = forms.CharField(label="Reason (shown to the student) · 理由（学生可见）", max_length=500)

    class Meta:
        model = Grade
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["new_override"].initial = self.instance.override_score

    def clean(self):
        cleaned = super().clean()
        score = cleaned.get("new_override")
        if score is not None and self.instance.pk and not 0 <= score <= self.instance.assignment.points:
            self.add_error("new_override", f"0 – {self.instance.assignment.points}")
        return cleaned


@admin.register(Grade)
class GradeAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "assignment__course"
    # An instructor overrides a grade with a reason; rows are never added or deleted by hand.
    instructor_actions = frozenset({"view", "change"})
    # A TA reads grades and their history, and overrides none.
    ta_actions = VIEW_ONLY
    form = GradeOverrideForm
    list_display = ("user", "assignment", "score", "max_score", "state", "late", "sequence", "updated_at")
    list_filter = ("state", "late", "assignment__course", "assignment")
    list_select_related = ("user", "assignment")
    search_fields = ("user__username", "assignment__slug")
    readonly_fields = (
        "user", "assignment", "score", "max_score", "state", "late", "source_submission", "source_run",
        "override_score", "override_reason", "sequence", "updated_at",
    )  # fmt: skip
    fieldsets = (
        ("Grade · 成绩", {"fields": readonly_fields}),
        ("Override · 教师调整", {"fields": ("new_override", "override_why")}),
    )
    inlines = (GradeChangeInline,)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            grade_override(
                student=obj.user_id,
                assignment=obj.assignment,
                score=form.cleaned_data["new_override"],
                actor=request.user,
                reason=form.cleaned_data["override_why"],
            )
        except GradeOverrideInvalid as exc:
            self.message_user(request, str(exc), messages.ERROR)


def _bulk_url(action: str, assignment_id: int | None = None) -> str:
    url = f"{reverse('admin:courses_extension_bulk')}?action={action}"
    return f"{url}&assignment={assignment_id}" if assignment_id else url


class _GrantedFromBulkPage:
    """Extensions and excusals are granted, one student or many, on the bulk page, which previews the grade changes.

    The list shows them and removes them; removing one recomputes the grade.
    """

    bulk_action = ""

    def get_urls(self):
        urls = super().get_urls()
        if self.model is not Extension:
            return urls
        from staff.admin_views import bulk_grant_view

        bulk = path("bulk/", self.admin_site.admin_view(lambda request: bulk_grant_view(self, request)), name="courses_extension_bulk")
        return [bulk, *urls]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect(_bulk_url(self.bulk_action, request.GET.get("assignment")))

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        cause = GradeChange.Cause.EXTENSION if self.model is Extension else GradeChange.Cause.EXCUSED
        with transaction.atomic():
            rows = list(queryset.select_related("assignment"))
            queryset.delete()
            for row in rows:
                grade_recompute(student=row.user_id, assignment=row.assignment, cause=cause, actor=request.user, reason="removed")


@admin.register(Extension)
class ExtensionAdmin(_GrantedFromBulkPage, CourseScopedAdmin, admin.ModelAdmin):
    course_path = "assignment__course"
    # "add" opens the bulk page; a change is a new grant there (it replaces the old one).
    instructor_actions = frozenset({"view", "add", "delete"})
    ta_actions = frozenset({"view", "add", "delete"})
    bulk_action = "extend"
    list_display = ("user", "assignment", "due_at", "closes_at", "extra_attempts", "reason", "granted_by", "granted_at")
    list_filter = ("assignment__course", "assignment")
    list_select_related = ("user", "assignment__course", "granted_by")
    search_fields = ("user__username", "assignment__slug")
    fields = list_display
    readonly_fields = list_display

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Excusal)
class ExcusalAdmin(_GrantedFromBulkPage, CourseScopedAdmin, admin.ModelAdmin):
    course_path = "assignment__course"
    instructor_actions = frozenset({"view", "add", "delete"})
    ta_actions = frozenset({"view", "add", "delete"})
    bulk_action = "excuse"
    list_display = ("user", "assignment", "reason", "excused_by", "excused_at")
    list_filter = ("assignment__course", "assignment")
    list_select_related = ("user", "assignment__course", "excused_by")
    search_fields = ("user__username", "assignment__slug")
    fields = list_display
    readonly_fields = list_display

    def has_change_permission(self, request, obj=None):
        return False
