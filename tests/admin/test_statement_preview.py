"""The statement preview in the exercise form: who may use it, what it answers, and that it stores nothing.

Two courses, alpha and beta, each with an exercise, an instructor and a
teaching assistant; a student of alpha, a staff member who teaches nothing,
a superuser, and anonymous.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from courses.models import Chapter, Course, Enrollment
from grader.admin_statement_preview import STATEMENT_PREVIEW_MAX_CHARS
from grader.models import Exercise

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_URL = reverse("admin:grader_exercise_statement_preview")
SOFTMAX = r"The $i$-th output is $\mathrm{softmax}(x)_i$:" + "\n\n$$\\frac{e^{x_i}}{\\sum_j e^{x_j}}$$\n"
HOSTILE = '<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)"> <a href="javascript:alert(3)">go</a>'


@dataclass
class Side:
    exercise: Exercise
    teacher: User
    ta: User
    student: User


def _side(name: str) -> Side:
    course = Course.objects.create(slug=f"{name}-course", title_en=name, title_zh=name)
    chapter = Chapter.objects.create(course=course, number=1, title_en=name, title_zh=name)
    exercise = Exercise.objects.create(
        slug=f"{name}-exercise", chapter=chapter, title_en=name, title_zh=name,
        statement_zh=f"{name} 题目：计算 $\\mathrm{{softmax}}(x)_i$。", statement_en=f"{name} statement: **bold**",
        reference_solution="def softmax(x):\n    return x\n", required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    people = {}
    for role, suffix in (
        (Enrollment.Role.INSTRUCTOR, "teacher"),
        (Enrollment.Role.TEACHING_ASSISTANT, "ta"),
        (Enrollment.Role.STUDENT, "student"),
    ):
        user = User.objects.create_user(username=f"{name}-{suffix}", is_staff=role != Enrollment.Role.STUDENT)
        Enrollment.objects.create(user=user, course=course, role=role)
        people[suffix] = user
    return Side(exercise, people["teacher"], people["ta"], people["student"])


@pytest.fixture
def alpha():
    return _side("alpha")


@pytest.fixture
def beta():
    return _side("beta")


def _saved_url(exercise):
    return reverse("admin:grader_exercise_statement_preview_saved", args=[exercise.pk])


def _as(client, user):
    client.force_login(user)
    return client


# --- who may preview --------------------------------------------------------------


def test_the_instructor_previews_a_new_and_their_own_exercise(client, alpha, beta):
    _as(client, alpha.teacher)
    for url in (NEW_URL, _saved_url(alpha.exercise)):
        response = client.post(url, {"statement_en": "**Hello**", "statement_zh": "你好 $x_i$"})
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "statement_en": "<p><strong>Hello</strong></p>",
            "statement_zh": '<p>你好 <code class="math">x_i</code></p>',
        }


def test_the_preview_stores_nothing(client, alpha, beta):
    before = Exercise.objects.filter(pk=alpha.exercise.pk).values().get()
    count = Exercise.objects.count()
    _as(client, alpha.teacher).post(_saved_url(alpha.exercise), {"statement_en": "Changed", "statement_zh": "改了"})
    _as(client, alpha.teacher).post(NEW_URL, {"statement_en": "New"})
    assert Exercise.objects.filter(pk=alpha.exercise.pk).values().get() == before
    assert Exercise.objects.count() == count


def test_the_ta_previews_the_exercise_they_read_but_not_a_new_one(client, alpha, beta):
    # A TA's form is read-only: they may render what they can see, and add no exercise.
    _as(client, alpha.ta)
    assert client.post(_saved_url(alpha.exercise), {"statement_en": "*x*"}).json() == {"statement_en": "<p><em>x</em></p>"}
    assert client.post(NEW_URL, {"statement_en": "*x*"}).status_code == 403


def test_another_course_s_staff_find_no_exercise_to_preview(client, alpha, beta):
    for user in (beta.teacher, beta.ta):
        response = _as(client, user).post(_saved_url(alpha.exercise), {"statement_en": "x"})
        assert response.status_code == 404, user.username
        assert "alpha" not in response.content.decode()
    # Their own course's new exercise is theirs to preview (the instructor's; the TA adds none).
    assert _as(client, beta.teacher).post(NEW_URL, {"statement_en": "x"}).status_code == 200


def test_a_staff_member_who_teaches_nothing_may_not_preview(client, alpha):
    clerk = User.objects.create_user(username="clerk", is_staff=True)
    _as(client, clerk)
    assert client.post(NEW_URL, {"statement_en": "x"}).status_code == 403
    assert client.post(_saved_url(alpha.exercise), {"statement_en": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["student", "anonymous"])
def test_a_student_or_anonymous_is_sent_to_the_admin_login(client, alpha, who):
    if who == "student":
        _as(client, alpha.student)
    for url in (NEW_URL, _saved_url(alpha.exercise)):
        response = client.post(url, {"statement_en": "x"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_previews_any_exercise(admin_client, alpha, beta):
    for url in (NEW_URL, _saved_url(alpha.exercise), _saved_url(beta.exercise)):
        assert admin_client.post(url, {"statement_en": "x"}).json() == {"statement_en": "<p>x</p>"}, url


def test_the_preview_needs_the_form_s_csrf_token(alpha):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alpha.teacher)
    assert client.post(NEW_URL, {"statement_en": "x"}).status_code == 403
    page = client.get(reverse("admin:grader_exercise_add"))
    token = page.context["csrf_token"]
    assert client.post(NEW_URL, {"statement_en": "x", "csrfmiddlewaretoken": token}).status_code == 200


# --- what it answers --------------------------------------------------------------


def test_the_preview_is_the_students_page_s_rendering(client, alpha):
    from web.views import statement_html

    response = _as(client, alpha.teacher).post(NEW_URL, {"statement_en": SOFTMAX})
    assert response.json()["statement_en"] == statement_html(SOFTMAX)
    assert r'<code class="math">\mathrm{softmax}(x)_i</code>' in response.json()["statement_en"]
    assert '<pre class="math">' in response.json()["statement_en"]


def test_script_and_event_handlers_come_back_inert(client, alpha):
    html = _as(client, alpha.teacher).post(NEW_URL, {"statement_zh": HOSTILE}).json()["statement_zh"]
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "javascript:" not in html
    assert "<img" in html and ">go</a>" in html  # the harmless rest is kept


def test_a_get_is_refused(client, alpha):
    assert _as(client, alpha.teacher).get(NEW_URL).status_code == 405


@pytest.mark.parametrize(
    "data",
    [{}, {"title_en": "x"}, {"statement_en": ["one", "two"]}],
    ids=["nothing", "no statement", "a statement twice"],
)
def test_bad_input_is_a_clear_400(client, alpha, data):
    response = _as(client, alpha.teacher).post(_saved_url(alpha.exercise), data)
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_statement_over_the_cap_is_refused_with_413(client, alpha):
    _as(client, alpha.teacher)
    assert client.post(NEW_URL, {"statement_en": "x" * STATEMENT_PREVIEW_MAX_CHARS}).status_code == 200
    response = client.post(NEW_URL, {"statement_zh": "短", "statement_en": "x" * (STATEMENT_PREVIEW_MAX_CHARS + 1)})
    assert response.status_code == 413
    assert "100,000 characters" in response.json()["error"]


def test_errors_are_in_the_instructor_s_language(client, alpha):
    response = _as(client, alpha.teacher).post(NEW_URL, {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["error"] == "没有可预览的内容：请发送 statement_zh 或 statement_en。"


# --- the form that holds it -------------------------------------------------------


def _assert_preview_on(page: str, url: str):
    assert '<div class="statement-preview"' in page
    assert f'data-preview-url="{url}"' in page
    assert 'data-preview-of="statement_zh"' in page and 'data-preview-of="statement_en"' in page
    for script in ("web/vendor/katex/katex.min.js", "web/math.js", "grader/statement_preview.js"):
        assert f'<script src="/static/{script}"></script>' in page, script
    for sheet in ("web/vendor/katex/katex.min.css", "grader/statement_preview.css"):
        assert f'href="/static/{sheet}"' in page, sheet
    assert "<style" not in page and " style=" not in page and "<script>" not in page


def test_the_add_form_holds_the_preview_and_its_script(client, alpha):
    page = _as(client, alpha.teacher).get(reverse("admin:grader_exercise_add")).content.decode()
    _assert_preview_on(page, NEW_URL)
    assert "Preview, as students will see it" in page


def test_the_change_form_shows_the_stored_statements_rendered(client, alpha):
    page = _as(client, alpha.teacher).get(reverse("admin:grader_exercise_change", args=[alpha.exercise.pk]))
    page = page.content.decode()
    _assert_preview_on(page, _saved_url(alpha.exercise))
    assert "alpha statement: <strong>bold</strong>" in page
    assert r'<code class="math">\mathrm{softmax}(x)_i</code>' in page


def test_the_ta_s_read_only_form_shows_the_stored_statements_rendered(client, alpha):
    page = _as(client, alpha.ta).get(reverse("admin:grader_exercise_change", args=[alpha.exercise.pk]))
    page = page.content.decode()
    assert 'name="_save"' not in page  # read-only
    _assert_preview_on(page, _saved_url(alpha.exercise))
    assert "alpha statement: <strong>bold</strong>" in page


def test_a_form_sent_back_with_errors_previews_what_was_typed(client, alpha):
    data = {"slug": "", "chapter": alpha.exercise.chapter_id, "statement_en": "Typed *here*", "statement_zh": "输入"}
    page = _as(client, alpha.teacher).post(reverse("admin:grader_exercise_add"), data)
    assert page.status_code == 200  # the form again, with its errors
    assert "Typed <em>here</em>" in page.content.decode()


def test_the_preview_s_labels_are_in_chinese_for_a_chinese_interface(client, alpha):
    page = _as(client, alpha.teacher).get(reverse("admin:grader_exercise_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = page.content.decode()
    assert "预览（学生所见）" in page
    assert "中文题目" in page and "英文题目" in page
    assert "与学生页面一致" in page
