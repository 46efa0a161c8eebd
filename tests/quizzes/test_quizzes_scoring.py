"""Scoring: each question type by hand-worked cases, then properties over many items."""

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_items import multiple, numeric, parameterised, short, single, true_false

from quizzes.items import MULTIPLE, SINGLE, Item, Option, Text
from quizzes.parameterised import render, softmax_weight
from quizzes.scoring import (
    CORRECT, INCORRECT, PARTIAL, UNANSWERED, InvalidResponse, score_attempt,
    score_question, within_tolerance,
)
from quizzes.validation import validate_item


def earned(item, response, seed=1):
    return score_question(item, response, seed=seed).earned


# --- single choice, true/false ---------------------------------------------

def test_single_choice_right_and_wrong():
    assert earned(single(), "a") == Decimal("1.00")
    assert earned(single(), "b") == Decimal("0.00")


def test_single_choice_unknown_key_is_refused_not_scored():
    with pytest.raises(InvalidResponse, match="no option 'z'"):
        score_question(single(), "z", seed=1)


@pytest.mark.parametrize("response", [True, "true", "对", "正确", " TRUE "])
def test_true_false_accepts_what_a_form_posts(response):
    assert earned(true_false(), response) == Decimal("1.00")


@pytest.mark.parametrize("response", [False, "false", "错"])
def test_true_false_wrong(response):
    assert earned(true_false(), response) == Decimal("0.00")


def test_true_false_garbage_is_refused():
    with pytest.raises(InvalidResponse):
        score_question(true_false(), "maybe", seed=1)


# --- multiple choice: Canvas "partial credit with penalty" -------------------
# 4 points, correct options a and b (k = 2): each right choice +2, each wrong -2, floor 0.

@pytest.mark.parametrize(
    ("chosen", "points", "status"),
    [
        ({"a", "b"}, "4.00", CORRECT),
        ({"a"}, "2.00", PARTIAL),
        ({"a", "b", "c"}, "2.00", PARTIAL),  # Canvas's own example: 2 right, 1 wrong of 4 points
        ({"a", "c"}, "0.00", INCORRECT),
        ({"c", "d"}, "0.00", INCORRECT),  # -4 floored at 0
        ({"a", "b", "c", "d"}, "0.00", INCORRECT),  # ticking every box earns nothing
    ],
)
def test_multiple_choice_partial_credit_rule(chosen, points, status):
    result = score_question(multiple(), sorted(chosen), seed=1)
    assert result.earned == Decimal(points)
    assert result.status == status


def test_multiple_choice_thirds_round_to_cents():
    options = tuple(Option(k, Text(f"选{k}", f"pick {k}"), k in "abc") for k in "abcd")
    item = multiple(points=Fraction(1), options=options)
    assert earned(item, ["a"]) == Decimal("0.33")
    assert earned(item, ["a", "b"]) == Decimal("0.67")
    assert earned(item, ["a", "b", "c"]) == Decimal("1.00")


def test_multiple_choice_a_lone_key_string_is_one_choice():
    assert earned(multiple(), "a") == Decimal("2.00")


def test_multiple_choice_unknown_key_is_refused():
    with pytest.raises(InvalidResponse):
        score_question(multiple(), ["a", "x"], seed=1)


# --- numeric ----------------------------------------------------------------

@pytest.mark.parametrize("response", ["14", "14.009", "13.991", "１４", "28/2", 14])
def test_numeric_within_tolerance(response):
    assert earned(numeric(), response) == Decimal("1.00")


@pytest.mark.parametrize("response", ["14.02", "12", "fourteen", "nan"])
def test_numeric_outside_tolerance_or_not_a_number(response):
    result = score_question(numeric(), response, seed=1)
    assert (result.earned, result.status) == (Decimal("0.00"), INCORRECT)


def test_relative_tolerance_is_relative_to_the_answer_not_the_guess():
    assert within_tolerance(1010.0, 1000.0, abs_tol=0, rel_tol=0.01)
    assert not within_tolerance(1011.0, 1000.0, abs_tol=0, rel_tol=0.01)
    # a huge guess must not widen its own window
    assert not within_tolerance(1e6, 1000.0, abs_tol=0, rel_tol=0.5)


