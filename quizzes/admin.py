"""Admin for quizzes and their questions, scoped to the courses an instructor teaches.

A question is edited with the fields of its type (options, the true/false
answer, the number and its tolerances, the accepted answers, the generator of
a parameterised item); the rest of its body (matching pairs, cloze gaps, both
from imports) is JSON in the layout of quizzes/item_codec.py. Whatever the
form, Question.clean() (quizzes.validation, as for the loader and the
importers) decides what is valid. Attempts are records: read-only.
"""

from fractions import Fraction

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from courses.admin import BilingualLabelsMixin, titled_filter
from courses.admin_scoping import VIEW_ONLY, CourseScopedAdmin
from quizzes.items import MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE
from quizzes.models import Question, Quiz, QuizAttempt
from quizzes.parameterised import GENERATORS

LABELS = {
    "slug": "Slug · 标识",
    "course": "Course · 课程",
    "chapter": "Chapter · 章节",
    "title_zh": "Title (Chinese) · 中文标题",
    "title_en": "Title (English) · 英文标题",
    "answers_shown": "Answers shown · 答案显示时间",
    "position": "Position · 顺序",
    "key": "Key · 标识",
    "type": "Type · 题型",
    "section": "Section · 小节",
    "points": "Points · 分值",
    "prompt_zh": "Prompt (Chinese) · 中文题干",
    "prompt_en": "Prompt (English) · 英文题干",
    "explanation_zh": "Explanation (Chinese) · 中文解析",
    "explanation_en": "Explanation (English) · 英文解析",
    "body": "Other fields (JSON) · 其他字段（JSON）",
}

# Which body keys the form's own fields set, per type; the JSON box holds the rest.
_MANAGED = {
    SINGLE: ("options",),
    MULTIPLE: ("options",),
    TRUE_FALSE: ("answer_bool",),
    NUMERIC: ("answer_number", "abs_tol", "rel_tol"),
    PARAMETERISED: ("generator", "abs_tol", "rel_tol"),
    SHORT: ("accepted",),
}


def _options_text(options) -> str:
    lines = []
    for option in options:
        line = f"{'*' if option.get('correct') else ' '} {option['key']} | {option['text']['zh']} | {option['text']['en']}"
        if option.get("weight") is not None:
            line += f" | {option['weight']}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def _options_parse(text: str) -> list:
    options = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        correct = line.startswith("*")
        columns = [column.strip() for column in line.lstrip("*").split("|")]
        if len(columns) not in (3, 4):
            raise ValidationError(
                f"Line {number}: write 'key | 中文 | English' (and optionally '| weight'), "
                f"with * first for a right option · 第 {number} 行格式应为“标识 | 中文 | English”，正确选项以 * 开头"
            )
        weight = None
        if len(columns) == 4 and columns[3]:
            try:
                weight = str(Fraction(columns[3]))
            except (ValueError, ZeroDivisionError):
                raise ValidationError(f"Line {number}: weight {columns[3]!r} is not a number such as 1/2 or -1") from None
        options.append({"key": columns[0], "text": {"zh": columns[1], "en": columns[2]}, "correct": correct,
                        "weight": weight})  # fmt: skip
    return options


