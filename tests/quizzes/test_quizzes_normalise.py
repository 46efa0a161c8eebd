"""Typed answers: what counts as the same text and which numbers are read."""

import pytest

from quizzes.normalise import normalise_text, parse_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ＲｅＬＵ", "relu"),  # full-width letters
        ("  Data   Contamination ", "data contamination"),
        ("数据 污染", "数据污染"),  # Chinese is written without spaces
        ("Transformer。", "transformer"),  # trailing full stop, CJK or not
        ("「降维」", "降维"),
        ("Straße", "strasse"),  # case-folding, not just lower()
        ("ｒｅｌｕ！", "relu"),
    ],
)
def test_normalise_text_folds_width_case_space_and_punctuation(typed, expected):
    assert normalise_text(typed) == expected


def test_normalise_text_keeps_spaces_between_latin_words():
    assert normalise_text("instruction   tuning") == "instruction tuning"
    assert normalise_text("instructiontuning") != normalise_text("instruction tuning")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0.88", 0.88),
        ("１４", 14.0),  # full-width digits
        (" 3 / 4 ", 0.75),
        ("88%", 0.88),
        ("−2.5", -2.5),  # U+2212 minus sign
        (7, 7.0),
        (0.5, 0.5),
    ],
)
def test_parse_number_reads_what_students_type(typed, expected):
    assert parse_number(typed) == pytest.approx(expected)


@pytest.mark.parametrize("typed", ["", "abc", "1/0", "nan", "inf", "-inf", "1,5", True, None])
def test_parse_number_refuses_what_is_not_a_finite_number(typed):
    assert parse_number(typed) is None
