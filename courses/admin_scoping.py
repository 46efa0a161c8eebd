"""The teaching staff see and change, in admin, only the rows of the courses they staff.

Every admin class of a model that belongs to a course mixes in
CourseScopedAdmin and says how its rows reach their course (`course_path`),
what an instructor may do with them (`instructor_actions`) and what a teaching
assistant may do (`ta_actions`). The mixin then scopes, for anyone but a
superuser:
  - the changelist, search, filters, autocomplete and the change, history and
    delete views (a row of another course is "not found": admin redirects);
  - every foreign-key and many-to-many choice whose model has a scoped admin
    (a course, chapter or exercise of another course cannot be chosen, nor
    posted by hand: the form refuses it);
  - the permissions, per course: someone who instructs one course and assists
    in another may take `instructor_actions` on the first's rows and
    `ta_actions` on the second's, and nothing else. Django's per-user model
    permissions do not widen this: for a course's rows, the role is what
    grants access;
  - the admin actions (regrade, bulk delete...): an action is offered only
    when the role allows what it needs (its `allowed_permissions`, "change"
    when it declares none), and it runs on the selected rows of the courses
    where it is allowed, never on the others.
A superuser sees and changes everything, as with a plain ModelAdmin.
A staff user who is neither instructor nor TA of a course sees none of these models.
"""

from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import lookup_spawns_duplicates

from courses.models import Enrollment
from courses.selectors import staff_roles_of

ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})
VIEW_ONLY = frozenset({"view"})


def staff_roles(request) -> dict[int, str]:
    """Course id -> the requesting user's staff role there, computed once per request."""
    cached = getattr(request, "_course_staff_roles", None)
    if cached is None:
        cached = staff_roles_of(user=request.user)
        request._course_staff_roles = cached
    return cached


def course_ids_taught(request) -> frozenset[int]:
    """The ids of the courses the requesting user teaches (instructor role)."""
    return frozenset(cid for cid, role in staff_roles(request).items() if role == Enrollment.Role.INSTRUCTOR)


class CourseScopedAdmin:
    # The lookup from this model to its Course ("" for Course itself), e.g. "chapter__course".
    course_path: str = ""
    # What an instructor may do with the rows of their courses.
    instructor_actions: frozenset[str] = VIEW_ONLY
    # What a teaching assistant may do with the rows of the courses they assist in.
    # Every admin states it (tests/admin holds them to it); nothing by default.
    ta_actions: frozenset[str] = frozenset()

    def actions_for_role(self, role: str) -> frozenset[str]:
        if role == Enrollment.Role.INSTRUCTOR:
            return self.instructor_actions
        if role == Enrollment.Role.TEACHING_ASSISTANT:
            return self.ta_actions
        return frozenset()

    def course_ids_allowing(self, request, *actions: str) -> frozenset[int]:
        """The courses in whose rows the requesting user may take every one of `actions`."""
        needed = set(actions)
        return frozenset(
            cid for cid, role in staff_roles(request).items() if needed <= self.actions_for_role(role)
        )

    # --- rows -------------------------------------------------------------------

    def scope_queryset(self, request, queryset, *, action: str = "view"):
        """`queryset` narrowed to the courses where the user may take `action` (all of it for a superuser)."""
        if request.user.is_superuser:
            return queryset
        return self.scope_to_courses(queryset, self.course_ids_allowing(request, action))

    def scope_to_courses(self, queryset, ids):
        """`queryset` narrowed to the rows of the courses `ids`."""
        lookup = f"{self.course_path}__in" if self.course_path else "pk__in"
        if self.course_path and lookup_spawns_duplicates(queryset.model._meta, self.course_path):
            # A row in two staffed courses would be listed twice by a join.
            return queryset.filter(pk__in=queryset.model._default_manager.filter(**{lookup: ids}).values("pk"))
        return queryset.filter(**{lookup: ids})

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _in_scope(self, request, obj, action: str) -> bool:
        cache = request.__dict__.setdefault("_course_scope_checked", {})
        key = (type(self).__name__, obj._meta.label, obj.pk, action)
        if key not in cache:
            rows = obj._meta.model._default_manager.filter(pk=obj.pk)
            cache[key] = self.scope_queryset(request, rows, action=action).exists()
        return cache[key]

    # --- permissions ------------------------------------------------------------

    def _staff_may(self, request, action, obj=None) -> bool:
        if not self.course_ids_allowing(request, action):
            return False
        # An inline's obj is its parent row, which the parent's admin has scoped.
        if obj is None or isinstance(self, InlineModelAdmin):
            return True
        return self._in_scope(request, obj, action)

    def has_module_permission(self, request):
        if request.user.is_superuser:
            return super().has_module_permission(request)
        return bool(self.course_ids_allowing(request, "view"))

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self._staff_may(request, "view", obj)

    def has_add_permission(self, request, *args):
        # ModelAdmin passes (request), an inline (request, obj).
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self._staff_may(request, "add")

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self._staff_may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return self._staff_may(request, "delete", obj)

    # --- admin actions ----------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        allowed = {}
        for name, (func, action_name, description) in actions.items():
            # An action that declares nothing acts on the rows: it needs "change".
            needed = tuple(getattr(func, "allowed_permissions", ())) or ("change",)
            if self.course_ids_allowing(request, *needed):
                allowed[name] = (self._action_narrowed(func, needed), action_name, description)
        return allowed

    def _action_narrowed(self, func, needed: tuple[str, ...]):
        """`func`, run only on the selected rows of the courses where the role allows `needed`."""

        def narrowed(modeladmin, request, queryset):
            for action in needed:
                queryset = self.scope_queryset(request, queryset, action=action)
            return func(modeladmin, request, queryset)

        narrowed.__name__ = getattr(func, "__name__", "action")
        narrowed.allowed_permissions = needed
        return narrowed

    # --- choices in forms -------------------------------------------------------

    def _scoped_choices(self, db_field, request, kwargs):
        if request.user.is_superuser:
            return
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, CourseScopedAdmin):
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            # A row may point only into a course where this form's row may be
            # written: an instructor of one course who assists in another picks
            # no chapter of the second for a new exercise.
            writable = self.course_ids_allowing(request, "add") | self.course_ids_allowing(request, "change")
            kwargs["queryset"] = related_admin.scope_to_courses(
                queryset, related_admin.course_ids_allowing(request, "view") & writable
            )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
