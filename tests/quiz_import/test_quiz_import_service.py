"""Importing question banks into the database: all or nothing, re-imports update
by key, the quiz and its unpublished assignment are created when missing, and a
bank round-trips through export (import → export → import gives the same questions)."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.models import Assignment, Course
from quizzes.importing import quiz_questions_export, quiz_questions_import
from quizzes.models import Question, Quiz
from tests.quiz_import.banks import BROKEN_GIFT, GIFT, MOODLE_XML, every_type_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return Course.objects.create(slug="alpha", title_en="Alpha", title_zh="甲")


@pytest.fixture
def other_course():
    return Course.objects.create(slug="beta", title_en="Beta", title_zh="乙")


def _questions(quiz):
    return [(q.key, q.to_item()) for q in quiz.questions.order_by("position", "id")]


def test_an_import_creates_the_quiz_its_unpublished_assignment_and_the_questions(course):
    result = quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    assert result.ok and result.imported == 3 and result.created == 3 and result.updated == 0
    assert result.quiz_created
    quiz = Quiz.objects.get(slug="week-1")
    assert quiz.course == course and quiz.title_en == "week-1"
    assignment = Assignment.objects.get(quiz=quiz)
    assert assignment.kind == Assignment.Kind.QUIZ and assignment.course == course and not assignment.published
    keys = list(quiz.questions.order_by("position").values_list("key", "type", "position"))
    assert keys == [("scale", "single_choice", 1), ("sqrt-8", "numeric", 2), ("softmax-sums", "true_false", 3)]
    scale = quiz.questions.get(key="scale")
    assert scale.prompt_zh == "注意力分数除以什么？" and scale.prompt_en == "What are attention scores divided by?"
    assert scale.explanation_en == "Section 2.3: by sqrt(d_k)." and scale.points == Decimal("1.000")


def test_every_importable_type_is_stored_and_reads_back_as_the_parsed_item(course):
    from quizzes.gift import parse_gift

    text = every_type_gift()
    result = quiz_questions_import(course=course, quiz_slug="all-types", text=text, format="gift")
    assert result.ok, result.errors
    assert [item for _, item in _questions(result.quiz)] == parse_gift(text)
    assert {q.type for q in result.quiz.questions.all()} == {
        "single_choice", "multiple_choice", "true_false", "short_answer", "numeric", "matching",
    }


def test_moodle_xml_with_weights_and_cloze_is_imported(course):
    result = quiz_questions_import(course=course, quiz_slug="xml", text=MOODLE_XML.encode(), format="moodle-xml")
    assert result.ok, result.errors
    types = dict(result.quiz.questions.values_list("key", "type"))
    assert types == {"two-right": "multiple_choice", "gaps": "cloze"}
    weights = [o["weight"] for o in result.quiz.questions.get(key="two-right").body["options"]]
    assert weights == ["1/2", "1/2", "-1"]
    assert result.quiz.questions.get(key="two-right").points == Decimal("2.000")


def test_a_file_with_any_error_imports_nothing_and_names_the_line(course):
    result = quiz_questions_import(course=course, quiz_slug="week-1", text=BROKEN_GIFT, format="gift")
    assert not result.ok and result.imported == 0
    assert any(error.startswith("line 5") for error in result.errors), result.errors
    assert not Quiz.objects.exists() and not Question.objects.exists() and not Assignment.objects.exists()


def test_an_error_in_an_existing_quiz_changes_none_of_its_questions(course):
    quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    before = _questions(Quiz.objects.get(slug="week-1"))
    # A valid change to one question, and an essay (which cannot be scored) on line 10.
    changed = GIFT.replace("~2", "~3") + "\n::essay:: Write about attention. {}\n"
    assert changed.splitlines()[9].startswith("::essay::")
    result = quiz_questions_import(course=course, quiz_slug="week-1", text=changed, format="gift")
    assert not result.ok and [e[:9] for e in result.errors] == ["line 10, "], result.errors
    assert _questions(Quiz.objects.get(slug="week-1")) == before


def test_xml_errors_name_the_question_and_its_line(course):
    broken = MOODLE_XML.replace('<question type="multichoice">', '<question type="essay">', 1)
    result = quiz_questions_import(course=course, quiz_slug="xml", text=broken, format="moodle-xml")
    assert not result.ok
    assert result.errors[0].startswith("line 3") and "'two right'" in result.errors[0]
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    "text, expected",
    [
        ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "DTD"),
        ("<quiz>\n<question type=", "line 2"),
        ("", "not well-formed"),
        ("<quiz></quiz>", "the file holds no questions"),
    ],
)
def test_unsafe_or_empty_xml_imports_nothing(course, text, expected):
    result = quiz_questions_import(course=course, quiz_slug="xml", text=text, format="moodle-xml")
    assert not result.ok and any(expected in error for error in result.errors), result.errors
    assert not Quiz.objects.exists()


def test_reimporting_a_key_updates_that_question_in_place_and_keeps_the_others(course):
    first = quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    quiz = first.quiz
    ids = dict(quiz.questions.values_list("key", "id"))
    positions = dict(quiz.questions.values_list("key", "position"))
    second_text = (
        "::scale:: [zh]注意力分数除以多少？[en]What are the scores divided by? {=sqrt(d_k) ~d_k ~2}\n\n"
        "::new one:: [zh]多头注意力有几个头？[en]How many heads? {#8:0.5}\n"
    )
    second = quiz_questions_import(course=course, quiz_slug="week-1", text=second_text, format="gift")
    assert second.ok and second.imported == 2 and second.created == 1 and second.updated == 1
    assert second.unchanged == 0
    assert not second.quiz_created
    scale = quiz.questions.get(key="scale")
    assert scale.id == ids["scale"] and scale.position == positions["scale"]
    assert scale.prompt_en == "What are the scores divided by?" and len(scale.body["options"]) == 3
    # Not in the file: left as it was. New: after the last question.
    assert quiz.questions.get(key="sqrt-8").id == ids["sqrt-8"]
    assert quiz.questions.get(key="new-one").position == max(positions.values()) + 1
    assert quiz.questions.count() == 4 and Assignment.objects.filter(quiz=quiz).count() == 1


def test_the_same_file_again_writes_nothing(course, django_assert_max_num_queries):
    first = quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    stamp = Quiz.objects.get(pk=first.quiz.pk).updated_at
    with django_assert_max_num_queries(4):  # savepoint, the quiz, its questions, release
        again = quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    assert (again.imported, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert Quiz.objects.get(pk=first.quiz.pk).updated_at == stamp
    assert _questions(again.quiz) == _questions(first.quiz)


def test_a_quiz_slug_of_another_course_is_refused(course, other_course):
    quiz_questions_import(course=other_course, quiz_slug="week-1", text=GIFT, format="gift")
    result = quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    assert result.errors == ("the quiz slug 'week-1' is already used by another course",)
    assert Quiz.objects.get(slug="week-1").course == other_course


def test_a_slug_taken_by_another_assignment_is_refused(course):
    from tests.quiz_import.banks import coding_assignment

    coding_assignment(course, "softmax")
    result = quiz_questions_import(course=course, quiz_slug="softmax", text=GIFT, format="gift")
    assert not result.ok and "already the slug of another assignment" in result.errors[0]
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("slug, format", [("Week 1!", "gift"), ("week-1", "aiken")])
def test_a_bad_slug_or_format_is_refused(course, slug, format):
    result = quiz_questions_import(course=course, quiz_slug=slug, text=GIFT, format=format)
    assert not result.ok and not Quiz.objects.exists()


def test_points_the_quiz_cannot_hold_are_refused_by_question_and_line(course):
    text = MOODLE_XML.replace("<defaultgrade>2</defaultgrade>", "<defaultgrade>0.33333</defaultgrade>")
    result = quiz_questions_import(course=course, quiz_slug="xml", text=text, format="moodle-xml")
    assert result.errors[0].startswith("line 3: question 'two right': points")
    assert not Quiz.objects.exists()


def test_an_empty_gift_file_imports_nothing(course):
    result = quiz_questions_import(course=course, quiz_slug="q", text="// only a comment\n", format="gift")
    assert result.errors == ("the file holds no questions",) and not Quiz.objects.exists()


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_a_nul_or_a_lone_surrogate_is_refused_with_its_line(course, bad):
    result = quiz_questions_import(course=course, quiz_slug="q", text=GIFT.replace("sqrt 8", f"sqrt{bad}8"), format="gift")
    assert result.errors == ("line 6: a NUL character or a lone surrogate: not text",)
    assert not Quiz.objects.exists()


def test_a_gift_file_that_is_not_utf8_is_refused(course):
    result = quiz_questions_import(course=course, quiz_slug="q", text=b"::a:: \xff {T}", format="gift")
    assert "not UTF-8" in result.errors[0] and not Quiz.objects.exists()


@pytest.mark.parametrize("format", ["gift", "moodle-xml"])
def test_import_export_import_gives_the_same_questions(course, format):
    text = every_type_gift() if format == "gift" else MOODLE_XML
    first = quiz_questions_import(course=course, quiz_slug="first", text=text, format=format)
    assert first.ok, first.errors
    exported = quiz_questions_export(quiz=first.quiz, format=format)
    second = quiz_questions_import(course=course, quiz_slug="second", text=exported, format=format)
    assert second.ok, second.errors
    assert _questions(second.quiz) == _questions(first.quiz)
    # And once more: an export of the re-import is the same file.
    assert quiz_questions_export(quiz=second.quiz, format=format) == exported


def test_the_import_takes_a_constant_number_of_queries(course, django_assert_max_num_queries):
    quiz_questions_import(course=course, quiz_slug="week-1", text=GIFT, format="gift")
    big = every_type_gift(copies=40)
    with django_assert_max_num_queries(12):
        result = quiz_questions_import(course=course, quiz_slug="week-1", text=big, format="gift")
    assert result.ok and result.imported == 240


# --- the commands -------------------------------------------------------------


def _call(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_questions_prints_json_and_exits_zero(course, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    out, _ = _call("import_questions", str(path), "--course", "alpha", "--quiz", "week-1", "--json")
    data = json.loads(out)
    assert data["imported"] == 3 and data["errors"] == [] and data["quiz_created"] is True


def test_import_questions_guesses_xml_from_the_extension(course, tmp_path):
    path = tmp_path / "bank.xml"
    path.write_bytes(MOODLE_XML.encode("utf-8"))
    out, _ = _call("import_questions", str(path), "--course", "alpha", "--quiz", "xml")
    assert out.startswith("2 questions imported into xml (2 new, 0 updated, 0 unchanged)")


def test_import_questions_with_an_error_exits_non_zero_imports_nothing_and_says_where(course, tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(BROKEN_GIFT, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_questions", str(path), "--course", "alpha", "--quiz", "week-1", "--json", stdout=out)
    assert raised.value.returncode == 1
    data = json.loads(out.getvalue())
    assert data["imported"] == 0 and data["errors"] and data["errors"][0].startswith("line 5")
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    "name, extra, expected",
    [
        ("bank.doc", [], "cannot tell the format"),
        ("bank.gift", ["--course", "nope"], "no course with the slug 'nope'"),
    ],
)
def test_import_questions_refuses_what_it_cannot_use(course, tmp_path, name, extra, expected):
    path = tmp_path / name
    path.write_text(GIFT, encoding="utf-8")
    args = ["import_questions", str(path), "--course", "alpha", "--quiz", "week-1", "--json", *extra]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(*args, stdout=out)
    assert expected in json.loads(out.getvalue())["errors"][0]


def test_a_missing_file_is_an_error(course, tmp_path):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(tmp_path / "none.gift"), "--course", "alpha", "--quiz", "q", "--json", stdout=out)
    assert "cannot read" in json.loads(out.getvalue())["errors"][0]


def test_control_characters_from_the_file_reach_the_terminal_as_escapes(course, tmp_path):
    # An essay cannot be scored: the error quotes the question's name, which holds a
    # C1 control sequence (CSI) and a right-to-left override.
    path = tmp_path / "bank.xml"
    path.write_text(MOODLE_XML.replace('"multichoice">\n  <name><text>two right', '"essay">\n  <name><text>x\x9b2J\u202e'), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), "--course", "alpha", "--quiz", "q", stdout=StringIO(), stderr=err)
    assert "question type 'essay' is not supported" in err.getvalue()
    assert "\x9b" not in err.getvalue() and "\u202e" not in err.getvalue()


@pytest.mark.parametrize("format", ["gift", "moodle-xml"])
def test_export_questions_round_trips_through_the_commands(course, tmp_path, format):
    source = tmp_path / ("bank.gift" if format == "gift" else "bank.xml")
    source.write_text(every_type_gift() if format == "gift" else MOODLE_XML, encoding="utf-8")
    _call("import_questions", str(source), "--course", "alpha", "--quiz", "first")
    exported, _ = _call("export_questions", "--quiz", "first", "--format", format)
    written = tmp_path / ("out.gift" if format == "gift" else "out.xml")
    _call("export_questions", "--quiz", "first", "--format", format, "--output", str(written))
    assert written.read_text(encoding="utf-8").rstrip("\n") == exported.rstrip("\n")
    _call("import_questions", str(written), "--course", "alpha", "--quiz", "second")
    assert _questions(Quiz.objects.get(slug="second")) == _questions(Quiz.objects.get(slug="first"))


def test_export_questions_of_an_unknown_quiz_is_an_error(course):
    with pytest.raises(CommandError, match="no quiz with the slug 'nope'"):
        call_command("export_questions", "--quiz", "nope", "--format", "gift", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_two_imports_creating_one_quiz_at_once_leave_the_second_with_a_clear_error():
    import threading
    import time

    from django.db import connection, connections, transaction

    course = Course.objects.create(slug="race-course", title_en="Race", title_zh="竞")
    created, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                Quiz.objects.create(course=course, slug="race", title_zh="r", title_en="r")
                created.set()
                # Commit only once the second import waits on this row's unique key.
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    with connections["default"].cursor() as cursor:
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                            [connection.settings_dict["NAME"]],
                        )
                        if cursor.fetchone()[0]:
                            break
                    time.sleep(0.02)
        finally:
            connections.close_all()

    def second():
        try:
            created.wait(30)
            results["second"] = quiz_questions_import(course=course, quiz_slug="race", text=GIFT, format="gift")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results["second"].errors == ("another import created 'race' at the same moment: import again",)
    assert Quiz.objects.filter(slug="race").count() == 1 and not Question.objects.exists()



# --- the assignment's points next to the questions' total ------------------------------------------


def test_a_quiz_created_by_import_gets_an_assignment_worth_its_questions_total(course):
    # The Moodle bank weighs its questions 2 and 1: a quiz of 3 points, not the assignment default of 10.
    result = quiz_questions_import(course=course, quiz_slug="xml", text=MOODLE_XML, format="moodle-xml")
    assert sorted(result.quiz.questions.values_list("points", flat=True)) == [Decimal(1), Decimal(2)]
    assignment = Assignment.objects.get(quiz=result.quiz)
    assert assignment.points == Decimal(3) == result.questions_total == result.assignment_points
    assert result.points_note()[0] == "its new assignment is worth 3 points, what its questions total"
    assert result.as_dict()["assignment_points"] == "3.00" and result.as_dict()["questions_total"] == "3.000"


def test_an_existing_quiz_keeps_its_assignment_s_points_and_the_result_says_so(course):
    first = quiz_questions_import(course=course, quiz_slug="xml", text=MOODLE_XML, format="moodle-xml")
    Assignment.objects.filter(quiz=first.quiz).update(points=Decimal(20))  # the instructor's choice
    second = quiz_questions_import(course=course, quiz_slug="xml", text=GIFT, format="gift")  # 3 more questions
    assert Assignment.objects.get(quiz=first.quiz).points == Decimal(20)
    assert (second.assignment_points, second.questions_total) == (Decimal(20), Decimal(6))
    english, chinese = second.points_note()
    assert english == (
        "its assignment keeps its 20 points while its questions total 6: change the assignment's points if they should match"
    )
    assert chinese == "其作业保持原分值 20 分，而题目总分为 6 分：如需一致，请修改作业分值"


def test_a_failed_import_leaves_the_points_alone(course):
    first = quiz_questions_import(course=course, quiz_slug="xml", text=MOODLE_XML, format="moodle-xml")
    broken = quiz_questions_import(course=course, quiz_slug="xml", text=BROKEN_GIFT, format="gift")
    assert not broken.ok and broken.points_note() is None
    assert Assignment.objects.get(quiz=first.quiz).points == Decimal(3)


def test_import_questions_says_what_the_assignment_is_worth(course, tmp_path):
    path = tmp_path / "bank.xml"
    path.write_bytes(MOODLE_XML.encode("utf-8"))
    out, _ = _call("import_questions", str(path), "--course", "alpha", "--quiz", "xml")
    assert "xml: its new assignment is worth 3 points, what its questions total." in out
    Assignment.objects.filter(quiz__slug="xml").update(points=Decimal(10))
    out, _ = _call("import_questions", str(path), "--course", "alpha", "--quiz", "xml")
    assert "xml: its assignment keeps its 10 points while its questions total 3: change the assignment's points" in out
