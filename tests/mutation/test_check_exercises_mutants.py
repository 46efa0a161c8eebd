"""`manage.py check_exercises [SLUG…] --mutants [--json]`: the report's shape and when it fails."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.services import SAMPLE_CONTENT_DIRECTORY

EXERCISES_DIR = SAMPLE_CONTENT_DIRECTORY / "exercises"
MUTANT_KEYS = {"slug", "seed", "total", "killed", "survived", "equivalent", "errors", "score", "survivors", "errored", "stale_marks"}


def check(*args):
    """(exit status as manage.py would give it, stdout lines)."""
    out = StringIO()
    try:
        call_command("check_exercises", *args, "--seeds", "1", stdout=out)
        status = 0
    except CommandError:
        status = 1
    return status, out.getvalue().splitlines()


@pytest.fixture
def content_copy(tmp_path):
    """A copy of one exercise's content folder to break in a test, without its mutants.toml unless asked."""

    def make(slug, *, with_marks=False):
        target = tmp_path / slug
        shutil.copytree(EXERCISES_DIR / slug / "mistakes", target / "mistakes", dirs_exist_ok=True)
        if with_marks:
            shutil.copy(EXERCISES_DIR / slug / "mutants.toml", target / "mutants.toml")
        return tmp_path

    return make


def test_json_is_one_object_per_exercise_with_the_mutation_report(sample_course):
    status, lines = check("greedy-decoding", "perplexity", "--mutants", "--json")
    assert status == 0
    results = [json.loads(line) for line in lines]
    assert [result["slug"] for result in results] == ["greedy-decoding", "perplexity"]
    for result in results:
        assert result["ok"] is True and result["problems"] == []
        mutants = result["mutants"]
        assert set(mutants) == MUTANT_KEYS
        assert mutants["total"] == mutants["killed"] + mutants["survived"] + mutants["equivalent"] + mutants["errors"]
        assert mutants["score"] >= 0.9 and mutants["survivors"] == [] and mutants["stale_marks"] == []
        assert result["runs"] >= 1 + mutants["total"] - mutants["equivalent"]
    assert results[0]["mutants"]["equivalent"] == 4  # marked in content/exercises/greedy-decoding/mutants.toml


def test_without_mutants_the_json_has_no_mutation_report(sample_course):
    status, lines = check("perplexity", "--json")
    assert status == 0
    [result] = [json.loads(line) for line in lines]
    assert "mutants" not in result and result["ok"] is True


def test_a_score_below_90_percent_fails_and_lists_each_survivor_with_its_diff(sample_course, content_copy):
    # The same exercise without its equivalent marks: 4 of 10 mutants survive.
    status, lines = check("greedy-decoding", "--mutants", "--json", "--content-dir", str(content_copy("greedy-decoding")))
    assert status == 1
    [result] = [json.loads(line) for line in lines]
    assert result["ok"] is False
    assert any("mutation score" in problem and "below 90%" in problem for problem in result["problems"])
    mutants = result["mutants"]
    assert mutants["equivalent"] == 0 and mutants["survived"] == len(mutants["survivors"]) > 0
    assert mutants["score"] == round(mutants["killed"] / mutants["total"], 4) < 0.9
    for survivor in mutants["survivors"]:
        assert set(survivor) == {"id", "description", "diff"}
        assert survivor["diff"].startswith("--- solution.py\n+++ solution.py (mutant " + survivor["id"])

    status, text = check("greedy-decoding", "--mutants", "--content-dir", str(content_copy("greedy-decoding")))
    assert status == 1
    assert text[0].endswith("greedy-decoding (" + text[0].split("(")[1]) and "FAIL" in text[0]
    assert any(line.strip().startswith("survived ") for line in text)
    assert any(line.strip().startswith("+    pass") for line in text)  # the diff, in the text report too


def test_a_known_wrong_solution_that_survives_fails(sample_course, content_copy):
    content = content_copy("perplexity")  # no mark needed: all its mutants are killed
    shutil.copy(EXERCISES_DIR / "perplexity" / "solution.py", content / "perplexity" / "mistakes" / "not_wrong.py")
    status, lines = check("perplexity", "--mutants", "--json", "--content-dir", str(content))
    assert status == 1
    [result] = [json.loads(line) for line in lines]
    assert result["ok"] is False
    assert any("not_wrong.py" in problem and "full marks" in problem for problem in result["problems"])
    assert result["mutants"]["score"] == 1.0  # the mutants are fine: the mistake alone fails it


def test_a_reference_that_loses_points_fails(sample_course):
    from grader.models import Exercise

    exercise = Exercise.objects.get(slug="greedy-decoding")
    exercise.reference_solution = exercise.reference_solution.replace("np.argmax", "np.argmin")
    exercise.save()
    status, lines = check("greedy-decoding", "--mutants", "--json")
    assert status == 1
    [result] = [json.loads(line) for line in lines]
    assert any(problem.startswith("reference solution scored") for problem in result["problems"])


def test_a_broken_mutants_file_is_named_and_fails(sample_course, content_copy):
    content = content_copy("perplexity")
    (content / "perplexity" / "mutants.toml").write_text('[[equivalent]]\nid = "abc"\n', encoding="utf-8")
    status, lines = check("perplexity", "--mutants", "--json", "--content-dir", str(content))
    assert status == 1
    [result] = [json.loads(line) for line in lines]
    assert result["problems"] == ["mutants.toml: equivalent #1 needs a string id and a reason"]
