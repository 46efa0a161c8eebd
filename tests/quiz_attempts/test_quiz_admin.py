"""Authoring quizzes in admin: per-type question fields validated by Question.clean(), scoped to the course.

Personas: the course's instructor, another course's instructor, the course's
teaching assistant, a student, a superuser.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses.models import Chapter, Course, Enrollment
from quizzes.models import Question, Quiz, QuizAttempt
from quizzes.services import quiz_attempt_start, quiz_attempt_submit

pytestmark = pytest.mark.django_db

User = get_user_model()


def _staff(username, course, role):
    user = User.objects.create_user(username=username, is_staff=True)
    Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def teacher(course):
    return _staff("teacher", course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def other_teacher(db):
    other = Course.objects.create(slug="beta-course", title_en="Beta", title_zh="贝塔")
    Chapter.objects.create(course=other, number=1, title_en="Beta one", title_zh="贝塔一")
    Quiz.objects.create(course=other, slug="beta-quiz", title_en="Beta quiz", title_zh="贝塔测验")
    return _staff("beta-teacher", other, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def ta(course):
    return _staff("ta", course, Enrollment.Role.TEACHING_ASSISTANT)


def _question(n=0, **changes):
    data = {
        "position": n, "key": f"q-{n}", "type": "single_choice", "section": "1.1.1", "points": "2",
        "prompt_zh": "哪一个？", "prompt_en": "Which one?", "explanation_zh": "见 1.1.1。", "explanation_en": "See 1.1.1.",
        "options_text": "* a | 甲 | A\n  b | 乙 | B", "answer_bool": "", "answer_number": "", "abs_tol": "",
        "rel_tol": "", "generator": "", "accepted_text": "", "body": "{}",
    }  # fmt: skip
    data.update(changes)
    return data


def _quiz_form(course, chapter, questions, *, slug="new-quiz", existing=()):
    data = {
        "slug": slug, "course": course.pk, "chapter": chapter.pk, "title_zh": "新测验", "title_en": "New quiz",
        "answers_shown": "after_submit", "questions-TOTAL_FORMS": len(questions), "questions-INITIAL_FORMS": len(existing),
        "questions-MIN_NUM_FORMS": 0, "questions-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for index, question in enumerate(questions):
        if index < len(existing):
            data[f"questions-{index}-id"] = existing[index]
        data.update({f"questions-{index}-{name}": value for name, value in question.items()})
    return data


def test_the_instructor_writes_a_quiz_with_each_type_s_own_fields(client, teacher, course, quiz):
    client.force_login(teacher)
    questions = [
        _question(0),
        _question(1, type="multiple_choice", options_text="* a | 甲 | A\n* b | 乙 | B\nc | 丙 | C"),
        _question(2, type="true_false", options_text="", answer_bool="false"),
        _question(3, type="numeric", options_text="", answer_number="0.125", abs_tol="0.005"),
        _question(4, type="short_answer", options_text="", accepted_text="ReLU\n修正线性单元"),
        _question(5, type="parameterised_numeric", options_text="", generator="scaled_score", abs_tol="0.01",
                  prompt_zh="$score 除以 √$d_k", prompt_en="$score over √$d_k"),
    ]  # fmt: skip
    response = client.post(reverse("admin:quizzes_quiz_add"), _quiz_form(course, quiz.chapter, questions))

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    created = Quiz.objects.get(slug="new-quiz")
    bodies = {q.type: q.body for q in created.questions.all()}
    assert bodies["single_choice"]["options"][0] == {"key": "a", "text": {"zh": "甲", "en": "A"}, "correct": True,
                                                      "weight": None}  # fmt: skip
    assert bodies["true_false"] == {"answer_bool": False}
    assert bodies["numeric"] == {"answer_number": 0.125, "abs_tol": 0.005}
    assert bodies["short_answer"] == {"accepted": ["ReLU", "修正线性单元"]}
    assert bodies["parameterised_numeric"] == {"generator": "scaled_score", "abs_tol": 0.01}
    for question in created.questions.all():
        question.full_clean()


def test_the_change_page_shows_zh_and_en_side_by_side_and_the_fields_filled(client, teacher, quiz):
    client.force_login(teacher)
    html = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "Prompt (Chinese) · 中文题干" in html and "Prompt (English) · 英文题干" in html
    assert "field-prompt_zh" in html and "fieldBox" in html  # one row, two boxes
    assert "* a | 选项a | option a" in html  # the single-choice question's options, as edited


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"options_text": "* a | 甲 | A\n* b | 乙 | B"}, "single_choice"),  # two right options on single choice
        ({"options_text": "a only one column"}, "Line 1"),
        ({"body": "[1, 2]"}, "JSON object"),
        ({"body": "{not json"}, "JSON"),
        ({"type": "true_false", "options_text": ""}, "answer_bool"),
        ({"prompt_en": ""}, "This field is required"),
        ({"type": "parameterised_numeric", "options_text": "", "generator": "scaled_score", "prompt_en": "$nope"}, "nope"),
    ],
)
def test_an_invalid_question_is_refused_with_its_reason_and_nothing_saved(client, teacher, course, quiz, changes, message):
    client.force_login(teacher)
    response = client.post(reverse("admin:quizzes_quiz_add"), _quiz_form(course, quiz.chapter, [_question(**changes)]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Quiz.objects.filter(slug="new-quiz").exists()


def test_editing_a_question_keeps_what_the_json_box_holds(client, teacher, course, quiz):
    question = Question.objects.get(quiz=quiz, key="numeric")
    client.force_login(teacher)
    existing = list(quiz.questions.order_by("position", "id").values_list("pk", flat=True))
    page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    formset = page.context["inline_admin_formsets"][0].formset
    questions = []
    for form in formset.forms:
        values = {name: form[name].value() for name in _question() if name in form.fields}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        values["body"] = form["body"].value()
        if form.instance.pk == question.pk:
            values["answer_number"] = "15"
        questions.append(values)
    response = client.post(
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        _quiz_form(course, quiz.chapter, questions, slug=quiz.slug, existing=existing),
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    question.refresh_from_db()
    assert question.body == {"answer_number": 15.0, "abs_tol": 0.01}
    # the imported types kept their JSON-only fields
    assert Question.objects.get(quiz=quiz, key="match").body["pairs"][0]["key"] == "1"


def test_another_course_s_instructor_finds_nothing(client, other_teacher, quiz):
    client.force_login(other_teacher)
    listed = client.get(reverse("admin:quizzes_quiz_changelist"))
    assert [q.slug for q in listed.context["cl"].result_list] == ["beta-quiz"]
    html = listed.content.decode()
    # neither the quiz nor its course (in the course filter) is named
    assert "quiz-one" not in html and "测验课" not in html and "Beta · 贝塔" in html
    response = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    before = Quiz.objects.filter(pk=quiz.pk).values().get()
    client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), {"title_en": "Hijacked"})
    assert Quiz.objects.filter(pk=quiz.pk).values().get() == before


def test_a_quiz_cannot_be_put_in_another_course_s_chapter(client, teacher, other_teacher, course, quiz):
    beta_chapter = Chapter.objects.get(course__slug="beta-course")
    client.force_login(teacher)
    form = _quiz_form(course, beta_chapter, [_question()])
    response = client.post(reverse("admin:quizzes_quiz_add"), form)
    assert response.status_code == 200 and not Quiz.objects.filter(slug="new-quiz").exists()
    form["course"] = beta_chapter.course_id
    response = client.post(reverse("admin:quizzes_quiz_add"), form)
    assert response.status_code == 200 and not Quiz.objects.filter(slug="new-quiz").exists()


def test_the_teaching_assistant_reads_the_quizzes_and_changes_nothing(client, ta, quiz):
    client.force_login(ta)
    listed = client.get(reverse("admin:quizzes_quiz_changelist")).context["cl"].result_list
    assert [q.pk for q in listed] == [quiz.pk]
    page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), {"title_en": "x"}).status_code == 403
    assert client.get(reverse("admin:quizzes_quiz_add")).status_code == 403
    assert client.post(reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}).status_code == 403
    assert Quiz.objects.get(pk=quiz.pk).title_en == "Quiz one"


def test_a_student_is_sent_to_the_admin_login(client, alice, quiz):
    client.force_login(alice)
    response = client.get(reverse("admin:quizzes_quiz_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_attempts_are_read_only_records_for_the_course_s_instructor(client, teacher, other_teacher, alice, quiz,
                                                                     assignment):  # fmt: skip
    attempt = quiz_attempt_start(user=alice, quiz=quiz)
    quiz_attempt_submit(user=alice, attempt_id=attempt.pk, responses={"single": "a"})
    client.force_login(teacher)
    page = client.get(reverse("admin:quizzes_quizattempt_change", args=[attempt.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:quizzes_quizattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 403
    client.force_login(other_teacher)
    assert not client.get(reverse("admin:quizzes_quizattempt_changelist")).context["cl"].result_list
    assert QuizAttempt.objects.filter(pk=attempt.pk).exists()


def test_the_teaching_assistant_reads_the_course_s_attempts_and_changes_none(client, ta, other_teacher, alice, quiz,
                                                                              assignment):  # fmt: skip
    attempt = quiz_attempt_start(user=alice, quiz=quiz)
    quiz_attempt_submit(user=alice, attempt_id=attempt.pk, responses={"single": "a"})
    client.force_login(ta)
    assert [a.pk for a in client.get(reverse("admin:quizzes_quizattempt_changelist")).context["cl"].result_list] == [
        attempt.pk
    ]
    page = client.get(reverse("admin:quizzes_quizattempt_change", args=[attempt.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:quizzes_quizattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 403
    # The other course's instructor (alone in that course) finds none of it by list or URL.
    client.force_login(other_teacher)
    assert not client.get(reverse("admin:quizzes_quizattempt_changelist")).context["cl"].result_list
    response = client.get(reverse("admin:quizzes_quizattempt_change", args=[attempt.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert QuizAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_superuser_sees_every_course_s_quizzes(admin_client, other_teacher, quiz):
    listed = admin_client.get(reverse("admin:quizzes_quiz_changelist")).context["cl"].result_list
    assert {q.slug for q in listed} == {"quiz-one", "beta-quiz"}
