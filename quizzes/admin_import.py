"""Admin page "Import questions": upload a GIFT or Moodle XML file into a quiz of a course one teaches.

The page sits beside the quiz admin at /admin/quizzes/quiz/import/ (see
`admin_urls`, included by config/urls.py before admin.site.urls) and follows
courses.admin_scoping: a superuser imports into any course, an instructor only
into the courses they teach (the course field offers only those, and a course
posted by hand is refused by the form), and anyone else gets a 403: a teaching
assistant reads a course but does not author its quizzes. Staff status alone is
not enough, as everywhere in this admin.

The import itself is quizzes.importing.quiz_questions_import: all or nothing,
every problem listed with its line or question.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from courses.admin_scoping import course_ids_taught
from courses.models import Course
from courses.selectors import courses_taught_by
from quizzes.importing import FORMATS, format_for_filename, quiz_questions_import

# A bank of 1,000 questions is about 300 KiB of GIFT and 1 MiB of Moodle XML;
# deploy/nginx lets this one URL's body reach MAX_UPLOAD_BYTES plus the form.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
IMPORT_URL_NAME = "quizzes_quiz_import"

FORMAT_CHOICES = [
    ("", "From the file's extension (.gift, .txt, .xml) · 按扩展名判断"),
    ("gift", "GIFT"),
    ("moodle-xml", "Moodle XML"),
]


def courses_for_import(user):
    """The courses `user` may import questions into: every course for a superuser, else those they teach."""
    if user.is_superuser:
        return Course.objects.all()
    return courses_taught_by(user=user)


class QuestionImportForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.none(), label="Course · 课程")
    quiz = forms.SlugField(
        label="Quiz slug · 测验标识",
        max_length=50,
        help_text="An existing quiz of this course, or a new one (created unpublished) · "
        "本课程已有的测验，或一个新测验（创建后不发布）",
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False, label="Format · 格式")
    file = forms.FileField(label="File · 文件")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = courses_for_import(user).order_by("slug")
        self.fields["course"].queryset = courses
        # Most instructors teach one course: it is the only choice, so it is chosen already.
        only = list(courses[:2])
        if len(only) == 1:
            self.fields["course"].initial = only[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size} bytes; at most {MAX_UPLOAD_BYTES} are imported · "
                f"文件有 {upload.size} 字节，最多只能导入 {MAX_UPLOAD_BYTES} 字节"
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("format"):
            guessed = format_for_filename(upload.name)
            if guessed is None:
                self.add_error(
                    "format",
                    "The file's extension does not say its format: choose GIFT or Moodle XML · "
                    "无法从扩展名判断格式，请选择 GIFT 或 Moodle XML",
                )
            cleaned["format"] = guessed
        return cleaned


def _may_import(request) -> bool:
    return request.user.is_superuser or bool(course_ids_taught(request))


def _quiz_page(quiz) -> str | None:
    try:
        return reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    except NoReverseMatch:  # the quiz admin is not registered on this site
        return None


def question_import_view(request):
    """GET: the form. POST: import, then back to the quiz (or the form) with what happened."""
    if not _may_import(request):
        raise PermissionDenied
    errors = ()
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            result = quiz_questions_import(
                course=data["course"], quiz_slug=data["quiz"], text=data["file"].read(), format=data["format"]
            )
            if result.ok:
                messages.success(
                    request,
                    f"{result.imported} questions imported into {result.quiz.slug} "
                    f"({result.created} new, {result.updated} updated, {result.unchanged} unchanged) · "
                    f"已向 {result.quiz.slug} 导入 {result.imported} 道题"
                    f"（新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}）",
                )
                note = result.points_note()
                if note:
                    messages.info(request, f"{result.quiz.slug}: {note[0]}. · {result.quiz.slug}：{note[1]}。")
                return redirect(_quiz_page(result.quiz) or reverse(IMPORT_URL_NAME))
            errors = result.errors
    else:
        form = QuestionImportForm(user=request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Import questions · 导入题目",
        "form": form,
        "errors": errors,
        "formats": FORMATS,
        "max_upload_mib": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return TemplateResponse(request, "admin/quizzes/import_questions.html", context, status=400 if errors else 200)


def admin_urls():
    """The page's URL, for config/urls.py to put before admin.site.urls (admin's catch-all would shadow it)."""
    return [path("quizzes/quiz/import/", admin.site.admin_view(question_import_view), name=IMPORT_URL_NAME)]
