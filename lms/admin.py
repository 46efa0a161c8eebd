"""LMS tokens in admin: superusers only. A new token is shown once, on the page after saving."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from courses.admin_scoping import CourseScopedAdmin
from lms.models import LmsToken, Scope
from lms.tokens import LmsTokenInvalid, lms_token_issue, lms_token_revoke


class LmsTokenCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_in_days = forms.IntegerField(
        required=False, min_value=1, max_value=3660, help_text="Empty: never expires. · 留空表示永不过期。"
    )

    class Meta:
        model = LmsToken
        fields = ("course", "name", "scopes")


@admin.register(LmsToken)
class LmsTokenAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "course"
    # A machine credential that reads a whole course's grades: superusers only, not the course's instructors.
    instructor_actions = frozenset()
    ta_actions = frozenset()
    list_display = ("name", "course", "key_display", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("course",)
    search_fields = ("name", "key_id", "course__slug")
    actions = ("revoke",)
    readonly_fields = ("course", "key_display", "scopes", "created_at", "created_by", "expires_at", "revoked_at", "last_used_at")
    fields = ("name", *readonly_fields)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row keeps who had it and when it was last used

    @admin.display(description="Token · 令牌")
    def key_display(self, token):
        return f"lms_{token.key_id}_…"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = LmsTokenCreateForm
            kwargs["fields"] = ("course", "name", "scopes", "expires_in_days")
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("course", "name", "scopes", "expires_in_days") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        try:
            issued = lms_token_issue(
                course=form.cleaned_data["course"],
                scopes=form.cleaned_data["scopes"],
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data.get("expires_in_days"),
                created_by=request.user,
            )
        except LmsTokenInvalid as exc:  # the form's own checks make this rare; say so rather than fail
            self.message_user(request, f"{exc.message} · {exc.message_zh}", messages.ERROR)
            raise
        obj.pk = issued.row.pk
        obj.__dict__.update({k: v for k, v in issued.row.__dict__.items() if not k.startswith("_")})
        self.message_user(
            request,
            f"The token (shown only now; store it as a secret) · 令牌（仅此一次显示，请妥善保存）: {issued.token}",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens · 吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            lms_token_revoke(token=token)
        self.message_user(request, f"Revoked at {timezone.now():%Y-%m-%d %H:%M} UTC · 已吊销", messages.SUCCESS)