def test_tolerance_is_decimal_not_binary():
    # 0.13 - 0.125 is 0.0050000000000000044 in binary floats
    assert within_tolerance(0.13, 0.125, abs_tol=0.005, rel_tol=0)
    assert within_tolerance(0.12, 0.125, abs_tol=0.005, rel_tol=0)
    assert not within_tolerance(0.1301, 0.125, abs_tol=0.005, rel_tol=0)


# --- short answer -------------------------------------------------------------

@pytest.mark.parametrize("response", ["ReLU", "relu", "ＲｅＬＵ", " relu。", "修正 线性 单元"])
def test_short_answer_normalised_and_any_accepted(response):
    assert earned(short(), response) == Decimal("1.00")


def test_short_answer_wrong():
    assert earned(short(), "sigmoid") == Decimal("0.00")


# --- parameterised ------------------------------------------------------------

def test_softmax_weight_textbook_example_by_hand():
    # The text's worked example: 112 and 96 over sqrt(64) = 8 give 14 and 12;
    # the first weight is e^14 / (e^14 + e^12) = 1 / (1 + e^-2) = 0.8808.
    assert softmax_weight(112, 96, 64) == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-12)
    assert softmax_weight(112, 96, 64) == pytest.approx(0.8808, abs=5e-5)


def test_parameterised_scoring_uses_the_drawn_answer():
    item = parameterised()
    answer = render(item, 7).answer
    assert earned(item, f"{answer:.2f}", seed=7) == Decimal("1.00")
    assert earned(item, f"{1 - answer:.2f}", seed=7) == Decimal("0.00")


def test_parameterised_answer_depends_on_the_seed_and_is_reproducible():
    item = parameterised()
    answers = {render(item, seed).answer for seed in range(40)}
    assert len(answers) > 5
    assert render(item, 12345) == render(item, 12345)


def test_parameterised_items_of_one_attempt_draw_separately():
    first, second = parameterised(id="first"), parameterised(id="second")
    differing = sum(render(first, s).prompt != render(second, s).prompt for s in range(20))
    assert differing > 10


def test_parameterised_result_shows_the_students_own_numbers():
    item = parameterised()
    result = score_question(item, "0.5", seed=99)
    assert result.prompt == render(item, 99).prompt
    assert "$" not in result.prompt.zh + result.prompt.en


# --- whole attempt --------------------------------------------------------------

def test_score_attempt_totals_and_explains_each_question():
    items = (single(), multiple(), true_false(), numeric(), short())
    responses = {"single": "a", "multiple": ["a"], "tf": False, "numeric": "14"}
    result = score_attempt(items, responses, seed=3)
    assert [q.item_id for q in result.questions] == ["single", "multiple", "tf", "numeric", "short"]
    assert [q.status for q in result.questions] == [CORRECT, PARTIAL, INCORRECT, CORRECT, UNANSWERED]
    assert [q.earned for q in result.questions] == [Decimal(x) for x in ("1", "2", "0", "1", "0")]
    assert result.total == Decimal("4.00")
    assert result.possible == Decimal("8.00")
    for question, item in zip(result.questions, items):
        assert question.explanation == item.explanation
        assert question.expected.zh and question.expected.en
    assert "a. 选项a" in result.questions[1].expected.zh
    assert "b. option b" in result.questions[1].expected.en


def test_score_attempt_refuses_answers_to_items_not_in_the_quiz():
    with pytest.raises(InvalidResponse, match="other-quiz-item"):
        score_attempt((single(),), {"single": "a", "other-quiz-item": "b"}, seed=1)


@pytest.mark.parametrize("blank", [None, "", "   ", [], set()])
def test_blank_responses_are_unanswered(blank):
    for item in (single(), multiple(), numeric(), short(), parameterised()):
        result = score_question(item, blank, seed=1)
        assert (result.status, result.earned) == (UNANSWERED, Decimal("0.00"))


# --- properties ----------------------------------------------------------------

cents = st.integers(min_value=1, max_value=2000).map(lambda c: Fraction(c, 100))


