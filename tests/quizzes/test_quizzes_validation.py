"""validate_item: every author mistake named, a valid item left alone."""

from dataclasses import replace
from fractions import Fraction

import pytest
from quiz_items import (
    multiple, numeric, option, parameterised, short, single, true_false,
)

from quizzes.items import Option, Quiz, Text
from quizzes.validation import validate_item, validate_quiz


@pytest.mark.parametrize("build", [single, multiple, true_false, numeric, short, parameterised])
def test_valid_items_have_no_problems(build):
    assert validate_item(build()) == []


def _one_problem_containing(item, words):
    problems = validate_item(item)
    assert len(problems) == 1, problems
    assert words in problems[0]


def test_unknown_type_is_named():
    _one_problem_containing(single(type="essay"), "unknown type 'essay'")


def test_choice_item_without_a_correct_option():
    options = tuple(replace(o, correct=False) for o in multiple().options)
    _one_problem_containing(multiple(options=options), "no correct option")


def test_single_choice_with_two_correct_options():
    _one_problem_containing(
        single(options=(option("a", True), option("b", True))), "exactly one correct option"
    )


def test_duplicate_option_text_even_if_typed_differently():
    twin = Option(key="d", text=Text("选项 a", "Option A。"), correct=False)
    problems = validate_item(single(options=single().options + (twin,)))
    assert any("duplicate option" in p and "zh" in p for p in problems), problems
    assert any("duplicate option" in p and "en" in p for p in problems), problems


def test_duplicate_option_key():
    twin = Option(key="a", text=Text("别的", "other"), correct=False)
    _one_problem_containing(single(options=single().options + (twin,)), "duplicate option key 'a'")


def test_a_single_option_is_not_a_choice():
    _one_problem_containing(single(options=(option("a", True),)), "at least 2 options")


def test_negative_tolerance():
    _one_problem_containing(numeric(abs_tol=-0.1), "abs_tol must not be negative")


def test_zero_tolerance_on_both_sides():
    _one_problem_containing(numeric(abs_tol=0.0), "needs a tolerance")


def test_non_finite_numeric_answer():
    _one_problem_containing(numeric(answer_number=float("nan")), "finite answer_number")


@pytest.mark.parametrize("field", ["prompt", "explanation"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_missing_translation(field, language):
    text = replace(getattr(single(), field), **{language: "  "})
    _one_problem_containing(single(**{field: text}), f"{field} is missing its {language} translation")


def test_option_missing_translation():
    options = (Option("a", Text("对", ""), True), option("b"))
    _one_problem_containing(single(options=options), "option 'a' is missing its en translation")


def test_true_false_without_an_answer():
    _one_problem_containing(true_false(answer_bool=None), "answer_bool")


def test_short_answer_without_accepted_answers():
    _one_problem_containing(short(accepted=()), "at least one accepted answer")


def test_short_answers_that_normalise_to_the_same_text():
    _one_problem_containing(short(accepted=("ReLU", "ｒｅｌｕ")), "same once normalised")


def test_fields_of_another_type_are_refused():
    _one_problem_containing(single(abs_tol=0.5), "abs_tol does not apply to a single_choice item")


@pytest.mark.parametrize("points", [Fraction(0), Fraction(-1), Fraction(1, 3), 0.5])
def test_points_must_be_positive_exact_cents(points):
    _one_problem_containing(single(points=points), "points")


def test_section_format():
    _one_problem_containing(single(section="chapter two"), "section")


def test_unknown_generator():
    _one_problem_containing(parameterised(generator="lottery"), "unknown generator 'lottery'")


def test_template_must_show_every_drawn_number():
    prompt = Text("得分 $s1，d_k = $d_k。", "Scores $s1, $s2, d_k = $d_k.")
    _one_problem_containing(parameterised(prompt=prompt), "does not show ['s2']")


def test_template_may_not_use_an_undrawn_name():
    prompt = Text("得分 $s1、$s2、$s3，d_k = $d_k。", "Scores $s1, $s2, d_k = $d_k.")
    _one_problem_containing(parameterised(prompt=prompt), "uses ['s3']")


def test_format_style_placeholders_are_not_templates():
    # str.format would let "{s1.__class__}" reach into objects; templates are $name only
    prompt = Text("得分 {s1.__class__}、$s1、$s2，$d_k。", "$s1 $s2 $d_k $")
    problems = validate_item(parameterised(prompt=prompt))
    assert problems == ["the en prompt has a malformed $placeholder (write $$ for a dollar sign)"]


def test_quiz_with_duplicate_item_ids():
    quiz = Quiz(slug="chapter-9-quiz", chapter=9, title=Text("测验", "Quiz"),
                items=(single(), single()))
    assert validate_quiz(quiz) == ["duplicate item id 'single'"]
