"""The course home: chapters 1-2, each quiz and exercise with the student's standing, in a fixed number of queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Assignment
from grader.models import Exercise
from grader.services import submission_create
from grades.services import excusal_set, extension_grant

from web_helpers import grade_pending

CODE = "def softmax(x, axis=-1):\n    return x\n"


def _page(client, lang="en"):
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    return response.content.decode()


def _row(page, title):
    start = page.index(title)
    return page[start : page.index("</tr>", start)]


def test_a_visitor_sees_the_syllabus_and_a_login_link(client, sample_course):
    page = _page(client)
    assert 'href="/accounts/login/"' in page
    assert "Chapter 1" in page and "Chapter 2" in page
    assert Exercise.objects.get(slug="softmax").title_en in page
    assert "/exercises/" not in page  # nothing to open before logging in


def test_a_student_sees_every_chapter_with_links_and_not_started(as_user, alice):
    page = _page(as_user(alice))
    assert "Chapter 1" in page and "Chapter 2" in page
    for exercise in Exercise.objects.all():
        assert f'href="/exercises/{exercise.slug}/"' in page
        assert "Not started" in _row(page, exercise.title_en)


def test_pending_graded_late_extension_and_excused(as_user, alice, teacher):
    now = timezone.now()
    softmax = Assignment.objects.get(slug="softmax")
    softmax.due_at = now - timedelta(hours=12)  # one part of a day late
    softmax.late_penalty_per_day = 10
    softmax.save()
    grade_pending(submission_create(user=alice, exercise=softmax.exercise, code=CODE), "10")
    submission_create(user=alice, exercise=Exercise.objects.get(slug="attention"), code=CODE)
    layer_norm = Assignment.objects.get(slug="layer-norm")
    extension_grant(student=alice, assignment=layer_norm, actor=teacher, due_at=now + timedelta(days=7))
    excusal_set(student=alice, assignment=Assignment.objects.get(slug="ngram"), excused=True, actor=teacher)

    page = _page(as_user(alice))
    row = _row(page, softmax.exercise.title_en)
    # 10/10 on the exercise, scaled to the assignment's points, 10 % off for part of a day late.
    expected = softmax.points * 9 / 10
    assert f"{float(expected):g} / {float(softmax.points):g}" in row, row
    assert "late" in row
    assert (softmax.due_at.strftime("%Y-%m-%d %H:%M")) in row
    assert "Being graded" in _row(page, "Scaled dot-product attention")
    row = _row(page, layer_norm.exercise.title_en)
    assert "extension" in row and (now + timedelta(days=7)).strftime("%Y-%m-%d") in row
    assert "Excused" in _row(page, Exercise.objects.get(slug="ngram").title_en)


def test_home_in_chinese(as_user, alice):
    page = _page(as_user(alice), "zh")
    assert "第 1 章" in page and "未开始" in page
    assert Exercise.objects.get(slug="softmax").title_zh in page


def test_another_students_standing_is_not_shown(as_user, alice, bob):
    grade_pending(submission_create(user=bob, exercise=Exercise.objects.get(slug="softmax"), code=CODE), "10")
    page = _page(as_user(alice))
    assert "Not started" in _row(page, Exercise.objects.get(slug="softmax").title_en)


def test_a_student_of_another_course_sees_none_of_it(as_user, charlie, sample_course):
    page = _page(as_user(charlie))
    assert "/exercises/" not in page


def test_the_query_count_does_not_grow_with_grades(as_user, alice, teacher):
    client = as_user(alice)
    client.get("/")  # the session row and the like are warm
    with CaptureQueriesContext(connection) as before:
        _page(client)
    for slug in ("softmax", "attention", "perplexity", "layer-norm"):
        exercise = Exercise.objects.get(slug=slug)
        grade_pending(submission_create(user=alice, exercise=exercise, code=CODE), "5")
    extension_grant(student=alice, assignment=Assignment.objects.get(slug="ngram"), actor=teacher, extra_attempts=2)
    excusal_set(student=alice, assignment=Assignment.objects.get(slug="causal-mask"), excused=True, actor=teacher)
    with CaptureQueriesContext(connection) as after:
        _page(client)
    assert len(after) == len(before)
    # The session, its user, and course_home_for_user's six.
    assert len(after) == 8, [q["sql"] for q in after.captured_queries]


def test_a_published_quiz_of_no_chapter_is_listed_after_the_chapters(as_user, alice, sample_course, teacher):
    # An imported question bank makes its quiz with no chapter; published, the students must find it.
    from quizzes.importing import quiz_questions_import

    gift = "::q1::Softmax outputs sum to one.{T}\n"
    quiz_questions_import(course=sample_course, quiz_slug="week-3", text=gift, format="gift")
    assert "Other assignments" not in _page(as_user(alice))  # unpublished: nothing to show yet
    Assignment.objects.filter(slug="week-3").update(published=True)
    page = _page(as_user(alice))
    others = page[page.index("Other assignments") :]
    assert page.index("Chapter 2") < page.index("Other assignments")
    assert 'href="/quizzes/week-3/"' in others and "Not started" in others
    assert "其他作业" in _page(as_user(alice), lang="zh")
