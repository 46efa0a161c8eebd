"""Admin's own words in both languages: model names, field labels and help, from the gettext catalogue.

An instructor who reads admin in Chinese sees Chinese model names on the index
and the changelists, and Chinese labels on the read-only pages; every model
registered in admin has its names in the catalogue.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from courses.models import Assignment, Chapter, Course, Enrollment
from grader.models import Exercise, ReferenceCheck, RegradeRequest
from grades.models import Grade
from review.models import MutationReport

User = get_user_model()
PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PROJECT_APPS = {"courses", "grader", "grades", "review", "quizzes", "lti", "lms", "accounts", "staff", "web"}


def _catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def _english(text) -> str:
    with translation.override("en"):
        return str(text)


def _chinese(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_every_registered_models_names_are_in_the_catalogue_with_their_chinese():
    catalogue = _catalogue()
    missing = []
    for model in admin.site._registry:
        if model._meta.app_label not in PROJECT_APPS:
            continue  # Django's own (the user model's names come with Django's Chinese)
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            message = catalogue.get(_english(name))
            if message is None or not message.string:
                missing.append(f"{model._meta.label}: {_english(name)}")
    assert missing == []
    assert len([m for m in admin.site._registry if m._meta.app_label in PROJECT_APPS]) >= 20  # the registry was read


def test_every_registered_model_of_ours_and_the_user_model_reads_differently_in_chinese():
    # Third-party registrations (API tokens, login attempts) are for superusers and keep their own words.
    untranslated = [
        model._meta.label
        for model in admin.site._registry
        if model._meta.app_label in PROJECT_APPS | {"auth"}
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        if _chinese(name) == _english(name)
    ]
    assert untranslated == []


@pytest.mark.parametrize(
    "model", [Assignment, Grade, RegradeRequest, ReferenceCheck, MutationReport], ids=lambda m: m.__name__
)
def test_the_read_only_pages_field_labels_and_help_are_translated(model):
    catalogue = _catalogue()
    missing = []
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.auto_created:
            continue
        for text in (field.verbose_name, field.help_text):
            if text and not (catalogue.get(_english(text)) and catalogue.get(_english(text)).string):
                missing.append(f"{model.__name__}.{field.name}: {_english(text)}")
    assert missing == []


@pytest.fixture
def teacher(db):
    course = Course.objects.create(slug="alpha", title_en="Alpha", title_zh="甲")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    exercise = Exercise.objects.create(
        slug="alpha-softmax", chapter=chapter, title_en="Softmax", title_zh="软最大",
        statement_zh="题目", statement_en="Statement",
        reference_solution="def softmax(x):\n    return x\n", required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    Assignment.objects.create(course=course, slug=exercise.slug, exercise=exercise, published=False)
    user = User.objects.create_user(username="alpha-teacher", is_staff=True)
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.INSTRUCTOR)
    return user


def test_the_admin_index_in_chinese_names_the_models_in_chinese(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for chinese in ("作业", "练习", "重新评分请求", "参考答案检查", "变异分析报告", "成绩"):
        assert f">{chinese}<" in page, chinese
    assert ">Assignments<" not in page and ">Regrade requests<" not in page
    english = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Assignments<" in english and ">Regrade requests<" in english


def test_a_changelist_and_a_change_page_in_chinese(client, teacher):
    client.force_login(teacher)
    changelist = client.get(reverse("admin:courses_assignment_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert changelist.status_code == 200
    text = changelist.content.decode()
    assert "选择 作业 来修改" in text  # Django's "Select %s to change" with our model name
    assert "assignment" not in text.split("<title>")[1].split("</title>")[0].lower()
    assignment = Assignment.objects.get()
    change = client.get(
        reverse("admin:courses_assignment_change", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for label in ("标识", "开放时间", "截止时间", "迟交扣分上限", "留空：立即开放。"):
        assert label in change, label
    assert "Late penalty cap" not in change and "Empty: open now." not in change
