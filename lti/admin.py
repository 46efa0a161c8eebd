"""LTI registrations are a site administrator's job: only superusers see these pages.

A registration belongs to a course, so its admin is course-scoped like every
admin of course data; instructors are granted no action on it for now (to
let them view their course's registrations later, add "view" below).
"""

from django.contrib import admin, messages
from django.db import models

from courses.admin_scoping import CourseScopedAdmin
from lti.keys import tool_key_rotate
from lti.models import PlatformDeployment, PlatformRegistration, ToolKey


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
