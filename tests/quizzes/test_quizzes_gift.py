"""GIFT import: every question type, the escapes and conventions, and every
error naming its line while nothing is imported."""

from fractions import Fraction
from pathlib import Path

import pytest

from quizzes.bank import load_bank
from quizzes.gift import escape, export_gift, parse_gift, read_gift, unescape
from quizzes.interchange import NO_EXPLANATION, ImportErrors, portable
from quizzes.items import (
    MATCHING, MULTIPLE, NUMERIC, SHORT, SINGLE, TRUE_FALSE, NumericAnswer, Text,
)
from quizzes.scoring import score_question

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def one(text):
    items = parse_gift(text)
    assert len(items) == 1, items
    return items[0]


def errors_of(text):
    with pytest.raises(ImportErrors) as caught:
        parse_gift(text)
    return caught.value.errors


def test_single_choice_with_title_and_general_feedback():
    item = one("::Capital of France:: Which city? {=Paris ~London#no ~Berlin ####Paris it is.}")
    assert (item.id, item.type, item.prompt) == ("capital-of-france", SINGLE, Text("Which city?", "Which city?"))
    assert [(o.key, o.text.en, o.correct, o.weight) for o in item.options] == [
        ("a", "Paris", True, None), ("b", "London", False, None), ("c", "Berlin", False, None)]
    assert item.explanation == Text("Paris it is.", "Paris it is.")


def test_weighted_choices_become_option_weights():
    item = one("Which are primes? {~%50%2 ~%50%3 ~%-100%4}")
    assert item.type == MULTIPLE
    assert [o.weight for o in item.options] == [Fraction(1, 2), Fraction(1, 2), Fraction(-1)]
    assert score_question(item, ["a", "b"], seed=1).earned == 1


