"""Moodle XML import: every question type, cloze, the XML attacks refused, and
every error naming the question and its line while nothing is imported."""

from fractions import Fraction
from pathlib import Path

import pytest

from quizzes.bank import load_bank
from quizzes.interchange import NO_EXPLANATION, ImportErrors, portable
from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, SHORT, SINGLE, TRUE_FALSE, NumericAnswer, Text,
)
from quizzes.moodle_xml import export_moodle_xml, parse_moodle_xml
from quizzes.scoring import score_question

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def quiz(*questions):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def question(kind, body, name="q", text="Question?", extra=""):
    return (f'<question type="{kind}"><name><text>{name}</text></name>'
            f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>'
            f"{extra}{body}</question>")


def answer(fraction, text, extra=""):
    return f'<answer fraction="{fraction}" format="html"><text>{text}</text>{extra}<feedback><text>fb</text></feedback></answer>'


def one(xml):
    items = parse_moodle_xml(xml)
    assert len(items) == 1, items
    return items[0]


def errors_of(xml):
    with pytest.raises(ImportErrors) as caught:
        parse_moodle_xml(xml)
    return caught.value.errors


def test_multichoice_single_with_feedback_grade_and_section_tag():
    item = one(quiz(question("multichoice", "<single>true</single>" + answer(100, "Paris")
                             + answer(0, "London"), name="Capital",
                             extra="<generalfeedback><text>See a map.</text></generalfeedback>"
                                   "<defaultgrade>2.5000000</defaultgrade>"
                                   "<tags><tag><text>section:2.3.1</text></tag></tags>")))
    assert (item.id, item.type, item.points, item.section) == ("capital", SINGLE, Fraction(5, 2), "2.3.1")
    assert [(o.text.en, o.correct, o.weight) for o in item.options] == [("Paris", True, None), ("London", False, None)]
    assert item.explanation == Text("See a map.", "See a map.")


def test_multichoice_multiple_with_moodle_fractions():
    item = one(quiz(question("multichoice", "<single>false</single>" + answer("33.33333", "a")
                             + answer("33.33333", "b") + answer("33.33334", "c") + answer(-100, "d"))))
    assert item.type == MULTIPLE
    assert [o.weight for o in item.options] == [Fraction(1, 3)] * 3 + [-1]
    assert score_question(item, ["a", "b", "c"], seed=1).earned == 1


def test_truefalse():
    item = one(quiz(question("truefalse", answer(0, "true") + answer(100, "false"))))
    assert (item.type, item.answer_bool, item.explanation) == (TRUE_FALSE, False, NO_EXPLANATION)


def test_shortanswer_case_sensitivity_and_wrong_answers_skipped():
    item = one(quiz(question("shortanswer", "<usecase>1</usecase>" + answer(100, "NaN")
                             + answer(100, "not a number") + answer(0, "*"))))
    assert (item.type, item.accepted, item.case_sensitive) == (SHORT, ("NaN", "not a number"), True)


def test_numerical_with_tolerances():
    item = one(quiz(question("numerical", answer(100, "2", "<tolerance>0.01</tolerance>")
                             + answer(100, "-2", "<tolerance>0.1</tolerance>") + answer(0, "*"))))
    assert (item.type, item.answer_number, item.abs_tol, item.more_numbers) == (
        NUMERIC, 2.0, 0.01, (NumericAnswer(-2.0, 0.1),))


def test_matching_with_a_distractor():
    body = "".join(
        f'<subquestion format="html"><text>{p}</text><answer><text>{a}</text></answer></subquestion>'
        for p, a in [("cat", "meow"), ("dog", "woof"), ("", "quack")])
    item = one(quiz(question("matching", body)))
    assert item.type == MATCHING
    assert [(p.prompt and p.prompt.en, p.answer.en) for p in item.pairs] == [
        ("cat", "meow"), ("dog", "woof"), (None, "quack")]


def test_cloze_gaps_of_every_kind():
    text = ("Activation {1:SHORTANSWER:=ReLU#yes~%0%tanh} is {2:NUMERICAL:=14:0.01} "
            "and {1:MULTICHOICE:=right~wrong} or {2:MR:%50%x~%50%y~%-100%z} {1:SAC:=NaN}")
    item = one(quiz(question("cloze", "", text=text)))
    assert item.type == CLOZE
    assert item.prompt.en == "Activation {#1} is {#2} and {#3} or {#4} {#5}"
    kinds = [(part.type, part.points) for part in item.parts]
    assert kinds == [(SHORT, 1), (NUMERIC, 2), (SINGLE, 1), (MULTIPLE, 2), (SHORT, 1)]
    assert item.parts[4].case_sensitive and not item.parts[0].case_sensitive
    result = score_question(item, {"1": "relu", "2": "14", "3": "a", "4": ["a"], "5": "NaN"}, seed=1)
    # gaps worth 1 + 2 + 1 + 2 + 1; half of gap 4 (one of its two right options)
    assert str(result.earned) == "0.86"  # 6/7 of the item's 1 point


