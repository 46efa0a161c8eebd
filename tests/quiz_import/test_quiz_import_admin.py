"""The admin's "Import questions" page, for the course's instructor, its teaching
assistant, another course's instructor, a staff member who teaches nothing, a
student and a superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.models import Assignment, Course, Enrollment
from quizzes.admin_import import MAX_UPLOAD_BYTES
from quizzes.models import Question, Quiz
from tests.quiz_import.banks import BROKEN_GIFT, GIFT, MOODLE_XML

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/admin/quizzes/quiz/import/"


@pytest.fixture
def alpha():
    return Course.objects.create(slug="alpha", title_en="Alpha", title_zh="甲")


@pytest.fixture
def beta():
    return Course.objects.create(slug="beta", title_en="Beta", title_zh="乙")


def _member(username, course, role, *, staff=True):
    user = User.objects.create_user(username=username, is_staff=staff)
    if course is not None:
        Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def people(alpha, beta):
    return {
        "instructor": _member("alpha-teacher", alpha, Enrollment.Role.INSTRUCTOR),
        "ta": _member("alpha-ta", alpha, Enrollment.Role.TEACHING_ASSISTANT),
        "other_instructor": _member("beta-teacher", beta, Enrollment.Role.INSTRUCTOR),
        "student": _member("alpha-student", alpha, Enrollment.Role.STUDENT, staff=False),
        "idle_staff": _member("idle-staff", None, None),
    }


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _upload(name="bank.gift", text=GIFT):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/octet-stream")


def _post(client, course, *, quiz="week-1", name="bank.gift", text=GIFT, format=""):
    return client.post(URL, {"course": course.pk, "quiz": quiz, "format": format, "file": _upload(name, text)})


def test_the_url_is_the_one_the_quiz_changelist_links_to():
    assert reverse("quizzes_quiz_import") == URL



def test_the_form_is_laid_out_as_admin_s_forms(people):
    # admin's change forms load forms.css themselves; without it this page's labels ran into their fields.
    body = _as(people["instructor"]).get(URL).content.decode()
    assert "admin/css/forms.css" in body and '<fieldset class="module aligned">' in body


def test_the_only_course_one_teaches_is_chosen_already(people, alpha, django_user_model):
    page = _as(people["instructor"]).get(URL)
    assert f'<option value="{alpha.pk}" selected>' in page.content.decode()
    # With two courses to choose from, nothing is chosen for the user.
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert '<option value="" selected>' in _as(admin).get(URL).content.decode()

def test_the_course_s_instructor_imports_into_their_course(people, alpha, beta):
    client = _as(people["instructor"])
    page = client.get(URL)
    assert page.status_code == 200
    options = page.context["form"].fields["course"].queryset
    assert list(options) == [alpha]
    response = _post(client, alpha)
    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="week-1")
    assert quiz.course == alpha and quiz.questions.count() == 3
    shown = client.get(response["Location"])
    assert "3 questions imported into week-1 (3 new, 0 updated, 0 unchanged)" in shown.content.decode()
    points = Assignment.objects.get(quiz=quiz).points
    assert points == sum(question.points for question in quiz.questions.all())
    assert (
        f"week-1: its new assignment is worth {points.normalize():f} points, what its questions total. · "
        f"week-1：新建的作业分值为 {points.normalize():f} 分，即题目总分。"
    ) in shown.content.decode()


def test_moodle_xml_by_its_extension(people, alpha):
    response = _post(_as(people["instructor"]), alpha, quiz="xml", name="bank.xml", text=MOODLE_XML)
    assert response.status_code == 302
    assert set(Quiz.objects.get(slug="xml").questions.values_list("key", flat=True)) == {"two-right", "gaps"}


def test_another_course_s_instructor_cannot_import_into_it(people, alpha, beta):
    client = _as(people["other_instructor"])
    assert list(client.get(URL).context["form"].fields["course"].queryset) == [beta]
    response = _post(client, alpha)
    assert response.status_code == 200
    assert "course" in response.context["form"].errors
    assert not Quiz.objects.exists() and not Question.objects.exists()


def test_an_instructor_cannot_overwrite_another_course_s_quiz_through_its_slug(people, alpha, beta):
    assert _post(_as(people["instructor"]), alpha).status_code == 302
    response = _post(_as(people["other_instructor"]), beta, text=GIFT.replace("~2", "~3"))
    assert response.status_code == 400
    assert response.context["errors"] == ("the quiz slug 'week-1' is already used by another course",), response.context["errors"]
    assert Quiz.objects.get(slug="week-1").course == alpha
    assert "sqrt(d_k)" in Question.objects.get(key="scale").body["options"][0]["text"]["en"]


@pytest.mark.parametrize("who", ["ta", "idle_staff"])
def test_staff_who_do_not_teach_the_course_get_403(people, alpha, who):
    client = _as(people[who])
    assert client.get(URL).status_code == 403
    assert _post(client, alpha).status_code == 403
    assert not Quiz.objects.exists()


def test_a_student_is_sent_to_the_admin_login(people, alpha):
    client = _as(people["student"])
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert _post(client, alpha).status_code == 302
    assert not Quiz.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_admin_login(alpha):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_superuser_imports_into_any_course(alpha, beta):
    root = User.objects.create_superuser(username="root", password="root-pw")
    client = _as(root)
    assert set(client.get(URL).context["form"].fields["course"].queryset) == {alpha, beta}
    assert _post(client, beta).status_code == 302
    assert Quiz.objects.get(slug="week-1").course == beta


def test_a_file_with_an_error_imports_nothing_and_lists_the_line(people, alpha):
    response = _post(_as(people["instructor"]), alpha, text=BROKEN_GIFT)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "未导入任何题目" in body and "line 5" in body
    assert not Quiz.objects.exists()


def test_file_text_in_an_error_is_escaped(people, alpha):
    hostile = MOODLE_XML.replace('"multichoice">\n  <name><text>two right', '"essay">\n  <name><text>&lt;script&gt;x()&lt;/script&gt;')
    response = _post(_as(people["instructor"]), alpha, name="bank.xml", text=hostile)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>x()" not in body and "&lt;script&gt;x()" in body


def test_an_unknown_extension_asks_for_the_format(people, alpha):
    client = _as(people["instructor"])
    response = _post(client, alpha, name="bank.doc")
    assert response.status_code == 200 and "format" in response.context["form"].errors
    assert _post(client, alpha, name="bank.doc", format="gift").status_code == 302


def test_an_oversized_file_is_refused_by_the_form(people, alpha):
    response = _post(_as(people["instructor"]), alpha, text="x" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Quiz.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(people, alpha):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["instructor"])
    assert _post(client, alpha).status_code == 403
    assert not Quiz.objects.exists()
