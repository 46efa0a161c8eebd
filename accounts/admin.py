"""Users in admin: everything for a superuser; for an instructor, a read-only view of the people in their courses.

Only a superuser sets is_staff, is_superuser, groups and permissions, changes
a password or adds a user: an instructor cannot make anyone staff (nor
themselves a superuser), and sees no user outside their courses.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from courses.admin_scoping import CourseScopedAdmin

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class CourseScopedUserAdmin(CourseScopedAdmin, UserAdmin):
    course_path = "enrollments__course"
    instructor_actions = frozenset({"view"})
    ta_actions = frozenset({"view"})

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        # What teaching needs: who the person is, nothing about their access.
        return ((None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return super().get_list_display(request)
        return ("username", "first_name", "last_name", "email")

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)
