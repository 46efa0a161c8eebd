"""Instructors see and change, in admin, only the rows of the courses they teach.

Every admin class of a model that belongs to a course mixes in
CourseScopedAdmin and says how its rows reach their course (`course_path`),
and which actions an instructor may take on them (`instructor_actions`). The
mixin then scopes, for anyone but a superuser:
  - the changelist, search, filters, autocomplete and the change, history and
    delete views (a row of another course is "not found": admin redirects);
  - every foreign-key and many-to-many choice whose model has a scoped admin
    (a course, chapter or exercise of another course cannot be chosen, nor
    posted by hand: the form refuses it);
  - the permissions: an instructor may take `instructor_actions` on rows in
    scope, and nothing else. Django's per-user model permissions do not widen
    this: for a course's rows, the instructor role is what grants access.
A superuser sees and changes everything, as with a plain ModelAdmin.
A staff user who teaches no course sees none of these models.
"""

from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import lookup_spawns_duplicates

from courses.selectors import courses_taught_by

ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})


def course_ids_taught(request) -> frozenset[int]:
    """The ids of the courses the requesting user teaches, computed once per request."""
    cached = getattr(request, "_course_ids_taught", None)
    if cached is None:
        cached = frozenset(courses_taught_by(user=request.user).values_list("pk", flat=True))
        request._course_ids_taught = cached
    return cached


class CourseScopedAdmin:
    # The lookup from this model to its Course ("" for Course itself), e.g. "chapter__course".
    course_path: str = ""
    # What an instructor may do with the rows of their courses.
    instructor_actions: frozenset[str] = frozenset({"view"})

    # --- rows -------------------------------------------------------------------

    def scope_queryset(self, request, queryset):
        """`queryset` narrowed to the courses the requesting user teaches (all of it for a superuser)."""
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.course_path}__in" if self.course_path else "pk__in"
        ids = course_ids_taught(request)
        if self.course_path and lookup_spawns_duplicates(queryset.model._meta, self.course_path):
            # A row in two taught courses would be listed twice by a join.
            return queryset.filter(pk__in=queryset.model._default_manager.filter(**{lookup: ids}).values("pk"))
        return queryset.filter(**{lookup: ids})

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _in_scope(self, request, obj) -> bool:
        cache = request.__dict__.setdefault("_course_scope_checked", {})
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.scope_queryset(request, obj._meta.model._default_manager.filter(pk=obj.pk)).exists()
        return cache[key]

    # --- permissions ------------------------------------------------------------

    def _instructor_may(self, request, action, obj=None) -> bool:
        if action not in self.instructor_actions or not course_ids_taught(request):
            return False
        # An inline's obj is its parent row, which the parent's admin has scoped.
        if obj is None or isinstance(self, InlineModelAdmin):
            return True
        return self._in_scope(request, obj)

    def has_module_permission(self, request):
        if request.user.is_superuser:
            return super().has_module_permission(request)
        return bool(course_ids_taught(request))

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self._instructor_may(request, "view", obj)

    def has_add_permission(self, request, *args):
        # ModelAdmin passes (request), an inline (request, obj).
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self._instructor_may(request, "add")

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self._instructor_may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return self._instructor_may(request, "delete", obj)

    # --- choices in forms -------------------------------------------------------

    def _scoped_choices(self, db_field, request, kwargs):
        if request.user.is_superuser:
            return
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, CourseScopedAdmin):
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            kwargs["queryset"] = related_admin.scope_queryset(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
