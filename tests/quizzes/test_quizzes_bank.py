"""load_bank: a good file loads; every problem stops the load and names file and item."""

import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest

from quizzes.bank import BankError, load_bank
from quizzes.items import MULTIPLE, NUMERIC, TRUE_FALSE

PROJECT_ROOT = Path(__file__).resolve().parents[2]

GOOD = """
slug = "chapter-9-quiz"
chapter = 9
title_zh = "测验"
title_en = "Quiz"

[[items]]
id = "pick-two"
type = "multiple_choice"
section = "9.1.1"
points = 1.5
prompt_zh = "选两个"
prompt_en = "Pick two"
explanation_zh = "见 9.1.1。"
explanation_en = "See 9.1.1."
options = [
  { key = "a", zh = "甲", en = "A", correct = true },
  { key = "b", zh = "乙", en = "B", correct = true },
  { key = "c", zh = "丙", en = "C" },
]

[[items]]
id = "yes-or-no"
type = "true_false"
section = "9.1.2"
prompt_zh = "对吗？"
prompt_en = "True?"
explanation_zh = "见 9.1.2。"
explanation_en = "See 9.1.2."
answer = false

[[items]]
id = "how-many"
type = "numeric"
section = "9.1.3"
prompt_zh = "几个？"
prompt_en = "How many?"
explanation_zh = "见 9.1.3。"
explanation_en = "See 9.1.3."
answer = 6
abs_tol = 0.5
"""


def write(tmp_path, text, name="chapter-9-quiz.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_loads_into_frozen_items(tmp_path):
    [quiz] = load_bank(write(tmp_path, GOOD))
    assert quiz.slug == "chapter-9-quiz" and quiz.chapter == 9
    assert [i.type for i in quiz.items] == [MULTIPLE, TRUE_FALSE, NUMERIC]
    assert quiz.items[0].points == Fraction(3, 2)  # 1.5 exactly, not a float
    assert quiz.items[1].answer_bool is False
    assert quiz.items[2].answer_number == 6
    assert quiz.points == Fraction(7, 2)


def test_a_directory_loads_every_toml_file_in_name_order(tmp_path):
    write(tmp_path, GOOD.replace("chapter-9-quiz", "chapter-8-quiz"), name="b.toml")
    write(tmp_path, GOOD, name="a.toml")
    assert [q.slug for q in load_bank(tmp_path)] == ["chapter-9-quiz", "chapter-8-quiz"]


def test_two_files_with_one_slug_are_refused(tmp_path):
    write(tmp_path, GOOD, name="a.toml")
    write(tmp_path, GOOD, name="b.toml")
    with pytest.raises(BankError, match=r"b\.toml: quiz slug 'chapter-9-quiz' is already used"):
        load_bank(tmp_path)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD.replace('type = "true_false"', 'type = "essay"'),
         r"item 2 \('yes-or-no'\): unknown type 'essay'"),
        (GOOD.replace('correct = true },\n  { key = "b", zh = "乙", en = "B", correct = true }',
                      'correct = false },\n  { key = "b", zh = "乙", en = "B", correct = false }'),
         r"item 1 \('pick-two'\): no correct option"),
        (GOOD.replace('zh = "丙"', 'zh = "甲"'), r"item 1 \('pick-two'\): duplicate option"),
        (GOOD.replace("abs_tol = 0.5", "abs_tol = -0.5"),
         r"item 3 \('how-many'\): abs_tol must not be negative"),
        (GOOD.replace('prompt_en = "True?"\n', ""),
         r"item 2 \('yes-or-no'\): prompt is missing its en translation"),
        (GOOD.replace('answer = false', 'answer = false\nhint = "x"'),
         r"item 2 \('yes-or-no'\): unknown keys \['hint'\]"),
        (GOOD.replace('{ key = "c", zh = "丙", en = "C" }', '{ key = "c", zh = "丙", en = "C", right = 1 }'),
         r"item 1 \('pick-two'\): option 3 has unknown keys"),
        (GOOD.replace('id = "how-many"', 'id = "pick-two"'), r"duplicate item id 'pick-two'"),
        (GOOD.replace("chapter = 9", 'chapter = "nine"'), r"chapter must be an integer"),
        (GOOD + "\nauthor = 'me'\n", r"unknown keys \['author'\]"),
        (GOOD.replace("points = 1.5", "points = 0.333"), r"item 1 \('pick-two'\): points may have at most 2 decimals"),
        ("slug = ", r"cannot read"),
    ],
)
def test_every_problem_names_the_file_and_the_item(tmp_path, broken, message):
    path = write(tmp_path, broken)
    with pytest.raises(BankError, match=message) as caught:
        load_bank(path)
    assert str(caught.value).startswith(str(path))


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    broken = GOOD.replace('type = "true_false"', 'type = "essay"').replace("abs_tol = 0.5", "abs_tol = -1")
    with pytest.raises(BankError) as caught:
        load_bank(write(tmp_path, broken))
    assert "unknown type 'essay'" in str(caught.value)
    assert "abs_tol must not be negative" in str(caught.value)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(BankError, match="no quiz files"):
        load_bank(tmp_path)


def test_the_pure_modules_import_no_django():
    # They are shared with importers and tests that run without Django; an
    # import of Django would tie scoring to settings and a database.
    code = (
        "import sys; import quizzes.bank, quizzes.scoring, quizzes.validation, "
        "quizzes.parameterised, quizzes.normalise, quizzes.items; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
