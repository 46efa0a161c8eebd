"""The quiz pages through Django's test client: the owner, a classmate, a stranger, anonymous; bad input;
the window; when answers are shown; escaping; both languages; constant query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Assignment, Extension
from grades.models import Grade
from quizzes.models import Question, Quiz, QuizAttempt
from quizzes.parameterised import draw

from quiz_attempt_helpers import ITEMS, question_create, right_responses
from quiz_items import parameterised, single

pytestmark = pytest.mark.django_db

DETAIL = "/quizzes/quiz-one/"


def _form(responses):
    """The POST body a browser sends for `responses` (see quizzes.presentation)."""
    data = {}
    for key, value in responses.items():
        if isinstance(value, dict):
            data.update({f"q-{key}-{part}": chosen for part, chosen in value.items()})
        else:
            data[f"q-{key}"] = value
    return data


def _start(client, user):
    client.force_login(user)
    response = client.post(reverse("quiz-start", args=["quiz-one"]))
    assert response.status_code == 302 and response["Location"].startswith(DETAIL)
    return QuizAttempt.objects.get(user=user, submitted_at__isnull=True)


def _submit(client, attempt, responses):
    return client.post(reverse("quiz-submit", args=["quiz-one", attempt.pk]), _form(responses))


def test_it_works_start_answer_submit_and_see_the_score(client, alice, assignment):
    client.force_login(alice)
    page = client.get(DETAIL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quiz one" in html and "Start the quiz" in html and 'name="csrfmiddlewaretoken"' in html

    attempt = _start(client, alice)
    html = client.get(DETAIL).content.decode()
    # every type has labelled controls: legends for groups, labels for inputs
    for item in ITEMS:
        assert f'id="question-{item.id}"' in html
    assert '<label for="q-single-a">option a</label>' in html
    assert '<label for="q-numeric">Your answer</label>' in html
    assert '<label for="q-match-1">cat</label>' in html and '<label for="q-cloze-2">(2)</label>' in html
    drawn = draw(parameterised(), attempt.seed).values
    assert f"Scores {drawn['s1']}, {drawn['s2']}, d_k = {drawn['d_k']}." in html

    response = _submit(client, attempt, right_responses(attempt.seed))
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz-attempt", args=["quiz-one", attempt.pk])
    result = client.get(response["Location"]).content.decode()
    assert "Score: 11 / 11" in result and "Correct" in result
    assert "Right answer:" in result and "See 2.3.1." in result and "section 2.3.1" in result
    assert Grade.objects.get(user=alice).score == 10


def test_the_detail_page_shows_due_date_late_penalty_and_attempts_left(client, alice, assignment):
    due = timezone.now() + timedelta(days=2)
    Assignment.objects.filter(pk=assignment.pk).update(
        due_at=due, late_penalty_per_day=10, late_penalty_cap=50, attempt_limit=3
    )
    client.force_login(alice)
    html = client.get(DETAIL).content.decode()
    assert due.strftime("%Y-%m-%d %H:%M") in html
    assert "10% per day or part of a day late, at most 50%" in html
    assert "0 of 3 used, 3 left" in html


def test_in_chinese_the_interface_and_the_content_are_chinese(client, alice, assignment):
    attempt = _start(client, alice)
    html = client.get(DETAIL + "?lang=zh").content.decode()
    assert "测验一" in html and "哪一个？" in html and "提交答案" in html and "选项a" in html
    _submit(client, attempt, {"single": "b"})
    result = client.get(reverse("quiz-attempt", args=["quiz-one", attempt.pk]) + "?lang=zh").content.decode()
    assert "得分：0 / 11" in result and "错误" in result and "见 2.3.1。" in result and "第 2.3.1 节" in result


def test_a_classmate_never_sees_another_s_attempt(client, alice, bob, assignment):
    attempt = _start(client, alice)
    _submit(client, attempt, {"single": "a"})
    client.force_login(bob)
    assert client.get(reverse("quiz-attempt", args=["quiz-one", attempt.pk])).status_code == 404
    assert client.post(reverse("quiz-submit", args=["quiz-one", attempt.pk]), {"q-single": "b"}).status_code == 404
    # bob's own quiz page lists only bob's attempts
    html = client.get(DETAIL).content.decode()
    assert reverse("quiz-attempt", args=["quiz-one", attempt.pk]) not in html
    assert QuizAttempt.objects.get(pk=attempt.pk).responses == {"single": "a"}


def test_an_attempt_in_progress_of_a_classmate_cannot_be_submitted(client, alice, bob, assignment):
    attempt = _start(client, alice)
    client.force_login(bob)
    assert _submit(client, attempt, {"single": "a"}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_a_stranger_gets_404_everywhere(client, alice, stranger, assignment):
    attempt = _start(client, alice)
    client.force_login(stranger)
    assert client.get(DETAIL).status_code == 404
    assert client.post(reverse("quiz-start", args=["quiz-one"])).status_code == 404
    assert client.get(reverse("quiz-attempt", args=["quiz-one", attempt.pk])).status_code == 404
    assert _submit(client, attempt, {"single": "a"}).status_code == 404
    assert not QuizAttempt.objects.filter(user=stranger).exists()


def test_anonymous_is_sent_to_log_in(client, assignment):
    for url in (DETAIL, reverse("quiz-attempt", args=["quiz-one", 1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"
    response = client.post(reverse("quiz-start", args=["quiz-one"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not QuizAttempt.objects.exists()


def test_an_unpublished_quiz_is_404_for_students_and_open_to_its_instructor(client, alice, teacher, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(published=False)
    client.force_login(alice)
    assert client.get(DETAIL).status_code == 404
    assert client.post(reverse("quiz-start", args=["quiz-one"])).status_code == 404
    client.force_login(teacher)
    assert client.get(DETAIL).status_code == 200


def test_unknown_slugs_and_ids_are_404(client, alice, assignment):
    client.force_login(alice)
    assert client.get("/quizzes/no-such-quiz/").status_code == 404
    assert client.get(reverse("quiz-attempt", args=["quiz-one", 999999])).status_code == 404


def test_a_quiz_without_an_assignment_is_404(client, alice, quiz):
    client.force_login(alice)
    assert client.get(DETAIL).status_code == 404


def test_submitting_needs_post_and_csrf(alice, assignment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("quiz-start", args=["quiz-one"])).status_code == 403
    assert not QuizAttempt.objects.exists()
    assert client.get(reverse("quiz-start", args=["quiz-one"])).status_code == 405


@pytest.mark.parametrize("data", [{"q-single": "z"}, {"q-tf": "maybe"}, {"q-match-1": "9"}, {"q-short": "x" * 1001},
                                  {"q-multiple": ["a", "zzz"]}])
def test_a_forged_answer_is_a_400_with_a_clear_message_and_nothing_is_stored(client, alice, assignment, data):
    attempt = _start(client, alice)
    response = client.post(reverse("quiz-submit", args=["quiz-one", attempt.pk]), data)
    assert response.status_code == 400
    assert "could not have come from this quiz" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.responses == {} and not Grade.objects.exists()


def test_a_nul_character_in_an_answer_is_refused(client, alice, assignment):
    attempt = _start(client, alice)
    response = client.post(reverse("quiz-submit", args=["quiz-one", attempt.pk]), {"q-short": "a\x00b"})
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_a_double_submit_keeps_the_first(client, alice, assignment):
    attempt = _start(client, alice)
    _submit(client, attempt, {"single": "a"})
    again = _submit(client, attempt, {"single": "b"})
    assert again.status_code == 302
    attempt.refresh_from_db()
    assert attempt.responses == {"single": "a"} and QuizAttempt.objects.count() == 1


def test_a_closed_quiz_refuses_in_both_languages_and_offers_no_form(client, alice, assignment):
    attempt = _start(client, alice)
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    response = _submit(client, attempt, {"short": "my answer"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quiz &#x27;quiz-one&#x27; is closed" in html and "Submit answers" not in html
    response = client.post(reverse("quiz-submit", args=["quiz-one", attempt.pk]) + "?lang=zh", {"q-short": "x"})
    assert "已关闭" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert "not open for attempts now" in client.get(DETAIL).content.decode()


def test_not_open_yet_is_refused(client, alice, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=timezone.now() + timedelta(days=1))
    client.force_login(alice)
    response = client.post(reverse("quiz-start", args=["quiz-one"]))
    assert response.status_code == 409 and "opens at" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_the_attempt_limit_is_shown_and_enforced_an_extension_adds_attempts(client, alice, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(attempt_limit=1)
    attempt = _start(client, alice)
    _submit(client, attempt, {"single": "a"})
    html = client.get(DETAIL).content.decode()
    assert "1 of 1 used, 0 left" in html and "used all your attempts" in html
    response = client.post(reverse("quiz-start", args=["quiz-one"]))
    assert response.status_code == 409 and "You have used all 1 attempts" in response.content.decode()
    assert QuizAttempt.objects.count() == 1

    Extension.objects.create(assignment=assignment, user=alice, extra_attempts=1)
    assert "1 of 2 used, 1 left" in client.get(DETAIL).content.decode()
    _start(client, alice)


def test_answers_after_close_are_hidden_until_everyone_s_close(client, alice, bob, quiz, assignment):
    Quiz.objects.filter(pk=quiz.pk).update(answers_shown=Quiz.AnswersShown.AFTER_CLOSE)
    attempt = _start(client, alice)
    _submit(client, attempt, {"single": "b"})
    url = reverse("quiz-attempt", args=["quiz-one", attempt.pk])

    html = client.get(url).content.decode()
    assert "Incorrect" in html and "shown after the quiz closes" in html
    assert "Right answer:" not in html and "See 2.3.1." not in html

    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    Extension.objects.create(assignment=assignment, user=bob, closes_at=timezone.now() + timedelta(hours=1))
    assert "See 2.3.1." not in client.get(url).content.decode()  # bob may still answer

    Extension.objects.filter(user=bob).update(closes_at=timezone.now() - timedelta(seconds=1))
    html = client.get(url).content.decode()
    assert "Right answer:" in html and "See 2.3.1." in html


def test_content_and_answers_are_escaped(client, alice, quiz, assignment):
    Question.objects.filter(key="single").update(prompt_en="<script>alert(1)</script> {{ x }}")
    attempt = _start(client, alice)
    html = client.get(DETAIL).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; {{ x }}" in html
    _submit(client, attempt, {"short": "<img src=x onerror=alert(1)>"})
    result = client.get(reverse("quiz-attempt", args=["quiz-one", attempt.pk])).content.decode()
    assert "<img src=x" not in result and "&lt;img src=x onerror=alert(1)&gt;" in result


def test_an_in_progress_attempt_s_page_leads_back_to_the_form(client, alice, assignment):
    attempt = _start(client, alice)
    response = client.get(reverse("quiz-attempt", args=["quiz-one", attempt.pk]))
    assert response.status_code == 302 and response["Location"] == DETAIL + "#questions"


def _more_questions(quiz, count):
    for n in range(count):
        question_create(quiz, single(id=f"extra-{n}"), 100 + n)


def test_the_quiz_page_s_query_count_does_not_grow(client, alice, quiz, assignment, django_assert_num_queries):
    attempt = _start(client, alice)
    _submit(client, attempt, {"single": "a"})
    _start(client, alice)
    # Seven: the grade and its history (one query, joined) joined the page's six.
    with django_assert_num_queries(7):
        assert client.get(DETAIL).status_code == 200
    _more_questions(quiz, 10)
    for _ in range(3):
        done = QuizAttempt.objects.get(user=alice, submitted_at__isnull=True)
        _submit(client, done, {})
        _start(client, alice)
    with django_assert_num_queries(7):
        assert client.get(DETAIL).status_code == 200


def test_the_result_page_s_query_count_does_not_grow(client, alice, quiz, assignment, django_assert_num_queries):
    Quiz.objects.filter(pk=quiz.pk).update(answers_shown=Quiz.AnswersShown.AFTER_CLOSE)
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=timezone.now() + timedelta(days=1))
    attempt = _start(client, alice)
    _submit(client, attempt, right_responses(attempt.seed))
    url = reverse("quiz-attempt", args=["quiz-one", attempt.pk])
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    _more_questions(quiz, 10)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def _grade_history(html):
    """The quiz page's grade history rows, newest first: (cause, the cells' text)."""
    import re

    section = html.split('id="grade-history"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr class="grade-change cause-([a-z_]+)">(.*?)</tr>', section, re.S)
    return [(cause, [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]) for cause, row in rows]


def test_the_quiz_page_shows_the_grade_and_how_it_changed(client, alice, bob, teacher, assignment):
    from decimal import Decimal

    from grades.services import grade_override

    attempt = _start(client, alice)
    _submit(client, attempt, right_responses(attempt.seed))
    html = client.get(DETAIL + "?lang=en").content.decode()
    assert "Your grade" in html and "10 / 10" in html
    assert [(cause, cells[1:]) for cause, cells in _grade_history(html)] == [
        ("graded", ["Your work was graded", "—", "10", "—"])
    ]
    grade_override(student=alice, assignment=assignment, score=Decimal("7.5"), actor=teacher, reason="question 4 was ambiguous <b>")
    html = client.get(DETAIL + "?lang=en").content.decode()
    assert "7.50 / 10" in html
    cause, cells = _grade_history(html)[0]
    # The reason as the instructor wrote it, escaped: text, never markup.
    assert (cause, cells[1:]) == ("override", ["Set by an instructor", "10", "7.50", "question 4 was ambiguous &lt;b&gt;"])
    assert "teacher" not in html
    assert "<h3 id=\"grade-history-heading\">Grade history</h3>" in html
    zh = client.get(DETAIL + "?lang=zh").content.decode()
    assert "成绩变动记录" in zh and "教师调整了成绩" in zh and "你的作业已评分" in zh
    # Her classmate's page: his own standing, none of hers.
    client.force_login(bob)
    html = client.get(DETAIL + "?lang=en").content.decode()
    assert _grade_history(html) == [] and "ambiguous" not in html and "Not started" in html


def test_the_course_staff_see_no_student_s_history_on_the_students_page(client, alice, teacher, ta, assignment):
    # Anonymous visitors and other courses' people are covered above (login, 404).
    attempt = _start(client, alice)
    _submit(client, attempt, right_responses(attempt.seed))
    for person in (teacher, ta):
        client.force_login(person)
        html = client.get(DETAIL + "?lang=en").content.decode()
        assert _grade_history(html) == [] and "10 / 10" not in html