class QuestionAdminForm(forms.ModelForm):
    options_text = forms.CharField(
        label="Options · 选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField", "spellcheck": "false"}),
        help_text="Single and multiple choice: one option per line, 'key | 中文 | English'; start the line with * "
        "for a right option (single choice: exactly one). 单选、多选题：每行一个选项，正确选项以 * 开头。",
    )
    answer_bool = forms.TypedChoiceField(
        label="True/false answer · 判断题答案",
        required=False,
        choices=[("", "—"), ("true", "True · 对"), ("false", "False · 错")],
        coerce=lambda value: value == "true",
        empty_value=None,
    )
    answer_number = forms.FloatField(label="Numeric answer · 数值答案", required=False)
    abs_tol = forms.FloatField(
        label="Absolute tolerance · 绝对误差", required=False, min_value=0,
        help_text="Numeric and parameterised items: an answer within max(absolute, relative × |answer|) is right.",
    )  # fmt: skip
    rel_tol = forms.FloatField(label="Relative tolerance · 相对误差", required=False, min_value=0)
    accepted_text = forms.CharField(
        label="Accepted answers · 可接受的答案",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="Short answer: one accepted answer per line, in either language (compared without case and extra "
        "spaces). 简答题：每行一个可接受的答案。",
    )
    generator = forms.ChoiceField(
        label="Generator · 生成器",
        required=False,
        choices=[("", "—"), *((name, f"{name}: {g.description} (${', $'.join(sorted(g.variables))})")
                              for name, g in GENERATORS.items())],  # fmt: skip
        help_text="Parameterised numeric: the prompts use its $variables; each attempt draws its own numbers.",
    )

    class Meta:
        model = Question
        fields = (
            "position", "key", "type", "section", "points", "prompt_zh", "prompt_en", "explanation_zh",
            "explanation_en", "body",
        )  # fmt: skip
        widgets = {
            "prompt_zh": forms.Textarea(attrs={"rows": 3}),
            "prompt_en": forms.Textarea(attrs={"rows": 3}),
            "explanation_zh": forms.Textarea(attrs={"rows": 3}),
            "explanation_en": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField", "spellcheck": "false"}),
        }
        help_texts = {
            "body": "Fields the boxes above do not cover, as JSON in the layout of quizzes/item_codec.py: matching "
            '"pairs" [{"key", "prompt": {"zh", "en"} or null, "answer": {"zh", "en"}}], cloze "parts", numeric '
            '"more_numbers" [{"value", "tolerance"}], short answer "case_sensitive": true. {} when none. '
            "上面各栏未涵盖的字段（JSON）。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = dict(self.instance.body or {}) if self.instance.pk else {}
        managed = _MANAGED.get(self.instance.type, ())
        self.initial.setdefault("options_text", _options_text(body.get("options", [])))
        self.initial.setdefault("answer_bool", {True: "true", False: "false"}.get(body.get("answer_bool"), ""))
        for name in ("answer_number", "abs_tol", "rel_tol", "generator"):
            self.initial.setdefault(name, body.get(name))
        self.initial.setdefault("accepted_text", "\n".join(body.get("accepted", [])))
        self.initial["body"] = {key: value for key, value in body.items() if key not in managed}

    def clean_options_text(self):
        return _options_parse(self.cleaned_data.get("options_text") or "")

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        if body in (None, ""):
            body = {}
        if not isinstance(body, dict):
            self.add_error("body", "Must be a JSON object ({} for none) · 必须是 JSON 对象")
            return cleaned
        question_type = cleaned.get("type")
        managed = _MANAGED.get(question_type, ())
        body = {key: value for key, value in body.items() if key not in managed}
        values = {
            "options": cleaned.get("options_text") or None,
            "answer_bool": cleaned.get("answer_bool"),
            "answer_number": cleaned.get("answer_number"),
            "abs_tol": cleaned.get("abs_tol") or None,
            "rel_tol": cleaned.get("rel_tol") or None,
            "generator": cleaned.get("generator") or None,
            "accepted": [line.strip() for line in (cleaned.get("accepted_text") or "").splitlines() if line.strip()]
            or None,
        }
        body.update({key: values[key] for key in managed if values[key] is not None})
        cleaned["body"] = body
        # Question.clean() (run next, by the ModelForm) validates the whole item built from this body.
        return cleaned


class QuestionInline(CourseScopedAdmin, BilingualLabelsMixin, admin.StackedInline):
    model = Question
    form = QuestionAdminForm
    course_path = "quiz__course"
    instructor_actions = frozenset({"view", "add", "change", "delete"})
    # Assistants read the questions with their quiz and write none.
    ta_actions = VIEW_ONLY
    labels = LABELS
    extra = 0
    ordering = ("position", "id")
    fieldsets = (
        (None, {"fields": (("position", "key", "type", "section", "points"),)}),
        (None, {"fields": (("prompt_zh", "prompt_en"), ("explanation_zh", "explanation_en"))}),
        (None, {"fields": ("options_text", "answer_bool", ("answer_number", "abs_tol", "rel_tol"), "generator",
                           "accepted_text", "body")}),  # fmt: skip
    )
    verbose_name = "Question · 题目"
    verbose_name_plural = "Questions · 题目"


class QuizAdminForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = ("slug", "course", "chapter", "title_zh", "title_en", "answers_shown")

    def clean(self):
        cleaned = super().clean()
        chapter, course = cleaned.get("chapter"), cleaned.get("course")
        if chapter is not None and course is not None and chapter.course_id != course.pk:
            self.add_error("chapter", "The chapter belongs to another course · 该章节属于其他课程")
        return cleaned


@admin.register(Quiz)
class QuizAdmin(CourseScopedAdmin, BilingualLabelsMixin, admin.ModelAdmin):
    course_path = "course"
    # No delete: attempts protect a quiz; removing one is a superuser's call.
    instructor_actions = frozenset({"view", "add", "change"})
    # Assistants read the course's quizzes; writing one is the instructors' call.
    ta_actions = VIEW_ONLY
    form = QuizAdminForm
    labels = LABELS
    inlines = (QuestionInline,)
    list_display = ("slug", "title_display", "course", "chapter_number", "answers_shown")
    list_filter = (("course", titled_filter(admin.RelatedOnlyFieldListFilter, "Course · 课程")), "answers_shown")
    list_select_related = ("course", "chapter")
    search_fields = ("slug", "title_en", "title_zh")
    fieldsets = (
        ("Quiz · 测验", {"fields": ("slug", ("course", "chapter"), ("title_zh", "title_en"), "answers_shown")}),
    )

    @admin.display(description="Title · 标题", ordering="title_en")
    def title_display(self, quiz):
        return f"{quiz.title_en} · {quiz.title_zh}"

    @admin.display(description="Chapter · 章", ordering="chapter__number")
    def chapter_number(self, quiz):
        return quiz.chapter.number if quiz.chapter else "—"


@admin.register(QuizAttempt)
class QuizAttemptAdmin(CourseScopedAdmin, admin.ModelAdmin):
    course_path = "quiz__course"
    instructor_actions = VIEW_ONLY
    # Assistants read the attempts, as they read submissions; records stay untouched.
    ta_actions = VIEW_ONLY
    list_display = ("quiz", "user", "score", "max_score", "started_at", "submitted_at")
    list_filter = (("quiz", titled_filter(admin.RelatedOnlyFieldListFilter, "Quiz · 测验")),)
    list_select_related = ("quiz", "user")
    search_fields = ("user__username", "quiz__slug")
    readonly_fields = ("quiz", "user", "seed", "responses", "results", "score", "max_score", "started_at",
                       "submitted_at")  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Attempts are the evidence of grades; a superuser removes them, as any record, in the shell.
        return False
