"""Admin for exercises (authored here, no deploy) and submissions (read-only records).

Labels read "English · 中文" (see courses.admin for why they live here).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import display_for_field, quote
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from courses.admin import BilingualLabelsMixin, titled_filter
from courses.admin_scoping import CourseScopedAdmin
from courses.models import Chapter
from grader.admin_statement_preview import statement_preview_view
from grader.markdown_render import markdown_to_safe_html
from grader.models import Exercise, GradingRun, Submission, TestResult

EXERCISE_LABELS = {
    "slug": "Slug · 标识",
    "chapter": "Chapter · 章节",
    "position": "Position in chapter · 章内顺序",
    "title_en": "Title (English) · 英文标题",
    "title_zh": "Title (Chinese) · 中文标题",
    "statement_zh": "Statement (Chinese, Markdown) · 中文题目",
    "statement_en": "Statement (English, Markdown) · 英文题目",
    "starter_code": "Starter code · 初始代码",
    "reference_solution": "Reference solution · 参考答案",
    "check_suite": "Check suite · 检查套件",
    "check_params": "Check parameters (JSON) · 检查参数",
    "required_functions": "Required functions (JSON list) · 必须定义的函数",
    "points": "Points · 分值",
    "cpu_limit_seconds": "CPU limit (s) · CPU 时间限制（秒）",
    "wall_limit_seconds": "Wall-clock limit (s) · 运行时间限制（秒）",
    "memory_limit_mb": "Memory limit (MB) · 内存限制（MB）",
}


def _code_area(rows: int) -> forms.Textarea:
    # code-field: grader/admin.css
    return forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField code-field", "spellcheck": "false"})


def _check_suite_choices():
    # Imported when a form is made, not with admin: the suites pull in numpy and the engine.
    from grader.checks import REGISTRY

    # A newcomer cannot guess the suites' names: each is offered with the functions it calls.
    return [("", "---------")] + [(name, f"{name} ({', '.join(suite.functions)})") for name, suite in REGISTRY.items()]


class ExerciseAdminForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list, not a text box; the value stays a string that Exercise.clean() judges, with its own message.
        suite = self.fields.get("check_suite")  # absent from a read-only form (a TA's)
        if suite is not None:
            suite.widget = forms.Select(choices=_check_suite_choices())
            suite.help_text = (
                "The checks that grade submissions; in brackets, the functions they call. · 评分所用的检查套件；括号中为它调用的函数。"
            )

    class Media:
        # The statement preview: KaTeX and the statement's math typesetting are the coding page's own files.
        css = {"all": ["grader/admin.css", "web/vendor/katex/katex.min.css", "grader/statement_preview.css"]}
        js = ["web/vendor/katex/katex.min.js", "web/math.js", "grader/statement_preview.js"]

    class Meta:
        model = Exercise
        fields = "__all__"
        widgets = {
            # Code is edited as code: fixed width, no spell-check squiggles.
            "starter_code": _code_area(16),
            "reference_solution": _code_area(24),
            "check_params": _code_area(4),
            "required_functions": _code_area(2),
            "statement_zh": forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"}),
            "statement_en": forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"}),
        }

    def clean_check_params(self):
        params = self.cleaned_data.get("check_params")
        # An emptied box means "the suite's defaults", not JSON null.
        return {} if params in (None, "") else params

    # Everything else about an exercise's values is Exercise.clean()'s, which
    # the ModelForm runs: the same rules as the content loader's.


def _readonly(field_name: str, label: str):
    """A read-only admin column/field for `field_name`, labelled `label`, displayed as admin would."""

    @admin.display(description=label, ordering=field_name)
    def show(self, obj):
        model_field = obj._meta.get_field(field_name)
        return display_for_field(getattr(obj, field_name), model_field, self.get_empty_value_display())

    show.__name__ = f"{field_name}_display"
    return show


class ChapterFilter(admin.SimpleListFilter):
    # Not a plain ("chapter") filter: Chapter.__str__ reads its course, which
    # would cost one query per chapter to build the choices.
    title = "Chapter · 章节"
    parameter_name = "chapter"

    def lookups(self, request, model_admin):
        # Only chapters that have rows in this admin's (course-scoped) list.
        chapters = Chapter.objects.filter(pk__in=model_admin.get_queryset(request).values("chapter_id"))
        return [(chapter.pk, str(chapter)) for chapter in chapters.select_related("course")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(chapter_id=self.value())
        return queryset


@admin.register(Exercise)
class ExerciseAdmin(CourseScopedAdmin, BilingualLabelsMixin, admin.ModelAdmin):
    course_path = "chapter__course"
    # No delete: an exercise's submissions protect it; removing one is a superuser's call.
    instructor_actions = frozenset({"view", "add", "change"})
    # A teaching assistant reads exercises and changes none (nor regrades them).
    ta_actions = frozenset({"view"})
    form = ExerciseAdminForm
    labels = EXERCISE_LABELS
    list_display = (
        "slug_display",
        "title_display",
        "chapter_display",
        "position_display",
        "points_display",
        "check_suite_display",
    )
    list_display_links = ("slug_display", "title_display")
    list_filter = (
        ("chapter__course", titled_filter(admin.RelatedOnlyFieldListFilter, "Course · 课程")),
        ChapterFilter,
        ("check_suite", titled_filter(admin.AllValuesFieldListFilter, "Check suite · 检查套件")),
    )
    search_fields = ("slug", "title_en", "title_zh")
    list_select_related = ("chapter__course",)
    ordering = ("chapter__course__slug", "chapter__number", "position", "slug")
    fieldsets = (
        (
            "Identity · 基本信息",
            {"fields": ("slug", "chapter", "position", "title_zh", "title_en")},
        ),
        ("Statement · 题目", {"fields": ("statement_zh", "statement_en", "statement_preview")}),
        ("Code · 代码", {"fields": ("starter_code", "reference_solution")}),
        ("Checks · 评分检查", {"fields": ("check_suite", "check_params", "required_functions")}),
        (
            "Points and limits · 分值与限制",
            {"fields": ("points", "cpu_limit_seconds", "wall_limit_seconds", "memory_limit_mb")},
        ),
    )

    readonly_fields = ("statement_preview",)
    actions = ("check_reference_solutions", "regrade_exercises", "regrade_outdated")

    def get_urls(self):
        def preview_new(request):
            return statement_preview_view(self, request)

        def preview_saved(request, object_id):
            return statement_preview_view(self, request, object_id)

        name = f"{self.opts.app_label}_{self.opts.model_name}_statement_preview"
        # Before admin's own: its "<path:object_id>/" would answer these paths first.
        return [
            path("preview/", self.admin_site.admin_view(preview_new), name=name),
            path("<path:object_id>/preview/", self.admin_site.admin_view(preview_saved), name=f"{name}_saved"),
            *super().get_urls(),
        ]

    # Its labels follow the interface language (gettext), like the preview's own text.
    @admin.display(description=gettext_lazy("Preview, as students will see it"))
    def statement_preview(self, exercise):
        # The stored (or, on a form sent back with errors, the typed) statements, rendered now: the
        # read-only form shows them without a request. statement_preview.js re-renders as one types.
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_statement_preview"
        url = reverse(name) if exercise.pk is None else reverse(f"{name}_saved", args=[quote(exercise.pk)])
        languages = [
            ("statement_zh", "zh-Hans", gettext_lazy("Chinese statement"), exercise.statement_zh),
            ("statement_en", "en", gettext_lazy("English statement"), exercise.statement_en),
        ]
        return render_to_string(
            "grader/statement_preview.html",
            {
                "url": url,
                "languages": [
                    {"field": field, "lang": lang, "label": label, "html": markdown_to_safe_html(text or "")}
                    for field, lang, label, text in languages
                ],
            },
        )

    @admin.action(
        description="Self-check: the reference earns full marks, the known-wrong solutions lose points · "
        "自检：参考答案得满分，已知错误解法失分"
    )
    def check_reference_solutions(self, request, queryset):
        # The sandbox never runs in the web process: a worker answers, on a row admin shows.
        from grader.admin_runs import reference_checks_request

        reference_checks_request(self, request, queryset)

    @admin.action(description="Regrade all graded submissions · 重新评分所有已评分的提交")
    def regrade_exercises(self, request, queryset):
        from grader.admin_runs import regrade_request

        regrade_request(self, request, queryset, outdated=False)

    @admin.action(description="Regrade submissions graded under older checks · 重新评分按旧检查评分的提交")
    def regrade_outdated(self, request, queryset):
        from grader.admin_runs import regrade_request

        regrade_request(self, request, queryset, outdated=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chapter":
            # The <select> labels read chapter.course: fetch them in the same query.
            kwargs["queryset"] = Chapter.objects.select_related("course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    slug_display = _readonly("slug", "Slug · 标识")
    position_display = _readonly("position", "Position · 顺序")
    points_display = _readonly("points", "Points · 分值")
    check_suite_display = _readonly("check_suite", "Check suite · 检查套件")

    @admin.display(description="Title · 标题", ordering="title_en")
    def title_display(self, exercise):
        return f"{exercise.title_en} · {exercise.title_zh}"

    @admin.display(description="Chapter · 章节", ordering="chapter__number")
    def chapter_display(self, exercise):
        return f"{exercise.chapter.course.slug} {exercise.chapter.number}. {exercise.chapter.title_zh}"


class TestResultInline(CourseScopedAdmin, admin.TabularInline):
    model = TestResult
    fk_name = "run"
    course_path = "run__submission__exercise__chapter__course"
    ta_actions = frozenset({"view"})
    fields = (
        "position_display",
        "name_display",
        "hidden_display",
        "passed_display",
        "points_display",
        "max_points_display",
        "mistake_display",
        "message_en_display",
        "message_zh_display",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "Test result · 测试结果"
    verbose_name_plural = "Test results · 测试结果"

    position_display = _readonly("position", "# · 序号")
    name_display = _readonly("name_en", "Test · 测试")
    hidden_display = _readonly("hidden", "Hidden · 隐藏")
    passed_display = _readonly("passed", "Passed · 通过")
    points_display = _readonly("points", "Points · 得分")
    max_points_display = _readonly("max_points", "Of · 满分")
    mistake_display = _readonly("mistake", "Known mistake · 已知错误")
    message_en_display = _readonly("message_en", "Message (English) · 英文说明")
    message_zh_display = _readonly("message_zh", "Message (Chinese) · 中文说明")

    # Grades are records: the grader writes them, nobody edits them here.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GradingRunInline(CourseScopedAdmin, admin.TabularInline):
    """Every grading of the submission, oldest first; each links to its tests and operator detail."""

    model = GradingRun
    course_path = "submission__exercise__chapter__course"
    ta_actions = frozenset({"view"})
    fields = ("run_link", "reason", "status", "score", "suite_version", "claim_count", "queued_at", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "Grading run · 评分记录"
    verbose_name_plural = "Grading runs · 评分记录"

    @admin.display(description="Run · 评分")
    def run_link(self, run):
        return _admin_link(run)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScoreFilter(admin.SimpleListFilter):
    title = "Score · 得分"
    parameter_name = "score"

    def lookups(self, request, model_admin):
        return [
            ("full", "Full marks · 满分"),
            ("partial", "Partial · 部分得分"),
            ("zero", "Zero · 零分"),
            ("none", "No score yet · 尚无分数"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "full":
            return queryset.filter(score__isnull=False, score=F("max_score"))
        if value == "partial":
            return queryset.filter(score__gt=0, score__lt=F("max_score"))
        if value == "zero":
            return queryset.filter(score=0)
        if value == "none":
            return queryset.filter(score__isnull=True)
        return queryset


@admin.register(Submission)
class SubmissionAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "exercise__chapter__course"
    ta_actions = frozenset({"view"})
    list_display = ("id", "user_display", "exercise_display", "status_display", "score_display", "created_display")
    list_filter = (
        ("status", titled_filter(admin.ChoicesFieldListFilter, "Status · 状态")),
        ScoreFilter,
        ("exercise", titled_filter(admin.RelatedOnlyFieldListFilter, "Exercise · 练习")),
    )
    search_fields = (
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "exercise__slug",
        "exercise__title_en",
        "exercise__title_zh",
    )
    list_select_related = ("user", "exercise")
    date_hierarchy = "created_at"
    # Submissions can be many: don't count the whole table for the paginator twice.
    show_full_result_count = False
    fieldsets = (
        (
            "Submission · 提交",
            {"fields": ("user_link", "exercise_link", "created_display", "seed_display", "code_sha256_display")},
        ),
        (
            "Result · 结果",
            {
                "fields": (
                    "status_display",
                    "score_display",
                    "current_run_link",
                    "graded_display",
                    "feedback_en_display",
                    "feedback_zh_display",
                )
            },
        ),
        ("Code · 代码", {"fields": ("code_display",)}),
    )
    readonly_fields = tuple(name for _, options in fieldsets for name in options["fields"])
    inlines = (GradingRunInline,)

    class Media:
        css = {"all": ["grader/admin.css"]}

    status_display = _readonly("status", "Status · 状态")
    seed_display = _readonly("seed", "Seed · 随机种子")
    code_sha256_display = _readonly("code_sha256", "Code SHA-256 · 代码哈希")
    created_display = _readonly("created_at", "Submitted · 提交时间")
    graded_display = _readonly("graded_at", "Graded · 评分完成")
    feedback_en_display = _readonly("feedback_en", "Feedback (English) · 英文反馈")
    feedback_zh_display = _readonly("feedback_zh", "Feedback (Chinese) · 中文反馈")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "exercise")

    # A submission is a record of what a student handed in and what it earned:
    # viewable, never added or edited by hand (regrading goes through the grader).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="User · 用户", ordering="user__username")
    def user_display(self, submission):
        return submission.user

    @admin.display(description="Exercise · 练习", ordering="exercise__slug")
    def exercise_display(self, submission):
        return submission.exercise.slug

    @admin.display(description="Score · 得分", ordering="score")
    def score_display(self, submission):
        if submission.score is None:
            return self.get_empty_value_display()
        return f"{submission.score:g} / {submission.max_score:g}"

    @admin.display(description="Current run · 当前评分")
    def current_run_link(self, submission):
        return _admin_link(submission.current_run) if submission.current_run_id else self.get_empty_value_display()

    @admin.display(description="User · 用户")
    def user_link(self, submission):
        return _admin_link(submission.user)

    @admin.display(description="Exercise · 练习")
    def exercise_link(self, submission):
        return _admin_link(submission.exercise)

    @admin.display(description="Code · 代码")
    def code_display(self, submission):
        # <pre>: indentation is Python syntax. format_html escapes the code.
        return format_html('<pre class="submission-code">{}</pre>', submission.code)


def _admin_link(obj):
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:  # the model has no admin page
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


# Grading runs, regrades and reference checks: their own module, registered here.
from grader import admin_runs  # noqa: E402, F401
