"""The item types and rules that imported banks bring: option weights, several
numeric answers, case-sensitive short answers, matching and cloze."""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from quiz_items import cloze, gap, matching, multiple, numeric, option, pair, short, single

from quizzes.bank import item_from_dict
from quizzes.items import NUMERIC, SHORT, TRUE_FALSE, NumericAnswer, Option, Text
from quizzes.scoring import (
    CORRECT, INCORRECT, PARTIAL, UNANSWERED, InvalidResponse, score_question,
)
from quizzes.validation import validate_item


def earned(item, response):
    return score_question(item, response, seed=1).earned


def weighted(item, weights):
    weights = [Fraction(w) for w in weights]
    options = tuple(
        replace(o, weight=w, correct=(w == 1 if item.type == "single_choice" else w > 0))
        for o, w in zip(item.options, weights)
    )
    return replace(item, options=options)


def _problems_containing(item, words):
    problems = validate_item(item)
    assert any(words in problem for problem in problems), problems


@pytest.mark.parametrize("build", [matching, cloze])
def test_valid_imported_items_have_no_problems(build):
    assert validate_item(build()) == []


# --- weights ------------------------------------------------------------------

def test_weighted_single_choice_earns_the_chosen_weight_never_below_zero():
    item = weighted(single(), ["1", "1/2", "-1/2"])
    assert validate_item(item) == []
    assert earned(item, "a") == Decimal("1.00")
    assert earned(item, "b") == Decimal("0.50")
    assert score_question(item, "b", seed=1).status == PARTIAL
    assert earned(item, "c") == Decimal("0.00")


@pytest.mark.parametrize("chosen, points", [
    (["a", "b"], "4.00"), (["a"], "2.00"), (["a", "b", "c"], "2.00"), (["c", "d"], "0.00"),
    (["a", "b", "c", "d"], "0.00"),
])
def test_weighted_multiple_choice_sums_the_chosen_weights_within_zero_and_one(chosen, points):
    item = weighted(multiple(), ["1/2", "1/2", "-1/2", "-1"])
    assert validate_item(item) == []
    assert earned(item, chosen) == Decimal(points)


def test_weights_must_be_on_every_option_or_none():
    item = multiple(options=(replace(option("a", True), weight=Fraction(1)), option("b", True),
                             option("c"), option("d")))
    _problems_containing(item, "either every option has a weight or none has")


def test_weights_must_lie_within_minus_one_and_one():
    _problems_containing(weighted(single(), ["2", "0", "0"]), "within -1 and 1")


def test_positive_weights_of_a_multiple_choice_item_add_up_to_one():
    _problems_containing(weighted(multiple(), ["1/2", "1/4", "0", "0"]), "must add up to 1")


def test_correct_must_agree_with_the_weight():
    item = weighted(multiple(), ["1/2", "1/2", "0", "0"])
    item = replace(item, options=(*item.options[:3], replace(item.options[3], correct=True)))
    _problems_containing(item, "correct must be true exactly when it has a positive weight")


# --- numbers and short answers ------------------------------------------------

def test_numeric_accepts_any_of_several_answers_each_with_its_tolerance():
    item = numeric(more_numbers=(NumericAnswer(28.0, 0.5),))
    assert validate_item(item) == []
    assert earned(item, "14") == earned(item, "28.4") == Decimal("1.00")
    assert earned(item, "28.6") == Decimal("0.00")


def test_a_further_numeric_answer_needs_a_tolerance():
    _problems_containing(numeric(more_numbers=(NumericAnswer(28.0, 0.0),)), "answer 2 needs a tolerance")


def test_case_sensitive_short_answer():
    item = short(case_sensitive=True)
    assert validate_item(item) == []
    assert earned(item, "ReLU") == Decimal("1.00")
    assert earned(item, "relu") == Decimal("0.00")
    assert earned(short(), "relu") == Decimal("1.00")


def test_case_sensitive_short_answer_may_list_answers_differing_in_case():
    assert validate_item(short(case_sensitive=True, accepted=("NaN", "nan"))) == []
    _problems_containing(short(accepted=("NaN", "nan")), "the same once normalised")


def test_fields_of_other_types_are_refused():
    _problems_containing(single(pairs=matching().pairs), "pairs does not apply to a single_choice item")
    _problems_containing(numeric(case_sensitive=True), "case_sensitive does not apply")


