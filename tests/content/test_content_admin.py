"""Admin pages: they load for staff, refuse everyone else, and don't query per row."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise, Submission
from grader.models import GradingRun
from grader.models import TestResult as ResultRow  # a "Test*" name would be collected by pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def student(django_user_model):
    return django_user_model.objects.create_user(username="alice")


def _submit(user, exercise, *, score):
    submission = Submission.objects.create(
        user=user,
        exercise=exercise,
        code="def softmax(x, axis=-1):\n    return x  # <b>not bold</b>\n",
        code_sha256="0" * 64,
        status=Submission.Status.GRADED,
        score=score,
        max_score=Decimal("10"),
        feedback_en="Check the axis.",
        feedback_zh="检查轴。",
    )
    run = GradingRun.objects.create(
        submission=submission, seed=submission.seed, suite_version="test", status="graded", score=score,
        max_score=Decimal("10"), operator_detail="child exited with status 0",
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(current_run=run)
    submission.current_run = run
    for position, passed in enumerate([True, False]):
        ResultRow.objects.create(
            run=run,
            position=position,
            name_en=f"test {position}",
            hidden=bool(position),
            passed=passed,
            points=Decimal("5") if passed else Decimal("0"),
            max_points=Decimal("5"),
            message_en="" if passed else "values off",
            mistake="" if passed else "wrong_axis",
        )
    return submission


@pytest.fixture
def submission(course, student):
    Enrollment.objects.create(user=student, course=course)
    return _submit(student, Exercise.objects.get(slug="softmax"), score=Decimal("5"))


def _pages(course, submission):
    exercise = submission.exercise
    enrollment = Enrollment.objects.get()
    return [
        reverse("admin:grader_exercise_changelist"),
        reverse("admin:grader_exercise_change", args=[exercise.pk]),
        reverse("admin:grader_exercise_add"),
        reverse("admin:grader_submission_changelist"),
        reverse("admin:grader_submission_change", args=[submission.pk]),
        reverse("admin:courses_course_changelist"),
        reverse("admin:courses_course_change", args=[course.pk]),
        reverse("admin:courses_enrollment_changelist"),
        reverse("admin:courses_enrollment_change", args=[enrollment.pk]),
    ]


def test_admin_pages_load_for_a_superuser(admin_client, course, submission):
    for url in _pages(course, submission):
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_admin_pages_refuse_a_student(client, student, course, submission):
    client.force_login(student)
    for url in _pages(course, submission):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_exercise_page_shows_bilingual_fieldsets(admin_client, course):
    exercise = Exercise.objects.get(slug="attention")
    page = admin_client.get(reverse("admin:grader_exercise_change", args=[exercise.pk])).content.decode()
    for heading in ("Identity · 基本信息", "Statement · 题目", "Code · 代码", "Checks · 评分检查",
                    "Points and limits · 分值与限制"):
        assert heading in page
    assert "Reference solution · 参考答案" in page


def test_submission_page_is_read_only_and_escapes_the_code(admin_client, submission):
    response = admin_client.get(reverse("admin:grader_submission_change", args=[submission.pk]))
    page = response.content.decode()

    assert "&lt;b&gt;not bold&lt;/b&gt;" in page  # the student's code is text, never markup
    run_url = reverse("admin:grader_gradingrun_change", args=[submission.current_run_id])
    assert run_url in page  # its runs, inline, each linking to its own page
    assert 'name="_save"' not in page
    assert admin_client.post(reverse("admin:grader_submission_change", args=[submission.pk]), {}).status_code == 403

    run_page = admin_client.get(run_url).content.decode()
    assert "wrong_axis" in run_page and "values off" in run_page  # the run's test results, inline
    assert "child exited with status 0" in run_page  # the sandbox's own detail, for staff
    assert 'name="_save"' not in run_page


@pytest.mark.parametrize("query", ["?status__exact=graded", "?score=partial", "?score=full", "?score=none",
                                   "?q=alice", "?q=softmax"])
def test_submission_filters_and_search(admin_client, submission, query):
    response = admin_client.get(reverse("admin:grader_submission_changelist") + query)
    assert response.status_code == 200
    expected = 0 if query in ("?score=full", "?score=none") else 1
    assert response.context["cl"].result_count == expected


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_submission_list_queries_do_not_grow_with_rows(admin_client, course, student, django_user_model):
    url = reverse("admin:grader_submission_changelist")
    exercises = list(Exercise.objects.all())
    _submit(student, exercises[0], score=Decimal("1"))
    _queries(admin_client, url)  # warm per-process caches (content types, session)
    few = _queries(admin_client, url)
    for number in range(6):
        user = django_user_model.objects.create_user(username=f"student{number}")
        _submit(user, exercises[number + 1], score=Decimal("2"))

    assert _queries(admin_client, url) == few


def test_exercise_and_course_lists_query_a_fixed_number_of_times(admin_client, course):
    # 11 exercises and 2 chapters: a query per row would show here.
    assert _queries(admin_client, reverse("admin:grader_exercise_changelist")) <= 10
    assert _queries(admin_client, reverse("admin:courses_course_changelist")) <= 8
    assert _queries(admin_client, reverse("admin:grader_exercise_change", args=[Exercise.objects.first().pk])) <= 10


def _exercise_form_data(exercise, **changes):
    data = {
        "slug": exercise.slug,
        "chapter": exercise.chapter_id,
        "position": exercise.position,
        "title_zh": exercise.title_zh,
        "title_en": exercise.title_en,
        "statement_zh": exercise.statement_zh,
        "statement_en": exercise.statement_en,
        "starter_code": exercise.starter_code,
        "reference_solution": exercise.reference_solution,
        "required_functions": json.dumps(exercise.required_functions),
        "check_suite": exercise.check_suite,
        "check_params": json.dumps(exercise.check_params),
        "points": str(exercise.points),
        "cpu_limit_seconds": exercise.cpu_limit_seconds,
        "wall_limit_seconds": exercise.wall_limit_seconds,
        "memory_limit_mb": exercise.memory_limit_mb,
    }
    data.update(changes)
    return data


def test_saving_an_exercise_validates_its_check_params(admin_client, course):
    exercise = Exercise.objects.get(slug="softmax")
    url = reverse("admin:grader_exercise_change", args=[exercise.pk])

    response = admin_client.post(url, _exercise_form_data(exercise, check_params='{"no_such_param": 1}'))

    assert response.status_code == 200  # the form again, with the error
    assert "no_such_param" in str(response.context["adminform"].form.errors["check_params"])
    exercise.refresh_from_db()
    assert exercise.check_params == {}


def test_saving_an_exercise_checks_the_reference_defines_the_functions(admin_client, course):
    exercise = Exercise.objects.get(slug="softmax")
    url = reverse("admin:grader_exercise_change", args=[exercise.pk])

    response = admin_client.post(url, _exercise_form_data(exercise, reference_solution="def soft_max(x):\n    pass\n"))

    assert "softmax" in str(response.context["adminform"].form.errors["reference_solution"])


def test_a_valid_exercise_edit_is_saved(admin_client, course):
    exercise = Exercise.objects.get(slug="softmax")
    url = reverse("admin:grader_exercise_change", args=[exercise.pk])

    response = admin_client.post(url, _exercise_form_data(exercise, points="12.5", check_params=""))

    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.points == Decimal("12.5")
    assert exercise.check_params == {}


def test_course_page_lists_chapters_and_enrollments(admin_client, course, submission):
    page = admin_client.get(reverse("admin:courses_course_change", args=[course.pk])).content.decode()
    assert "大模型与生成式AI" in page
    assert "Enrollments · 选课" in page and "alice" in page
    assert Course.objects.count() == 1


def test_course_page_queries_do_not_grow_with_enrollments(admin_client, course, django_user_model):
    url = reverse("admin:courses_course_change", args=[course.pk])
    Enrollment.objects.create(user=django_user_model.objects.create_user(username="first"), course=course)
    _queries(admin_client, url)  # warm per-process caches (content types, session)
    few = _queries(admin_client, url)
    for number in range(5):
        Enrollment.objects.create(user=django_user_model.objects.create_user(username=f"student{number}"), course=course)

    assert _queries(admin_client, url) == few


def test_course_page_links_to_a_prefilled_enrollment_form(admin_client, course):
    page = admin_client.get(reverse("admin:courses_course_change", args=[course.pk])).content.decode()
    add_url = f"{reverse('admin:courses_enrollment_add')}?course={course.pk}"
    assert add_url in page
    assert admin_client.get(add_url).status_code == 200


def test_saving_an_exercise_with_an_unknown_suite_is_refused(admin_client, course):
    exercise = Exercise.objects.get(slug="softmax")
    url = reverse("admin:grader_exercise_change", args=[exercise.pk])

    response = admin_client.post(url, _exercise_form_data(exercise, check_suite="softmaks"))

    assert "softmaks" not in str(response.context["adminform"].form.errors.get("check_params", ""))
    assert "Unknown check suite" in str(response.context["adminform"].form.errors["check_suite"])
