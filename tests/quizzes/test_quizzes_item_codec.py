"""A stored question's JSON body gives back the very Item it was made from."""

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from quiz_items import cloze, matching, multiple, numeric, parameterised, short, single, true_false
from quizzes.bank import load_bank
from quizzes.item_codec import item_body, item_from_data, item_from_parts, item_to_data
from quizzes.items import NumericAnswer, Option, Text

BANK = Path(__file__).resolve().parents[2] / "content" / "quizzes"


def _through_json(item):
    # What the database's JSON column does to the data: a text round trip.
    return item_from_data(json.loads(json.dumps(item_to_data(item))))


@pytest.mark.parametrize(
    "item",
    [
        single(),
        multiple(),
        true_false(),
        numeric(more_numbers=(NumericAnswer(2.5, 0.1),)),
        short(case_sensitive=True),
        parameterised(),
        matching(),
        cloze(),
        single(options=(
            Option("a", Text("对", "right"), True, Fraction(1)),
            Option("b", Text("半对", "half"), False, Fraction(1, 3)),
        ), points=Fraction(5, 2)),
    ],
    ids=lambda item: item.id + "-" + item.type,
)
def test_every_type_comes_back_equal(item):
    assert _through_json(item) == item


def test_every_item_of_the_sample_bank_comes_back_equal():
    items = [item for quiz in load_bank(BANK) for item in quiz.items]

    assert len(items) >= 40
    for item in items:
        assert _through_json(item) == item


def test_the_body_leaves_out_the_columns_and_the_empty_fields():
    item = true_false()

    assert item_body(item) == {"answer_bool": item.answer_bool}
    rebuilt = item_from_parts(
        id=item.id, type=item.type, section=item.section, points=item.points,
        prompt=item.prompt, explanation=item.explanation, body=item_body(item),
    )  # fmt: skip
    assert rebuilt == item


def test_a_body_missing_what_its_type_needs_is_an_error_not_a_default():
    data = item_to_data(single())
    del data["options"][0]["text"]

    with pytest.raises(KeyError):
        item_from_data(data)


def test_exact_fractions_survive():
    item = replace(single(), points=Fraction(1, 3))

    assert item_to_data(item)["points"] == "1/3"
    assert _through_json(item).points == Fraction(1, 3)
