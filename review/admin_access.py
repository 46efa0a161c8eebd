"""Who reads and who acts on the reports in admin.

The course's instructors read and act (start a report, mark a mutant
equivalent); its teaching assistants read the reports and act on nothing;
anyone else finds nothing, by URL either. Built on the course scoping of every
admin (courses.admin_scoping), which knows instructors only: the assistants'
read access is added here, and writes stay bound to the taught courses.
"""

from courses.admin_scoping import CourseScopedAdmin, course_ids_taught
from courses.models import Enrollment


def course_ids_assisted(request) -> frozenset[int]:
    """The ids of the courses the requesting user is a teaching assistant of, once per request."""
    cached = getattr(request, "_course_ids_assisted", None)
    if cached is None:
        if not request.user.is_authenticated:
            cached = frozenset()
        else:
            cached = frozenset(
                Enrollment.objects.filter(user_id=request.user.pk, role=Enrollment.Role.TEACHING_ASSISTANT).values_list(
                    "course_id", flat=True
                )
            )
        request._course_ids_assisted = cached
    return cached


class ReadableByAssistants(CourseScopedAdmin):
    """CourseScopedAdmin whose rows the course's teaching assistants may also view."""

    def _course_filter(self, queryset, ids):
        lookup = f"{self.course_path}__in" if self.course_path else "pk__in"
        return queryset.filter(**{lookup: ids})

    def scope_queryset(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return self._course_filter(queryset, course_ids_taught(request) | course_ids_assisted(request))

    def _in_scope(self, request, obj) -> bool:
        # What an instructor may change: rows of the courses they teach, not those they assist in.
        model = obj._meta.model
        return self._course_filter(model._default_manager.filter(pk=obj.pk), course_ids_taught(request)).exists()

    def _in_read_scope(self, request, obj) -> bool:
        return self.scope_queryset(request, obj._meta.model._default_manager.filter(pk=obj.pk)).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) or bool(course_ids_assisted(request))

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if request.user.is_superuser or not course_ids_assisted(request):
            return False
        return obj is None or self._in_read_scope(request, obj)
