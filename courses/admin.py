"""Admin for courses, chapters and enrollments: where instructors author the course.

Labels read "English · 中文". The models' verbose names are English; the
bilingual labels live here so that relabelling needs no migration.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from courses.admin_scoping import ALL_ACTIONS, VIEW_ONLY, CourseScopedAdmin
from courses.models import Chapter, Course, Enrollment


class BilingualLabelsMixin:
    """Form field labels from `labels` (field name -> "English · 中文")."""

    labels: dict[str, str] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.labels:
            formfield.label = self.labels[db_field.name]
        return formfield


def titled_filter(filter_class, title: str):
    """`filter_class` with a bilingual title, for list_filter entries like ("field", titled_filter(...))."""

    class TitledFilter(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    TitledFilter.__name__ = f"Titled{filter_class.__name__}"
    return TitledFilter


COURSE_LABELS = {
    "slug": "Slug · 标识",
    "title_en": "Title (English) · 英文标题",
    "title_zh": "Title (Chinese) · 中文标题",
    "description_en": "Description (English) · 英文简介",
    "description_zh": "Description (Chinese) · 中文简介",
    "number": "Number · 章号",
    "user": "User · 用户",
    "course": "Course · 课程",
    "role": "Role · 角色",
    "sis_user_id": "SIS user ID · 学籍系统编号",
}


class ChapterInline(CourseScopedAdmin, BilingualLabelsMixin, admin.TabularInline):
    model = Chapter
    course_path = "course"
    # No delete: a chapter's exercises protect it, and removing one is a superuser's call.
    instructor_actions = frozenset({"view", "add", "change"})
    ta_actions = VIEW_ONLY
    labels = COURSE_LABELS
    fields = ("number", "title_zh", "title_en")
    extra = 0
    verbose_name = "Chapter · 章节"
    verbose_name_plural = "Chapters · 章节"

    def get_queryset(self, request):
        # str(chapter), shown on each row, reads its course.
        return super().get_queryset(request).select_related("course")


class EnrollmentInline(CourseScopedAdmin, BilingualLabelsMixin, admin.TabularInline):
    """The course's enrollments, roles editable in place by a superuser.

    Users are shown, not chosen, here: a user widget per row (autocomplete or
    raw id) costs a query per row, hundreds for a large class. New enrollments
    are added on the Enrollment page (linked from the course page). An
    instructor sees the list only: a role is a superuser's to set.
    """

    model = Enrollment
    course_path = "course"
    labels = COURSE_LABELS
    fields = ("user_display", "role", "created_at_display")
    readonly_fields = ("user_display", "created_at_display")
    extra = 0
    # Collapsed: a large class would otherwise push the chapters off the page.
    classes = ("collapse",)
    verbose_name = "Enrollment · 选课"
    verbose_name_plural = "Enrollments · 选课"

    def has_add_permission(self, request, obj=None):
        return False

    # Roles and removals are on the Enrollment page, where each row is checked.
    instructor_actions = VIEW_ONLY
    ta_actions = VIEW_ONLY

    def get_queryset(self, request):
        # Each row shows its user and str(enrollment), which reads the course:
        # fetch both with the rows rather than one query per row.
        return super().get_queryset(request).select_related("user", "course")

    @admin.display(description="User · 用户")
    def user_display(self, enrollment):
        return enrollment.user

    @admin.display(description="Enrolled · 选课时间")
    def created_at_display(self, enrollment):
        return enrollment.created_at


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin, BilingualLabelsMixin, admin.ModelAdmin):
    course_path = ""
    # Creating or deleting a course is a superuser's call.
    instructor_actions = frozenset({"view", "change"})
    ta_actions = VIEW_ONLY
    labels = COURSE_LABELS
    list_display = ("slug", "title_display", "chapter_count", "enrollment_count")
    search_fields = ("slug", "title_en", "title_zh")
    # The course autocomplete (enrollments) pages through this list.
    ordering = ("slug",)
    prepopulated_fields = {"slug": ("title_en",)}
    fieldsets = (
        ("Course · 课程", {"fields": ("slug", "title_zh", "title_en")}),
        ("Description · 简介", {"fields": ("description_zh", "description_en")}),
    )
    inlines = (ChapterInline, EnrollmentInline)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return (
            *self.fieldsets,
            ("Enrollments · 选课", {"fields": ("enrollment_add_link",)}),
            ("The class · 班级情况", {"fields": ("staff_pages_links",)}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("enrollment_add_link", "staff_pages_links") if obj is not None else ()

    @admin.display(description="Gradebook and analytics · 成绩册与学情分析")
    def staff_pages_links(self, course):
        return format_html(
            '<a id="staff-gradebook-link" href="{}">Gradebook · 成绩册</a> · '
            '<a id="staff-analytics-link" href="{}">Analytics · 学情分析</a>',
            reverse("staff:gradebook", args=[course.slug]),
            reverse("staff:analytics", args=[course.slug]),
        )

    @admin.display(description="Add students · 添加学生")
    def enrollment_add_link(self, course):
        # The add form takes initial values from the query string.
        url = f"{reverse('admin:courses_enrollment_add')}?course={course.pk}"
        return format_html('<a class="addlink" href="{}">Enroll a user in this course · 为本课程添加选课</a>', url)

    def get_queryset(self, request):
        # Counted in the list query itself; distinct because two joins multiply rows.
        return (
            super()
            .get_queryset(request)
            .annotate(
                chapters_total=Count("chapters", distinct=True),
                enrollments_total=Count("enrollments", distinct=True),
            )
        )

    @admin.display(description="Title · 标题", ordering="title_en")
    def title_display(self, course):
        return f"{course.title_en} · {course.title_zh}"

    @admin.display(description="Chapters · 章节数", ordering="chapters_total")
    def chapter_count(self, course):
        return course.chapters_total

    @admin.display(description="Enrollments · 选课人数", ordering="enrollments_total")
    def enrollment_count(self, course):
        return course.enrollments_total


@admin.register(Chapter)
class ChapterAdmin(CourseScopedAdmin, BilingualLabelsMixin, admin.ModelAdmin):
    course_path = "course"
    instructor_actions = frozenset({"view", "add", "change"})
    ta_actions = VIEW_ONLY
    labels = COURSE_LABELS
    list_display = ("__str__", "course", "number", "title_zh")
    list_filter = (("course", titled_filter(admin.RelatedOnlyFieldListFilter, "Course · 课程")),)
    list_select_related = ("course",)
    fields = ("course", "number", "title_zh", "title_en")
    search_fields = ("title_en", "title_zh", "course__slug")


class UsernameChoiceField(forms.ModelChoiceField):
    """A user by exact username: an instructor enrolls a student without browsing the list of every user."""

    def __init__(self, **kwargs):
        kwargs.pop("queryset", None)
        kwargs.pop("widget", None)
        super().__init__(
            queryset=get_user_model().objects.filter(is_active=True),
            to_field_name=get_user_model().USERNAME_FIELD,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            error_messages={"invalid_choice": "No active user has this username. · 没有使用该用户名的有效用户。"},
            **kwargs,
        )


@admin.register(Enrollment)
class EnrollmentAdmin(CourseScopedAdmin, BilingualLabelsMixin, admin.ModelAdmin):
    course_path = "course"
    instructor_actions = ALL_ACTIONS
    # Who is in the course is the instructor's to say.
    ta_actions = VIEW_ONLY
    labels = COURSE_LABELS
    list_display = ("user_display", "course_display", "role_display", "created_at_display")
    list_filter = (
        ("course", titled_filter(admin.RelatedOnlyFieldListFilter, "Course · 课程")),
        ("role", titled_filter(admin.ChoicesFieldListFilter, "Role · 角色")),
    )
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "course__slug")
    list_select_related = ("user", "course")
    autocomplete_fields = ("user", "course")
    fields = ("user", "course", "role", "sis_user_id")

    # Only a superuser makes someone an instructor, or changes or removes an
    # instructor's enrollment: an instructor enrolls students, in their courses.
    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("role",)

    def get_autocomplete_fields(self, request):
        # Autocomplete would list every user to an instructor; they type a username instead.
        return self.autocomplete_fields if request.user.is_superuser else ("course",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            return UsernameChoiceField(label=self.labels["user"], required=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role == Enrollment.Role.INSTRUCTOR and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role == Enrollment.Role.INSTRUCTOR and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="User · 用户", ordering="user__username")
    def user_display(self, enrollment):
        return enrollment.user

    @admin.display(description="Course · 课程", ordering="course__slug")
    def course_display(self, enrollment):
        return enrollment.course.slug

    @admin.display(description="Role · 角色", ordering="role")
    def role_display(self, enrollment):
        return enrollment.get_role_display()

    @admin.display(description="Enrolled · 选课时间", ordering="created_at")
    def created_at_display(self, enrollment):
        return enrollment.created_at