def test_html_is_turned_into_text():
    item = one(quiz(question("truefalse", answer(100, "true") + answer(0, "false"),
                             text="<p>Is <b>2 &lt; 3</b>?<br>Think.</p><img src='x.png'>")))
    assert item.prompt.en == "Is 2 < 3?\nThink."


def test_bytes_are_read_in_the_encoding_the_file_declares():
    xml = quiz(question("truefalse", answer(100, "true") + answer(0, "false"), text="Café?"))
    latin = xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert one(latin).prompt.en == "Café?"


def test_categories_are_skipped_and_bilingual_text_split():
    xml = quiz('<question type="category"><category><text>$course$/top</text></category></question>',
               question("truefalse", answer(100, "true") + answer(0, "false"),
                        text="[zh]太阳是恒星。[en]The sun is a star."))
    assert one(xml).prompt == Text("太阳是恒星。", "The sun is a star.")


# --- attacks and errors -------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="shortanswer"><name><text>&lol9;</text></name></question></quiz>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><name><text>x</text></name>
<questiontext><text>&secret;</text></questiontext></question></quiz>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://127.0.0.1:1/evil.dtd">
<quiz/>
"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, XXE, EXTERNAL_DTD])
def test_xml_attacks_are_refused_with_a_clear_error(attack):
    errors = errors_of(attack)
    assert len(errors) == 1
    assert errors[0].line == 2
    assert "refused: the file declares a DTD or entities" in errors[0].message


def test_an_honest_file_still_imports_after_the_attacks():
    assert one(quiz(question("truefalse", answer(100, "true") + answer(0, "false")))).answer_bool is True


def test_malformed_xml_names_line_and_column():
    errors = errors_of("<quiz>\n<question type='truefalse'>\n</quiz>\n")
    assert (errors[0].line, errors[0].column) == (3, 3)
    assert "not well-formed" in errors[0].message


def test_every_error_is_listed_by_question_and_line_and_nothing_imported():
    xml = quiz(
        question("truefalse", answer(100, "true") + answer(0, "false"), name="fine"),  # line 3
        question("essay", "", name="Essay one"),  # line 4
        question("shortanswer", answer(50, "half"), name="half"),  # line 5
        question("numerical", answer(100, "3"), name="exact"),  # line 6
        question("multichoice", "<single>true</single>" + answer(100, "a") + answer(0, "a"), name="dup"),  # 7
        question("numerical", answer(100, "x", "<tolerance>1</tolerance>"), name="nan"),  # line 8
        question("cloze", "", text="{1:ESSAY:=x}", name="clz"),  # line 9
        question("multichoice", answer("abc", "a"), name="frac"),  # line 10
        question("truefalse", answer(100, "true"), name="zero", extra="<defaultgrade>0</defaultgrade>"),  # 11
    )
    errors = errors_of(xml)
    assert sorted({e.line for e in errors}) == [4, 5, 6, 7, 8, 9, 10, 11], errors
    messages = " | ".join(str(e) for e in errors)
    for words in ["question 2 ('Essay one'): question type 'essay' is not supported",
                  "question 3 ('half'): partial credit on a short answer",
                  "question 4 ('exact'): the numerical answer 3 needs a tolerance",
                  "question 'dup': duplicate option",
                  "question 6 ('nan'): answer 'x' is not a number",
                  "question 7 ('clz'): unknown embedded question type 'ESSAY'",
                  "question 8 ('frac'): fraction 'abc' is not a number",
                  "question 'zero': points must be positive, got 0"]:
        assert words in messages, words


def test_the_root_must_be_a_quiz():
    assert "not <quiz>" in errors_of("<questions/>")[0].message


# --- export and round trips ---------------------------------------------------------

def test_export_then_import_gives_the_same_questions_for_every_type():
    from quiz_items import cloze, matching, multiple, numeric, short, single, true_false
    from test_quizzes_imported_types import weighted
    items = [single(), multiple(id="m"), weighted(multiple(id="w"), ["1/2", "1/2", "-1/2", "-1"]),
             true_false(), numeric(more_numbers=(NumericAnswer(28.0, 0.5),)),
             short(case_sensitive=True), matching(), cloze(points=Fraction(4))]
    assert parse_moodle_xml(export_moodle_xml(items)) == items


def test_the_sample_course_banks_round_trip():
    for bank_quiz in load_bank(PROJECT_ROOT / "content" / "quizzes"):
        exported = export_moodle_xml(bank_quiz.items, seed=7)
        assert parse_moodle_xml(exported) == [portable(item, seed=7) for item in bank_quiz.items]