# --- matching -----------------------------------------------------------------

def test_matching_earns_its_share_per_pair_matched_right():
    item = matching()
    assert earned(item, {"1": "1", "2": "2", "3": "3"}) == Decimal("1.00")
    result = score_question(item, {"1": "1", "2": "3", "3": "2"}, seed=1)
    assert (result.earned, result.status) == (Decimal("0.33"), PARTIAL)
    assert earned(item, {"1": "4", "2": "1"}) == Decimal("0.00")
    assert score_question(item, {}, seed=1).status == UNANSWERED


def test_matching_two_prompts_sharing_an_answer_accept_either_copy():
    item = matching(pairs=(pair("1", "cat", "animal"), pair("2", "dog", "animal"), pair("3", "rose", "plant")))
    assert earned(item, {"1": "2", "2": "1", "3": "3"}) == Decimal("1.00")


@pytest.mark.parametrize("response", [{"9": "1"}, {"1": "9"}, {"4": "1"}, ["1"], "1"])
def test_matching_responses_its_form_cannot_send_are_refused(response):
    with pytest.raises(InvalidResponse):
        earned(matching(), response)


def test_matching_needs_two_prompted_pairs_and_unique_keys():
    _problems_containing(matching(pairs=(pair("1", "cat", "meow"), pair("2", None, "woof"))),
                         "at least 2 pairs with a prompt")
    _problems_containing(matching(pairs=(pair("1", "cat", "meow"), pair("1", "dog", "woof"))),
                         "duplicate pair key '1'")


# --- cloze --------------------------------------------------------------------

def test_cloze_scores_the_sum_of_its_gaps_weighted_by_their_points():
    item = cloze(points=Fraction(4))
    assert earned(item, {"1": "relu", "2": "14", "3": "a"}) == Decimal("4.00")
    result = score_question(item, {"1": "relu", "2": "15", "3": "a"}, seed=1)
    assert (result.earned, result.status) == (Decimal("2.00"), PARTIAL)  # gaps worth 1, 2, 1
    assert score_question(item, {"2": "14"}, seed=1).earned == Decimal("2.00")
    assert score_question(item, {"1": "", "2": " "}, seed=1).status == UNANSWERED
    assert score_question(item, {"1": "x", "2": "1", "3": "b"}, seed=1).status == INCORRECT
    assert score_question(item, {"1": "ReLU", "2": "14", "3": "a"}, seed=1).status == CORRECT


@pytest.mark.parametrize("response", [{"4": "x"}, {"3": "z"}, "relu"])
def test_cloze_responses_its_form_cannot_send_are_refused(response):
    with pytest.raises(InvalidResponse):
        earned(cloze(), response)


def test_cloze_each_gap_shows_once_in_each_language():
    item = cloze(prompt=Text("{#1} {#2}", "{#1} {#2} {#3} {#3}"))
    _problems_containing(item, "the zh prompt shows gap 3 ({#3}) 0 times, not once")
    _problems_containing(item, "the en prompt shows gap 3 ({#3}) 2 times, not once")


def test_cloze_gaps_are_validated_like_items():
    broken = cloze(parts=(gap(SHORT, accepted=()), gap(NUMERIC, answer_number=1.0),
                          gap(TRUE_FALSE, answer_bool=True)))
    _problems_containing(broken, "gap 1: a short_answer item needs at least one accepted answer")
    _problems_containing(broken, "gap 2: a numeric item needs a tolerance")
    _problems_containing(broken, "gap 3: a cloze gap cannot be a true_false item")


def test_cloze_gap_words_belong_in_the_prompt():
    parts = (replace(cloze().parts[0], prompt=Text("x", "x")), *cloze().parts[1:])
    _problems_containing(cloze(parts=parts), "gap 1: its words belong in the cloze prompt")


def test_the_toml_bank_says_imported_types_come_by_import():
    for kind in ("matching", "cloze"):
        with pytest.raises(ValueError, match="come from GIFT or Moodle XML imports"):
            item_from_dict({"id": "x", "type": kind})


def test_an_option_of_an_unweighted_item_has_no_weight():
    assert Option(key="a", text=Text("a", "a")).weight is None
