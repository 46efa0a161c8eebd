"""One validation per exercise: admin, the content loader and the grade command refuse the same values alike.

Each bad value is put through every channel; each must refuse it with the same
message, coming from grader.exercise_validation (and, for code, from the
submission rules the API applies).
"""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from courses.models import Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, ContentError, course_content_read, course_load_from_directory
from grader.exercise_validation import exercise_problems, mistake_declared
from grader.models import Exercise

pytestmark = pytest.mark.django_db

GOOD = "import numpy as np\n\ndef softmax(x, axis=-1):\n    e = np.exp(x - np.max(x, axis=axis, keepdims=True))\n    return e / e.sum(axis=axis, keepdims=True)\n"
# Ends in a newline, as a file does (admin stores code so too).
TOO_LARGE = GOOD + "#" * (64 * 1024) + "\n"


@pytest.fixture
def course():
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def content(tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, directory, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


def _admin_errors(client, field: str, value) -> list[str]:
    exercise = Exercise.objects.get(slug="softmax")
    data = {
        name: getattr(exercise, name)
        for name in (
            "slug", "position", "title_zh", "title_en", "statement_zh", "statement_en", "starter_code",
            "reference_solution", "check_suite", "points", "cpu_limit_seconds", "wall_limit_seconds", "memory_limit_mb",
        )
    }
    data.update(
        chapter=exercise.chapter_id,
        required_functions=json.dumps(exercise.required_functions),
        check_params=json.dumps(exercise.check_params),
    )
    data[field] = json.dumps(value) if field in ("required_functions", "check_params") else value
    response = client.post(reverse("admin:grader_exercise_change", args=[exercise.pk]), data)
    assert response.status_code == 200, "the form must come back with an error"
    return list(response.context["adminform"].form.errors[field])


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {json.dumps(item)}" for key, item in value.items()) + " }"
    return json.dumps(value)


def _loader_problems(content, field: str, value) -> list[tuple[str, str]]:
    directory = content / "exercises" / "softmax"
    if field == "reference_solution":
        (directory / "solution.py").write_bytes(value.encode("utf-8", "surrogatepass"))
    else:
        toml = directory / "exercise.toml"
        lines = toml.read_text(encoding="utf-8").splitlines()
        lines = [f"{field} = {_toml_value(value)}" if line.startswith(f"{field} =") else line for line in lines]
        toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        course_content_read(directory=content)
    return [(path.name, message) for path, message in caught.value.problems]


BAD_VALUES = [
    # admin used to accept these three; the loader refused them
    ("required_functions", ["softmax", "class"], "class"),
    ("required_functions", ["softmax", "softmax"], "twice"),
    ("check_suite", "softmaks", "softmaks"),
    ("check_params", {"no_such_param": 1}, "no_such_param"),
    ("reference_solution", "def soft_max(x):\n    pass\n", "softmax"),
    ("reference_solution", "def softmax(:\n", "Syntax error"),
    # the submission rules: the API refuses this, so a reference must not be one
    ("reference_solution", TOO_LARGE, "65536"),
    ("cpu_limit_seconds", -1, "positive"),
    ("memory_limit_mb", 0, "at least 1"),
]


@pytest.mark.parametrize(("field", "value", "said"), BAD_VALUES, ids=[f"{f}-{s}" for f, _, s in BAD_VALUES])
def test_admin_and_loader_refuse_the_same_value_with_the_same_message(admin_client, course, content, field, value, said):
    expected = [problem.message for problem in exercise_problems({"required_functions": ["softmax"], "check_suite": "softmax", field: value}) if problem.field == field]
    assert expected and any(said in message for message in expected)

    assert _admin_errors(admin_client, field, value) == expected

    file_name = "solution.py" if field == "reference_solution" else "exercise.toml"
    prefix = "" if field == "reference_solution" else f"{field}: "
    loader = [message for name, message in _loader_problems(content, field, value) if name == file_name]
    assert loader == [prefix + message for message in expected]