@st.composite
def choice_items(draw):
    kind = draw(st.sampled_from([SINGLE, MULTIPLE]))
    count = draw(st.integers(min_value=2, max_value=7))
    keys = [chr(ord("a") + i) for i in range(count)]
    if kind == SINGLE:
        right = {draw(st.sampled_from(keys))}
    else:
        right = set(draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)))
    options = tuple(Option(k, Text(f"选项{k}", f"option {k}"), k in right) for k in keys)
    item = Item(id="prop", type=kind, prompt=Text("题", "Q"),
                explanation=Text("见 1.1.1。", "See 1.1.1."),
                points=draw(cents), options=options)
    assert validate_item(item) == []
    return item


@given(item=choice_items(), data=st.data())
def test_choice_score_is_within_zero_and_points(item, data):
    keys = [o.key for o in item.options]
    if item.type == SINGLE:
        response = data.draw(st.sampled_from(keys))
    else:
        response = data.draw(st.lists(st.sampled_from(keys)))
    result = score_question(item, response, seed=0)
    assert Decimal(0) <= result.earned <= result.possible


@given(item=choice_items())
def test_choice_correct_answer_gets_full_points(item):
    right = [o.key for o in item.options if o.correct]
    response = right[0] if item.type == SINGLE else right
    result = score_question(item, response, seed=0)
    assert result.earned == result.possible
    assert result.status == CORRECT


@given(item=choice_items(), data=st.data())
def test_multiple_choice_order_and_repeats_of_chosen_options_are_irrelevant(item, data):
    keys = [o.key for o in item.options]
    chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1))
    shuffled = data.draw(st.permutations(chosen)) + chosen[:1]
    item = Item(**{**item.__dict__, "type": MULTIPLE})
    assert score_question(item, chosen, seed=0) == score_question(item, shuffled, seed=0)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(answer=finite, abs_tol=st.floats(min_value=0, max_value=10),
       rel_tol=st.floats(min_value=0, max_value=1), guess=finite, points=cents)
def test_numeric_score_in_range_and_exact_answer_full(answer, abs_tol, rel_tol, guess, points):
    item = numeric(answer_number=answer, abs_tol=abs_tol + 1e-9, rel_tol=rel_tol, points=points)
    assert validate_item(item) == []
    assert Decimal(0) <= earned(item, guess) <= Decimal(points.numerator) / points.denominator
    assert score_question(item, repr(answer), seed=0).status == CORRECT
    assert score_question(item, answer, seed=0).status == CORRECT


printable = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=20
)


@given(accepted=st.lists(printable, min_size=1, max_size=4), pick=st.integers(min_value=0))
def test_short_answer_any_accepted_answer_in_any_case_gets_full_points(accepted, pick):
    item = short(accepted=tuple(accepted))
    if validate_item(item):  # empty or colliding once normalised: not a valid item
        return
    answer = accepted[pick % len(accepted)]
    for typed in (answer, answer.upper(), f"  {answer}  ", answer.casefold()):
        assert score_question(item, typed, seed=0).status == CORRECT


@settings(max_examples=60)
@given(seed=st.integers(min_value=0, max_value=2**63), generator=st.sampled_from(
    ["scaled_score", "softmax_weight", "bigram_probability", "sentence_frequency", "cosine_similarity"]))
def test_parameterised_expected_answer_and_its_rounding_get_full_points(seed, generator):
    from quizzes.parameterised import GENERATORS

    names = sorted(GENERATORS[generator].variables)
    template = " ".join(f"${name}" for name in names)
    item = parameterised(generator=generator, prompt=Text(template, template), abs_tol=0.005)
    assert validate_item(item) == []
    answer = render(item, seed).answer
    for typed in (repr(answer), f"{answer:.2f}", f"{answer:.4f}"):
        result = score_question(item, typed, seed=seed)
        assert result.earned == result.possible, (typed, answer)
    wrong = score_question(item, str(answer + 0.1), seed=seed)
    assert wrong.earned == Decimal("0.00")
    guess = score_question(item, str(random.Random(seed).uniform(-5, 5)), seed=seed)
    assert Decimal(0) <= guess.earned <= guess.possible