def test_moodle_thirds_become_exact_thirds():
    item = one("Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert [o.weight for o in item.options][:3] == [Fraction(1, 3)] * 3


def test_without_an_equals_sign_a_full_weight_option_still_makes_multiple_choice():
    # Moodle's rule: "=" makes a single choice, only weights make several
    item = one("Pick {~%100%a ~%-50%b}")
    assert item.type == MULTIPLE
    assert score_question(item, ["a", "b"], seed=1).earned == Fraction(1, 2)


def test_single_choice_with_a_partly_right_option_keeps_its_weights():
    item = one("Closest? {=exact ~%50%near ~far}")
    assert item.type == SINGLE
    assert [o.weight for o in item.options] == [1, Fraction(1, 2), 0]


@pytest.mark.parametrize("answer, value", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false(answer, value):
    item = one(f"The sun is a star. {{{answer}#wrong#right}}")
    assert (item.type, item.answer_bool) == (TRUE_FALSE, value)


def test_short_answer_with_several_answers_ignores_zero_weight_ones():
    item = one("Two ways to say it? {=ReLU =rectified linear unit =%0%sigmoid#a common slip}")
    assert (item.type, item.accepted, item.case_sensitive) == (SHORT, ("ReLU", "rectified linear unit"), False)


def test_numerical_with_tolerance_range_and_several_answers():
    assert (one("Pi? {#3.14:0.01}").answer_number, one("Pi? {#3.14:0.01}").abs_tol) == (3.14, 0.01)
    ranged = one("Between? {#1..2}")
    assert (ranged.answer_number, ranged.abs_tol) == (1.5, 0.5)
    several = one("Root of 4? {#=2:0.01 =-2:0.01 ~%0%4:0}")
    assert (several.type, several.answer_number, several.more_numbers) == (
        NUMERIC, 2.0, (NumericAnswer(-2.0, 0.01),))


def test_feedback_and_escaped_marks_are_told_apart():
    item = one(r"::a\:b:: Pi? {#3.14:0.01#close enough ####\#1 fact}")
    assert (item.id, item.answer_number, item.explanation.en) == ("a-b", 3.14, "#1 fact")
    assert one(r"Hash? {=\#### \#x}").explanation == NO_EXPLANATION


def test_matching():
    item = one("Sounds. {=cat -> meow =dog -> woof =cow -> moo}")
    assert item.type == MATCHING
    assert [(p.key, p.prompt.en, p.answer.en) for p in item.pairs] == [
        ("1", "cat", "meow"), ("2", "dog", "woof"), ("3", "cow", "moo")]


def test_missing_word_question_keeps_the_text_after_the_answers():
    item = one("Mary had a {=little ~big} lamb.")
    assert item.prompt.en == "Mary had a _____ lamb."


def test_escapes_in_text_and_answers():
    item = one(r"Write \{x\} \= 1 \~ 2 \# 3 \: 4\nnext {=a\=b ~c\#d ~e\}f}")
    assert item.prompt.en == "Write {x} = 1 ~ 2 # 3 : 4\nnext"
    assert [o.text.en for o in item.options] == ["a=b", "c#d", "e}f"]


@pytest.mark.parametrize("text", ["a~b", "{x}=1 #2 :3", "back\\slash", "two\nlines", "\\n literal"])
def test_escape_is_undone_by_unescape(text):
    assert unescape(escape(text)) == text


def test_comments_categories_and_descriptions_are_skipped_and_listed():
    read = read_gift("// a comment {not an answer}\n$CATEGORY: $course$/top\n\n"
                     "Only words here.\n\nQ? {T}\n")
    assert [item.type for item in read.items] == [TRUE_FALSE]
    assert [(p.line, p.message.split(":")[0]) for p in read.skipped] == [
        (2, "category line"), (4, "description (no answers)")]


def test_bilingual_convention_and_one_language_for_both():
    item = one("[zh]法国的首都？[en]Capital of France? {=[zh]巴黎[en]Paris ~[zh]伦敦[en]London}")
    assert item.prompt == Text("法国的首都？", "Capital of France?")
    assert item.options[0].text == Text("巴黎", "Paris")
    assert one("Capital? {T}").prompt == Text("Capital?", "Capital?")


def test_html_is_turned_into_text_and_other_formats_kept_as_written():
    html = one("[html]<p>Is <b>2 &lt; 3</b>?</p><script>alert(1)</script> {T}")
    assert html.prompt.en == "Is 2 < 3?\nalert(1)"
    assert "<" not in html.prompt.en.replace("2 < 3", "")
    assert one("[markdown]Is **this** bold? {T}").prompt.en == "Is **this** bold?"
    assert one("[plain]Is <b> a tag? {T}").prompt.en == "Is <b> a tag?"


def test_no_general_feedback_gives_the_stated_placeholder():
    assert one("Q? {T}").explanation == NO_EXPLANATION


def test_untitled_and_repeated_titles_get_unique_ids():
    items = parse_gift("::注意力:: Q? {T}\n\n::same:: Q? {T}\n\n::same:: Q? {F}\n")
    assert [item.id for item in items] == ["q1", "same", "same-2"]


# --- errors: every one named, nothing imported -----------------------------------

def test_every_error_of_a_file_is_listed_by_line_and_nothing_imported():
    text = "\n".join([
        "Good? {T}",                    # 1
        "",                             # 2
        "Essay? {}",                    # 3
        "",                             # 4
        "Bad number {#abc}",            # 5
        "",                             # 6
        "Unclosed {=a ~b",              # 7
        "",                             # 8
        "Partial {=a =%50%b}",          # 9
        "",                             # 10
        "No tolerance {#3}",            # 11
        "",                             # 12
        "Stray } brace",                # 13
        "",                             # 14
        "Two blocks {T} and {F}",       # 15
        "",                             # 16
        "Bad start {a ~b}",             # 17
        "",                             # 18
        "One option {=a}",              # 19 parsed as short answer: fine
        "",                             # 20
        "Lone choice {=a ~a}",          # 21 duplicate options: a validation problem
        "",                             # 22
        "::unclosed title Q? {T}",      # 23
        "",                             # 24
        "Weight {~%150%a =b}",          # 25
    ])
    errors = errors_of(text)
    found = {(e.line, e.message.split(" (")[0].split(":")[0]) for e in errors}
    assert sorted({e.line for e in errors}) == [3, 5, 7, 9, 11, 13, 15, 17, 21, 23, 25], errors
    messages = " | ".join(str(e) for e in errors)
    for words in ["essay questions", "'abc' is not a number", "not closed with }",
                  "partial credit on a short answer", "needs a tolerance above 0",
                  "a } without its {", "one answer block", "must begin with = or ~",
                  "duplicate option", "title (::title::) is not closed", "outside -100% to 100%"]:
        assert words in messages, (words, found)


def test_errors_name_the_column_and_the_line_within_a_question():
    errors = errors_of("First line\nsecond line {\n=a\n=%50%b\n}")
    assert [(e.line, e.column) for e in errors] == [(4, 1)]
    assert str(errors[0]).startswith("line 4, column 1: partial credit")


def test_a_validation_problem_names_the_question_and_its_line():
    errors = errors_of("Ok? {T}\n\n\n::dup:: Pick {=a ~a}")
    assert errors and all(e.line == 4 and "question 'dup'" in e.message for e in errors)


# --- export and round trips ---------------------------------------------------------

def test_export_then_import_gives_the_same_questions():
    text = ("::c:: [zh]首都？[en]Capital? {=Paris ~London ####[zh]见地图。[en]See a map.}\n\n"
            "::w:: Pick {~%50%2 ~%50%3 ~%-100%4}\n\n::t:: Sun? {F}\n\n::n:: Pi {#=3.14:0.01 =3:0.2}\n\n"
            "::s:: Say {=a\\=b =c}\n\n::m:: Match {=x -> 1 =y -> 2}\n")
    items = parse_gift(text)
    assert parse_gift(export_gift(items)) == items


def test_the_sample_course_banks_round_trip_as_far_as_gift_holds_them():
    for quiz in load_bank(PROJECT_ROOT / "content" / "quizzes"):
        exported = export_gift(quiz.items, seed=7)
        assert parse_gift(exported) == [portable(item, seed=7, gift=True) for item in quiz.items]


def test_parameterised_items_are_exported_as_their_draw_for_the_seed():
    quiz = load_bank(PROJECT_ROOT / "content" / "quizzes" / "chapter-2-quiz.toml")[0]
    param = next(item for item in quiz.items if item.type == "parameterised_numeric")
    back = one(export_gift([param], seed=3))
    assert back.type == NUMERIC and "$" not in back.prompt.en
    assert score_question(param, str(back.answer_number), seed=3).earned == param.points


def test_cloze_cannot_be_written_as_gift():
    from quiz_items import cloze
    with pytest.raises(ValueError, match="use Moodle XML"):
        export_gift([cloze()])