# Django's own form fields refuse these before the model is asked (their words,
# not ours), so here only the loader's message is compared with the one function's.
FORM_FIELD_FIRST = [
    ("required_functions", [], "non-empty"),
    ("reference_solution", GOOD + "# \x00\n", "NUL"),
    ("points", 0.001, "2 decimals"),
]


@pytest.mark.parametrize(("field", "value", "said"), FORM_FIELD_FIRST, ids=[f"{f}-{s}" for f, _, s in FORM_FIELD_FIRST])
def test_values_a_form_field_refuses_first_are_refused_by_all(admin_client, course, content, field, value, said):
    expected = [problem.message for problem in exercise_problems({"required_functions": ["softmax"], "check_suite": "softmax", field: value}) if problem.field == field]
    assert expected and any(said in message for message in expected)

    assert _admin_errors(admin_client, field, value)
    assert Exercise.objects.get(slug="softmax").reference_solution != value

    file_name = "solution.py" if field == "reference_solution" else "exercise.toml"
    prefix = "" if field == "reference_solution" else f"{field}: "
    loader = [message for name, message in _loader_problems(content, field, value) if name == file_name]
    assert loader == [prefix + message for message in expected]


def test_a_suite_function_missing_from_required_functions_is_refused_everywhere(admin_client, course, content):
    # admin used to accept a list without the function the suite calls.
    value = ["helper"]
    [message] = [p.message for p in exercise_problems({"required_functions": value, "check_suite": "softmax"}) if p.field == "required_functions"]
    assert "softmax" in message
    assert message in _admin_errors(admin_client, "required_functions", value)
    assert ("exercise.toml", f"required_functions: {message}") in _loader_problems(content, "required_functions", value)


def test_saving_through_the_model_runs_the_same_validation(course):
    from django.core.exceptions import ValidationError

    exercise = Exercise.objects.get(slug="softmax")
    exercise.required_functions = ["softmax", "class"]
    with pytest.raises(ValidationError) as caught:
        exercise.full_clean()
    assert "required_functions" in caught.value.message_dict


def test_the_sample_content_is_valid(course):
    for exercise in Exercise.objects.all():
        exercise.full_clean()


@pytest.mark.parametrize(
    ("code", "rejection"),
    [
        (GOOD + "# \x00\n", "null_character"),
        (TOO_LARGE, "too_large"),
        ("", "empty"),
        ("def softmax(x):\n    return '\ud800'\n", "not_utf8"),
    ],
    ids=["nul", "too-large", "empty", "surrogate"],
)
def test_the_grade_command_refuses_what_the_api_refuses(course, django_user_model, tmp_path, code, rejection):
    student = django_user_model.objects.create_user(username="alice")
    Enrollment.objects.create(user=student, course=course)
    api = APIClient()
    api.force_authenticate(student)
    # ASCII JSON: a lone surrogate travels as the escape "\ud800", as a browser would send it.
    body = json.dumps({"exercise": "softmax", "code": code})
    response = api.post("/api/v1/submissions/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    error = response.json()["error"]
    assert error["code"] == rejection

    path = tmp_path / "mine.py"
    path.write_bytes(code.encode("utf-8", "surrogatepass"))
    with pytest.raises(CommandError) as caught:
        call_command("grade", "softmax", str(path))
    # The same refusal in the same words, though the API got a string and the command read bytes.
    assert str(caught.value) == f"{path}: {error['message']} · {error['message_zh']}"


def test_one_reading_of_the_mistake_marker():
    assert mistake_declared("# mistake: no_max_subtraction\ndef f(): pass\n") == "no_max_subtraction"
    # Refused by the loader and ignored by `check_exercises` alike: the first line, a lower_snake_case id.
    assert mistake_declared("\n# mistake: no_max_subtraction\n") == ""
    assert mistake_declared("# mistake: NoMax\n") == ""
    assert mistake_declared("# mistake:\n") == ""
    assert mistake_declared("# mistake: spaced_out   \r\ncode\n") == "spaced_out"
