"""Every shipped exercise, graded end to end through the real sandbox.

The reference must earn full marks and every known-wrong solution must lose
points and be named: otherwise the checks, not the students, are wrong.
"""

import pytest

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read
from grader.code_grading import grade_code
from grader.exercise_validation import mistake_declared
from grader.exercise_verification import exercise_check_mistakes, exercise_check_reference

SLUGS = sorted(exercise.slug for exercise in course_content_read(directory=SAMPLE_CONTENT_DIRECTORY).exercises)
EXERCISES_DIR = SAMPLE_CONTENT_DIRECTORY / "exercises"


def test_the_sample_course_has_the_contract_exercises():
    assert {"softmax", "attention", "multi-head-attention", "ngram"} <= set(SLUGS)
    assert len(SLUGS) == 11


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_solution_earns_full_marks(exercise, slug):
    check = exercise_check_reference(exercise=exercise(slug), seeds=[1, 2**62 + 12345])
    assert check.ok, check.problems


@pytest.mark.parametrize("slug", SLUGS)
def test_known_mistakes_lose_points_and_are_named(exercise, slug):
    directory = EXERCISES_DIR / slug / "mistakes"
    assert sorted(directory.glob("*.py")), f"{slug} ships no known-wrong solution"
    check = exercise_check_mistakes(exercise=exercise(slug), directory=directory, seed=7)
    assert check.ok, check.problems


def test_a_mistake_is_named_in_the_feedback_a_student_reads(exercise):
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "no_max_subtraction.py").read_text()
    assert mistake_declared(code) == "no_max_subtraction"
    report = grade_code(exercise=exercise("softmax"), code=code, seed=3)
    assert report.status == "graded"
    assert 0 < report.score < report.max_score
    named = [test for test in report.tests if test.mistake == "no_max_subtraction"]
    assert named
    assert any("max" in test.message_en.lower() for test in named)
    assert all(test.message_zh for test in named)


def test_points_add_up_to_the_exercise_points(exercise):
    softmax = exercise("softmax")
    report = grade_code(exercise=softmax, code=softmax.reference_solution, seed=11)
    assert sum(test.max_points for test in report.tests) == report.max_score == softmax.points
    assert report.score == report.max_score


def test_the_same_seed_reproduces_the_same_grade_and_another_draws_new_inputs(exercise):
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "wrong_axis.py").read_text()
    first = grade_code(exercise=exercise("softmax"), code=code, seed=99)
    again = grade_code(exercise=exercise("softmax"), code=code, seed=99)
    assert first.as_dict() == again.as_dict()
    other = grade_code(exercise=exercise("softmax"), code=code, seed=100)
    assert [t.message_en for t in other.tests] != [t.message_en for t in first.tests]


def test_a_missing_function_is_named(exercise):
    report = grade_code(exercise=exercise("ngram"), code="def ngram_probability(*a, **k):\n    return 0.0\n", seed=5)
    assert report.status == "error"
    assert "sentence_probability" in report.feedback_en
    missing = [t for t in report.tests if "sentence_probability" in t.message_en]
    assert missing and not any(t.passed for t in missing)


def test_a_syntax_error_is_reported_with_its_line(exercise):
    report = grade_code(exercise=exercise("softmax"), code="import numpy as np\n\ndef softmax(x, axis=-1)\n    return x\n", seed=5)
    assert report.status == "error"
    assert report.score == 0
    assert "line 3" in report.feedback_en
    assert "SyntaxError" in report.feedback_en


def test_a_runtime_error_shows_the_students_own_traceback_on_visible_tests_only(exercise):
    code = "import numpy as np\n\ndef softmax(x, axis=-1):\n    raise ValueError('secret ' + repr(x.tolist()))\n"
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    visible = [t for t in report.tests if not t.hidden]
    hidden = [t for t in report.tests if t.hidden]
    assert all("line 4" in t.message_en for t in visible)
    assert all("secret" not in t.message_en and "secret" not in t.message_zh for t in hidden)
    assert all("ValueError" not in t.message_en for t in hidden)


def test_a_timeout_is_a_grade_with_a_named_status(exercise):
    code = "import numpy as np\n\ndef softmax(x, axis=-1):\n    while True:\n        pass\n"
    softmax = exercise("softmax")
    softmax.cpu_limit_seconds = 1
    softmax.wall_limit_seconds = 2
    report = grade_code(exercise=softmax, code=code, seed=5)
    assert report.status == "timeout"
    assert report.score == 0
    assert "time limit" in report.feedback_en
    honest = grade_code(exercise=softmax, code=softmax.reference_solution, seed=5)
    assert honest.score == honest.max_score


def _check_reference_in_admin(admin_client, exercise, monkeypatch, django_capture_on_commit_callbacks):
    """The admin action as a request, then the queued task as the worker runs it. Returns the check row."""
    from grader import code_grading
    from grader.models import ReferenceCheck
    from grader.services.reference_checks import reference_check_run

    real_grade_code = code_grading.grade_code

    def not_in_the_web_process(**_kwargs):
        raise AssertionError("the sandbox ran in the web process")

    monkeypatch.setattr(code_grading, "grade_code", not_in_the_web_process)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            "/admin/grader/exercise/",
            {"action": "check_reference_solutions", "_selected_action": [exercise.pk]},
            follow=True,
        )
    assert "reference check(s) queued" in response.content.decode()
    check = ReferenceCheck.objects.filter(exercise=exercise).latest("id")
    assert check.status == "pending" and len(queued) == 1
    # What the worker does with the message (grader.tasks.check_reference).
    monkeypatch.setattr(code_grading, "grade_code", real_grade_code)
    reference_check_run(reference_check_id=check.pk)
    check.refresh_from_db()
    page = admin_client.get(f"/admin/grader/referencecheck/{check.pk}/change/").content.decode()
    assert check.get_status_display() in page
    return check


def test_instructors_check_a_reference_from_admin(admin_client, exercise, monkeypatch, django_capture_on_commit_callbacks):
    softmax = exercise("softmax")
    check = _check_reference_in_admin(admin_client, softmax, monkeypatch, django_capture_on_commit_callbacks)
    # Three seeds of the reference, then each known-wrong solution softmax ships, once.
    shipped = sorted(path.name for path in (EXERCISES_DIR / "softmax" / "mistakes").glob("*.py"))
    assert (check.status, check.runs, check.problems) == ("passed", 3 + len(shipped), "")
    assert check.reference_full_marks is True
    assert list(check.known_wrong.values_list("name", "lost_points")) == [(name, True) for name in shipped]

    softmax.reference_solution = "import numpy as np\n\ndef softmax(x, axis=-1):\n    return np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)\n"
    softmax.save()
    check = _check_reference_in_admin(admin_client, softmax, monkeypatch, django_capture_on_commit_callbacks)
    assert check.status == "failed" and "reference solution scored" in check.problems
