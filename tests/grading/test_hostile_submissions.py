"""Hostile submissions through the whole grading path: a forged result is the
student's failure (a grade that costs an attempt, never our internal_error),
and what a submission prints or raises reaches a terminal with its control
characters shown, not obeyed."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from grader.models import Submission
from grader.sandbox import codec
from grader.services import SubmissionRejected, submission_create
from grader.services.runs import submission_grade
from tests.sandbox.helpers import FORGED_FRAME_HELPERS

RAW_CONTROLS = {chr(code) for code in codec.CONTROL_CODES}

HONEST = """import numpy as np

def softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
"""

# Every call writes a forged result for itself to the result pipe (fd 3),
# named as the harness names it (read from the harness's own frame), then
# returns a wrong answer. The first call also writes a 30 MiB frame of tiny
# tokens. The forged frames claim the right answer where they can.
FORGING = FORGED_FRAME_HELPERS + r'''
def _right(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, e / e.sum(axis=axis, keepdims=True))
    return b'{"a":"' + base64.b64encode(buffer.getvalue()) + b'"}'

FORGERIES = [
    lambda name, right: _returned(name, _npy((0, 10**19))),
    lambda name, right: _returned(name, _npy((0, 2**40, 2**40))),
    lambda name, right: _returned(name, b'{"l":[' * 40 + b"null" + b"]}" * 40),
    lambda name, right: _returned(name, b"[" * 50000 + b"]" * 50000),
    lambda name, right: _returned(name, right)[:-1] + b',"x":"\xff\xfe"}',
    lambda name, right: _returned(name, b"null")[:-1] + b',"value":' + right + b"}",
    lambda name, right: _returned(name, right)[:-1] + b',"x":NaN}',
    lambda name, right: _returned(name, b'{"s":"' + b"a" * 100000 + b'"}'),
]
_count = [0]

def softmax(x, axis=-1):
    name = sys._getframe(1).f_locals["name"]
    if _count[0] == 0:
        _send(_returned(name, b'{"l":[' + b'{"i":"1"},' * (3 * 2**20) + b"null]}"))
    _send(FORGERIES[_count[0] % len(FORGERIES)](name, _right(x, axis)))
    _count[0] += 1
    return np.zeros_like(x)
'''

# Only on hidden calls, and only for some inputs: before, this chose between
# a grade and an internal_error (no attempt spent) by a hidden input.
FORGING_ON_HIDDEN_INPUTS = r'''
import base64, os, struct, sys
import numpy as np

def softmax(x, axis=-1):
    name = sys._getframe(1).f_locals["name"]
    if name.startswith("h") and float(np.max(x)) > 0:
        header = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 10000000000000000000), }"
        header += " " * (-(10 + len(header) + 1) % 64) + "\n"
        raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
        data = (b'{"k":"call","name":"' + name.encode() + b'","kind":"returned","value":{"a":"'
                + base64.b64encode(raw) + b'"}}')
        os.write(3, struct.pack(">I", len(data)) + data)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
'''


@pytest.fixture
def student(sample_course, django_user_model):
    from courses.models import Enrollment

    user = django_user_model.objects.create_user(username="mallory", password="mallory-pw")
    Enrollment.objects.create(user=user, course=sample_course)
    return user


@pytest.fixture
def softmax_two_attempts(exercise):
    from courses.models import Assignment

    softmax = exercise("softmax")
    Assignment.objects.filter(exercise=softmax).update(attempt_limit=2)
    return softmax


def _graded(user, exercise, code) -> Submission:
    submission = submission_create(user=user, exercise=exercise, code=code)
    result = submission_grade(submission_id=submission.pk, last_try=True)
    assert result.result == "stored", result
    submission.refresh_from_db()
    return submission


def test_forged_results_are_a_failing_grade_that_costs_an_attempt(student, softmax_two_attempts):
    forged = _graded(student, softmax_two_attempts, FORGING)
    assert forged.status == "graded", (forged.status, forged.feedback_en)
    assert forged.score == 0 < forged.max_score
    rows = list(forged.current_run.test_results.all())
    assert rows and not any(row.passed for row in rows)
    visible_messages = " ".join(row.message_en for row in rows if not row.hidden)
    assert "data the grader cannot read" in visible_messages

    honest = _graded(student, softmax_two_attempts, HONEST)
    assert honest.status == "graded" and honest.score == honest.max_score
    # The forged submission was an attempt like any wrong answer: none is left.
    with pytest.raises(SubmissionRejected) as caught:
        submission_create(user=student, exercise=softmax_two_attempts, code=HONEST)
    assert caught.value.code == "attempt_limit"


def test_a_forged_result_on_hidden_inputs_is_a_grade_not_our_failure(student, softmax_two_attempts):
    forged = _graded(student, softmax_two_attempts, FORGING_ON_HIDDEN_INPUTS)
    assert forged.status == "graded", (forged.status, forged.feedback_en)
    assert 0 < forged.score < forged.max_score
    honest = _graded(student, softmax_two_attempts, HONEST)
    assert honest.score == honest.max_score


ESCAPES = r'''import numpy as np

print("\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eprinted")

def softmax(x, axis=-1):
    raise ValueError("\x1b]0;pwned\x07 \x1b[2J \x9b \u202e \u2066 \x1b[8m")
'''


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_manage_py_grade_prints_no_raw_control_characters(sample_course, tmp_path, lang):
    path = tmp_path / "escapes.py"
    path.write_text(ESCAPES, encoding="utf-8")

    out = StringIO()
    call_command("grade", "softmax", str(path), "--json", "--lang", lang, stdout=out)
    printed = out.getvalue()
    assert not RAW_CONTROLS & set(printed)
    result = json.loads(printed)
    texts = [result["feedback"], *(test["message"] for test in result["tests"])]
    assert not RAW_CONTROLS & set("".join(texts))
    assert any("\\x1b]0;pwned\\x07" in text for text in texts)  # shown, as its escape
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eprinted" in result["feedback"]

    out = StringIO()
    call_command("grade", "softmax", str(path), "--lang", lang, stdout=out)
    table = out.getvalue()
    assert not RAW_CONTROLS & set(table)
    assert "\\x1b]0;pwned\\x07" in table and "FAIL" in table


def test_the_json_output_escapes_what_json_alone_would_leave_raw():
    from grader.management.commands.grade import _json_dumps

    value = {"message": "a\x9bb\u202ec\x7fd\u2028e\x1bf 中文"}
    printed = _json_dumps(value)
    assert not RAW_CONTROLS & set(printed)
    assert "中文" in printed
    assert json.loads(printed) == value  # lossless


def test_the_read_budget_leaves_room_for_answers_returned_as_nested_lists(exercise):
    # The largest answers of the sample course, returned as Python lists of
    # floats instead of arrays: about a third of the read budget, read in full.
    from grader.code_grading import grade_code

    positional = exercise("positional-encoding")
    code = positional.reference_solution + (
        "\n\n_array_version = positional_encoding\n\n"
        "def positional_encoding(length, d_model):\n"
        "    return _array_version(length, d_model).tolist()\n"
    )
    report = grade_code(exercise=positional, code=code, seed=1)
    assert report.status == "graded"
    assert report.score == report.max_score, [t.message_en for t in report.tests if not t.passed]
