"""grades.gradebook: the students × assignments matrix and its Canvas CSV, and GET …/gradebook.csv with ETag."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grades.gradebook import canvas_gradebook_csv, gradebook_for_course
from grades.services import excusal_set, grade_override

from lms_helpers import course_url, submit_and_grade

pytestmark = pytest.mark.django_db


def _table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_it_builds_canvas_import_format(course, alice, bob, teacher, exercise, exercise2, hidden_exercise, make_person):
    submit_and_grade(alice, exercise, "7.5")
    grade_override(student=bob, assignment=exercise.assignment, score=Decimal("12.25"), actor=teacher, reason="r")
    excusal_set(student=bob, assignment=exercise2.assignment, excused=True, actor=teacher)
    make_person("=HYPERLINK(1)", course)  # a student whose username is a spreadsheet formula

    table = _table(canvas_gradebook_csv(course))

    assert table[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Title lms-attention (lms-attention)",
        "Title lms-softmax (lms-softmax)",
    ]  # fmt: skip
    assert table[1] == ["Points Possible", "", "", "", "", "10", "20"]
    assert table[2:] == [
        ["'=HYPERLINK(1)", "", "", "", "", "", ""],
        ["bob", "", "", "", "", "EX", "12.25"],
        ["Liddell, Alice", "", "S-001", "", "", "", "15"],
    ]


def test_the_matrix_takes_three_queries_whatever_the_class_size(course, make_person, exercise, exercise2, teacher):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            book = gradebook_for_course(course=course)
        return len(captured), book

    make_person("first", course)
    small, _ = count()
    for i in range(20):
        student = make_person(f"m{i:02d}", course)
        submit_and_grade(student, exercise, "5")
        grade_override(student=student, assignment=exercise2.assignment, score=Decimal(1), actor=teacher, reason="r")
    large, book = count()
    assert small == large == 3
    assert len(book.rows) == 21 and all(len(row.cells) == 2 for row in book.rows)
    assert book.rows[1].cells[0].overridden and not book.rows[1].cells[1].overridden


def test_staff_see_unpublished_assignments_when_asked(course, exercise, hidden_exercise):
    slugs = [a.slug for a in gradebook_for_course(course=course, include_unpublished=True).assignments]
    assert slugs == ["lms-softmax", "lms-unpublished"]
    assert [a.slug for a in gradebook_for_course(course=course).assignments] == ["lms-softmax"]


def test_the_endpoint_answers_304_while_nothing_changed(lms, course, alice, teacher, exercise):
    url = course_url(course.slug, "gradebook.csv")
    submit_and_grade(alice, exercise, "5")
    first = lms.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "text/csv; charset=utf-8"
    assert first.content.decode() == canvas_gradebook_csv(course)
    etag = first["ETag"]
    assert etag.startswith('"') and "attachment" in first["Content-Disposition"]

    unchanged = lms.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag and unchanged.content == b""
    assert lms.get(url, HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304

    grade_override(student=alice, assignment=exercise.assignment, score=Decimal(3), actor=teacher, reason="r")
    changed = lms.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert _table(changed.content.decode())[2][-1] == "3"
