"""A precheck through the real worker: the visible tests only, stored once, no attempt, no grade."""

import pytest
from django.contrib.auth import get_user_model

from courses.models import Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader import checks
from grader.code_grading import grade_code
from grader.models import Exercise, Submission
from grades.models import Grade
from tests.integration.conftest import CORRECT_SOFTMAX, celery_stack, wait_for, worker  # noqa: F401 - fixtures
from web.models import Precheck
from web.services import precheck_create, precheck_run

from tests.browser.test_student_journey import ATTENTION_WITHOUT_SCALING

pytestmark = pytest.mark.integration


def _visible_names(exercise, seed):
    return [case.name_en for case in checks.build_cases(exercise.check_suite, params=exercise.check_params or {}, seed=seed) if not case.hidden]


@pytest.fixture
def course_and_student(transactional_db):
    course = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course
    user = get_user_model().objects.create_user(username="pre", password="pre-pw-9z")
    Enrollment.objects.create(user=user, course=course)
    return course, user


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_visible_tests_only(worker, course_and_student):  # noqa: F811
    _, student = course_and_student
    attention = Exercise.objects.get(slug="attention")
    precheck = precheck_create(user=student, exercise=attention, code=ATTENTION_WITHOUT_SCALING)
    wait_for(lambda: Precheck.objects.get(pk=precheck.pk).status == Precheck.Status.DONE, timeout=30, message="precheck done")
    precheck.refresh_from_db()
    assert [test["name_en"] for test in precheck.tests] == _visible_names(attention, precheck.seed)
    assert precheck.total == len(precheck.tests) and precheck.passed < precheck.total
    assert any(test["visible_data"].get("actual") for test in precheck.tests)  # the heatmap's data
    assert not Submission.objects.exists() and not Grade.objects.exists()
    assert precheck_run(precheck_id=precheck.pk) == "not_claimed"  # a second delivery changes nothing


@pytest.mark.django_db
def test_grade_code_visible_only_never_runs_a_hidden_case(sample_course):
    softmax = Exercise.objects.get(slug="softmax")
    report = grade_code(exercise=softmax, code=CORRECT_SOFTMAX, seed=7, visible_only=True)
    assert [test.name_en for test in report.tests] == _visible_names(softmax, 7)
    assert not any(test.hidden for test in report.tests)
    assert report.score == report.max_score == sum(test.max_points for test in report.tests)
    full = grade_code(exercise=softmax, code=CORRECT_SOFTMAX, seed=7)
    assert len(full.tests) > len(report.tests) and full.max_score == softmax.points
