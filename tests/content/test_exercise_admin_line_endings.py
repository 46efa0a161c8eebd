"""Exercise admin as a newcomer meets it: LF line endings kept as the files have them, the check suite from a list."""

import json

import pytest
from django.urls import reverse

from courses.content_rows import EDITED, KeptRow
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise

pytestmark = pytest.mark.django_db

TEXTS = ("statement_zh", "statement_en", "starter_code", "reference_solution")


def test_a_browsers_crlf_is_stored_as_lf_and_the_loader_sees_no_change(admin_client):
    course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    exercise = Exercise.objects.get(slug="softmax")
    files = {name: getattr(exercise, name) for name in TEXTS}
    data = {
        name: getattr(exercise, name)
        for name in ("slug", "position", "title_zh", "title_en", "check_suite", "points",
                     "cpu_limit_seconds", "wall_limit_seconds", "memory_limit_mb")
    }  # fmt: skip
    # What a browser posts for the unchanged form: every textarea's lines end in CRLF.
    data.update({name: value.replace("\n", "\r\n") for name, value in files.items()})
    data.update(chapter=exercise.chapter_id, required_functions=json.dumps(exercise.required_functions),
                check_params=json.dumps({"hidden": 4}))  # fmt: skip
    response = admin_client.post(reverse("admin:grader_exercise_change", args=[exercise.pk]), data)
    assert response.status_code == 302, response.content.decode()[-2000:]

    exercise.refresh_from_db()
    assert {name: getattr(exercise, name) for name in TEXTS} == files
    assert exercise.check_params == {"hidden": 4}
    # Loading the files again sees only what admin really changed, and keeps it.
    result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    assert result.updated == {}
    assert result.kept == {"exercise softmax": KeptRow(EDITED, ["check_params"])}
    exercise.refresh_from_db()
    assert exercise.check_params == {"hidden": 4}


def test_the_check_suite_is_chosen_from_a_list_naming_the_functions_each_calls(admin_client):
    # A text box left a newcomer guessing the suites' names.
    course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    body = admin_client.get(reverse("admin:grader_exercise_add")).content.decode()
    select = body[body.index('<select name="check_suite"') : body.index("</select>", body.index('<select name="check_suite"'))]
    assert '<option value="softmax">softmax (softmax)</option>' in select
    assert '<option value="ngram">' in select and select.count("<option") == 12  # the empty choice and 11 suites
    exercise = Exercise.objects.get(slug="attention")
    body = admin_client.get(reverse("admin:grader_exercise_change", args=[exercise.pk])).content.decode()
    assert '<option value="attention" selected>' in body
