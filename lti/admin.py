"""LTI registrations are a site administrator's job: only superusers see these pages.

A registration belongs to a course, so its admin is course-scoped like every
admin of course data; instructors are granted no action on it for now (to
let them view their course's registrations later, add "view" below).
"""

from django.contrib import admin, messages
from django.db import models

from courses.admin_scoping import CourseScopedAdmin
from lti.keys import tool_key_rotate
from lti.models import AgsScoreOutbox, LtiContext, LtiResourceLink, PlatformDeployment, PlatformRegistration, ToolKey


class SuperuserOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # LMS endpoints are HTTPS

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_active and request.user.is_superuser
    )


class DeploymentInline(admin.TabularInline):
    model = PlatformDeployment
    extra = 1

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "course"
    instructor_actions = frozenset()
    ta_actions = frozenset()
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # LMS endpoints are HTTPS
    list_display = ["name", "issuer", "client_id", "course", "is_active"]
    list_filter = ["is_active", "course"]
    inlines = [DeploymentInline]


@admin.action(description="Rotate: make a new signing key (the previous one stays published)")
def rotate_key(modeladmin, request, queryset):
    key, _ = tool_key_rotate()
    messages.success(request, f"New signing key {key.kid}.")


@admin.register(ToolKey)
class ToolKeyAdmin(SuperuserOnlyAdmin):
    # the private key is never shown: not a field, not a column, not in a form
    fields = ["kid", "public_pem", "created_at"]
    readonly_fields = fields
    list_display = ["kid", "created_at"]
    actions = [rotate_key]

    def has_add_permission(self, request):
        return False  # keys are generated, never typed in

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResourceLinkInline(ReadOnlyInline):
    model = LtiResourceLink
    fields = readonly_fields = ["resource_link_id", "assignment", "lineitem_url", "lineitems_url", "updated_at"]


@admin.action(description="Sync the roster from the LMS (NRPS) · 从 LMS 同步名单")
def sync_roster(modeladmin, request, queryset):
    from lti.tasks import roster_sync

    without = 0
    for context in queryset:
        if context.memberships_url:
            roster_sync.delay(context.pk)
        else:
            without += 1
    sent = queryset.count() - without
    messages.success(request, f"Roster sync started for {sent} context(s). · 已开始同步 {sent} 个名单。")
    if without:
        messages.warning(
            request,
            f"{without} context(s) have no membership service (no launch carried one). · {without} 个上下文没有名单服务。",
        )


@admin.register(LtiContext)
class LtiContextAdmin(CourseScopedAdmin, admin.ModelAdmin):
    """Made by launches: what the LMS said of its course sections; the roster is read from here (superusers only, for now)."""

    course_path = "deployment__registration__course"
    instructor_actions = frozenset()
    ta_actions = frozenset()

    list_display = ["context_id", "title", "deployment", "roster_synced_at"]
    fields = readonly_fields = ["deployment", "context_id", "title", "memberships_url", "roster_synced_at", "created_at"]
    inlines = [ResourceLinkInline]
    actions = [sync_roster]

    def has_add_permission(self, request):
        return False


@admin.register(AgsScoreOutbox)
class AgsScoreOutboxAdmin(CourseScopedAdmin, admin.ModelAdmin):
    """Scores on their way to the LMS, and where each stands: for looking, never for editing (superusers only, for now)."""

    course_path = "resource_link__assignment__course"
    instructor_actions = frozenset()
    ta_actions = frozenset()

    list_display = ["id", "user", "resource_link", "state", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["state"]
    fields = readonly_fields = [
        "resource_link", "user", "grade_change", "score", "state", "attempts", "next_attempt_at", "claimed_at",
        "sent_at", "last_error", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
