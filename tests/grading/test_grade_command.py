"""`manage.py grade SLUG FILE [--json]` as a student or instructor runs it."""

import json

import pytest
from django.core.management import CommandError, call_command

CORRECT = """import numpy as np

def softmax(x, axis=-1):
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
"""


def run_grade(*args):
    from io import StringIO

    out = StringIO()
    call_command("grade", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mine(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(CORRECT, encoding="utf-8")
    return path


def test_json_output_is_one_object_with_the_result_shape(sample_course, mine):
    result = json.loads(run_grade("softmax", str(mine), "--json", "--seed", "42"))
    assert result["status"] == "graded"
    assert result["score"] == result["max_score"] > 0
    assert result["seed"] == 42
    assert isinstance(result["feedback"], str) and result["feedback"]
    assert result["tests"]
    for test in result["tests"]:
        assert set(test) == {"name", "passed", "hidden", "points", "max_points", "message"}
        assert test["passed"] is True
    assert {test["hidden"] for test in result["tests"]} == {True, False}


def test_a_wrong_answer_still_exits_zero_with_a_partial_score(sample_course, tmp_path):
    path = tmp_path / "naive.py"
    path.write_text("import numpy as np\n\ndef softmax(x, axis=-1):\n    e = np.exp(x)\n    return e / e.sum(axis=axis, keepdims=True)\n")
    result = json.loads(run_grade("softmax", str(path), "--json"))
    assert result["status"] == "graded"
    assert 0 < result["score"] < result["max_score"]


def test_chinese_messages(sample_course, mine):
    result = json.loads(run_grade("softmax", str(mine), "--json", "--lang", "zh", "--seed", "1"))
    assert "通过" in result["feedback"]


def test_the_table_is_readable(sample_course, mine):
    text = run_grade("softmax", str(mine), "--seed", "42")
    assert text.startswith("softmax: graded")
    assert "PASS" in text and "hidden" in text and "visible" in text


def test_cold_mode_grades_the_same(sample_course, mine):
    warm = json.loads(run_grade("softmax", str(mine), "--json", "--seed", "9"))
    cold = json.loads(run_grade("softmax", str(mine), "--json", "--seed", "9", "--cold"))
    assert warm == cold


def test_an_unknown_slug_is_a_clear_error(sample_course, mine):
    with pytest.raises(CommandError, match="unknown exercise 'nope'.*softmax"):
        run_grade("nope", str(mine))


def test_a_missing_file_is_a_clear_error(sample_course, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_grade("softmax", str(tmp_path / "absent.py"))


def test_a_file_that_is_not_utf8_is_a_clear_error(sample_course, tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes("# caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_grade("softmax", str(path))


def test_an_oversized_file_is_refused_as_a_submission_would_be(sample_course, tmp_path):
    path = tmp_path / "big.py"
    path.write_text("#" * (64 * 1024 + 1))
    with pytest.raises(CommandError, match="the limit is 65536 bytes"):
        run_grade("softmax", str(path))


def test_as_a_newcomer_runs_it_exit_codes_from_real_processes(mine, tmp_path):
    """migrate, seed, grade: the README's steps, as processes, on a database of their own."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    key_file = tmp_path / "secret_key"
    key_file.write_text("a-key-only-this-test-uses")
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("DEBUG", "SECRET_KEY")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'newcomer.sqlite3'}",
        "SECRET_KEY_FILE": str(key_file),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
        )

    assert manage("migrate", "--no-input", "-v", "0").returncode == 0
    assert manage("seed_course").returncode == 0
    graded = manage("grade", "softmax", str(mine), "--json")
    assert graded.returncode == 0, graded.stderr
    result = json.loads(graded.stdout)
    assert result["score"] == result["max_score"]

    unknown = manage("grade", "no-such-exercise", str(mine), "--json")
    assert unknown.returncode != 0
    assert "unknown exercise" in unknown.stderr and not unknown.stdout
    unreadable = manage("grade", "softmax", str(tmp_path / "absent.py"))
    assert unreadable.returncode != 0
    assert "cannot read" in unreadable.stderr
