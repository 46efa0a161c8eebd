"""A student sees that a grade changed and why: the history on the coding page, the mark on the course home."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.template.defaultfilters import floatformat
from django.utils import timezone

from courses.models import Assignment
from grader.models import Exercise
from grader.services import submission_create
from grader.services.regrades import regrade_request_create, regrade_scope
from grades.models import GradeChange
from grades.services import Cause, excusal_set, extension_grant, grade_override, grades_recompute_for_assignment

from web_helpers import grade_pending

CODE = "import numpy as np\n\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    return q, q\n"
HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/exercises/attention/"
HOSTILE = '<script>alert("owned")</script><img src=x onerror=alert(1)> & {{ 7|add:1 }}'

# Each change as the student reads it: (English, Chinese).
WORDS = {
    "submitted": ("You submitted; the grader has it", "你已提交，等待评分"),
    "graded": ("Your work was graded", "你的作业已评分"),
    "late_penalty": ("The late penalty was changed", "迟交扣分规则已更改"),
    "extension": ("Your extension was granted or changed", "你的延期已批准或更改"),
    "regraded": ("Regraded by the course staff", "课程教师重新评分"),
    "override": ("Set by an instructor", "教师调整了成绩"),
    "excused": ("Excused by the course staff", "课程教师免除了此作业"),
}
LIFTED = ("Excusal withdrawn", "免除已撤销")


@pytest.fixture
def attention(sample_course):
    return Exercise.objects.get(slug="attention")


@pytest.fixture
def assignment(attention):
    return Assignment.objects.get(slug="attention")


def _rows(page: str) -> list[str]:
    """The grade history's rows, newest first, as HTML."""
    section = page.split('id="grade-history"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<tr class="grade-change cause-[a-z_]+">.*?</tr>', section, re.S)


def _cause(row: str) -> str:
    return re.search(r"cause-([a-z_]+)", row).group(1)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


@pytest.fixture
def full_history(alice, teacher, attention, assignment):
    """alice's grade on attention through every cause there is, each by the service that makes it."""
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    grade_pending(submission, "10")
    # The instructor sets a due date she missed and a late penalty: the late policy changes her grade.
    assignment.due_at = submission.created_at - timedelta(hours=30)
    assignment.late_penalty_per_day = Decimal(10)
    assignment.late_penalty_cap = Decimal(50)
    assignment.save()
    grades_recompute_for_assignment(assignment=assignment, cause=Cause.LATE_PENALTY, actor=teacher, reason="due date set")
    extension_grant(student=alice, assignment=assignment, actor=teacher, due_at=timezone.now() + timedelta(days=1),
                    reason="medical leave")  # fmt: skip
    regrade_request_create(
        submissions=regrade_scope(exercise=attention, submission_id=submission.pk), exercise=attention,
        scope=f"submission {submission.pk}", requested_by=teacher, reason="a hidden test was wrong",
    )  # fmt: skip
    grade_pending(submission, "6")
    grade_override(student=alice, assignment=assignment, score=Decimal(3), actor=teacher, reason="partial credit for the mask")
    excusal_set(student=alice, assignment=assignment, excused=True, actor=teacher, reason="ill in week 3")
    excusal_set(student=alice, assignment=assignment, excused=False, actor=teacher, reason="back and handed in")
    return list(GradeChange.objects.filter(grade__user=alice).order_by("-sequence"))


def test_the_owner_sees_every_change_newest_first_with_when_what_and_why(as_user, alice, full_history):
    assert [c.cause for c in full_history] == [
        "excused", "excused", "override", "regraded", "extension", "late_penalty", "graded", "submitted"
    ]  # fmt: skip
    page = as_user(alice).get(PAGE + "?lang=en").content.decode()
    rows = _rows(page)
    assert [_cause(row) for row in rows] == [c.cause for c in full_history]
    assert page.index("Grade history") < page.index('name="code"')  # beside the standing, above the editor
    cells = {change.cause + ("_lifted" if change.new_state != "excused" and change.cause == "excused" else ""): _cells(row)
             for change, row in zip(full_history, rows)}  # fmt: skip
    for change, row in zip(full_history, rows):
        when = timezone.localtime(change.created_at).strftime("%Y-%m-%d %H:%M")
        assert _cells(row)[0].startswith(when)
    assert cells["submitted"][1:] == [WORDS["submitted"][0], "—", "Being graded", "—"]
    graded = cells["graded"]
    assert graded[1:] == [WORDS["graded"][0], "Being graded", floatformat(full_history[-2].new_score, "-2"), "—"]
    assert cells["late_penalty"][1] == WORDS["late_penalty"][0] and cells["late_penalty"][3].endswith("late")
    assert cells["late_penalty"][4] == "due date set"
    assert cells["extension"][1:] == [WORDS["extension"][0], cells["late_penalty"][3].removesuffix("late").strip(),
                                      cells["graded"][3], "medical leave"]  # fmt: skip
    # The regrade and the override: the new score and the staff's reason, in their own words.
    assert cells["regraded"][1] == WORDS["regraded"][0] and cells["regraded"][4] == "a hidden test was wrong"
    assert cells["override"][1:] == [WORDS["override"][0], cells["regraded"][3], "3", "partial credit for the mask"]
    assert cells["excused"][1:] == [WORDS["excused"][0], "3", "Excused", "ill in week 3"]
    assert cells["excused_lifted"][1:] == [LIFTED[0], "Excused", "3", "back and handed in"]
    # The staff are not named (as in the API): what they did and why, not who.
    assert "teacher" not in page


def test_each_change_in_chinese(as_user, alice, full_history):
    page = as_user(alice).get(PAGE + "?lang=zh").content.decode()
    rows = _rows(page)
    assert "成绩变动记录" in page and "变动前成绩" in page and "说明" in page
    for change, row in zip(full_history, rows):
        words = LIFTED if change.cause == "excused" and change.new_state != "excused" else WORDS[change.cause]
        assert _cells(row)[1] == words[1]
        assert words[0] not in row
    assert "评分中" in page and "已免除" in page
    # Stored reasons are shown as written, in any language.
    assert "partial credit for the mask" in page


def test_a_classmate_sees_only_their_own_history(as_user, alice, bob, full_history, attention):
    submission_create(user=bob, exercise=attention, code=CODE)
    page = as_user(bob).get(PAGE + "?lang=en").content.decode()
    assert [_cause(row) for row in _rows(page)] == ["submitted"]
    for reason in ("medical leave", "partial credit", "a hidden test was wrong", "ill in week 3", "due date set"):
        assert reason not in page
    assert "alice" not in page


def test_the_staff_see_no_student_s_history_on_the_students_page(client, alice, teacher, full_history):
    client.force_login(teacher)
    page = client.get(PAGE + "?lang=en").content.decode()
    assert 'id="grade-history"' in page and _rows(page) == []
    assert "medical leave" not in page


def test_no_history_yet_shows_no_section(as_user, alice, attention):
    page = as_user(alice).get(PAGE + "?lang=en").content.decode()
    # The empty target stays for the swap that brings the first change.
    assert '<div id="grade-history">' in page and "Grade history" not in page


def test_anonymous_and_another_course_see_nothing(client, charlie, full_history):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(charlie)
    assert client.get(PAGE).status_code == 404


def test_a_hostile_reason_is_shown_as_text(as_user, alice, teacher, attention, assignment):
    grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "10")
    grade_override(student=alice, assignment=assignment, score=Decimal(1), actor=teacher, reason=HOSTILE)
    page = as_user(alice).get(PAGE + "?lang=en").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; {{ 7|add:1 }}" in page


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_finished_result_swaps_in_the_new_history(as_user, alice, attention):
    client = as_user(alice)
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    url = f"/exercises/attention/submissions/{submission.pk}/?lang=en"
    waiting = client.get(url, **HTMX).content.decode()
    assert "grade-history" not in waiting
    grade_pending(submission, "10")
    done = client.get(url, **HTMX).content.decode()
    assert '<div id="grade-history" hx-swap-oob="true">' in done
    assert [_cause(row) for row in _rows(done)] == ["graded", "submitted"]


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_page_s_query_count_does_not_grow_with_the_history(as_user, alice, teacher, attention, assignment):
    client = as_user(alice)
    grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "5")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as before:
        client.get(PAGE)
    for score in range(1, 9):
        grade_override(student=alice, assignment=assignment, score=Decimal(score), actor=teacher, reason=f"try {score}")
    with CaptureQueriesContext(connection) as after:
        page = client.get(PAGE).content.decode()
    assert len(_rows(page)) == 10
    # The same as without any history: the grade comes joined to its changes (see test_web_exercise).
    assert len(after) == len(before) == 11, [q["sql"][:120] for q in after.captured_queries]


# The course home's mark.


def _home_row(page: str, title: str) -> str:
    return re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(title) + r".*?</tr>", page, re.S).group(0)


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_home_marks_a_grade_the_staff_changed_last(as_user, alice, bob, teacher, attention, assignment):
    client = as_user(alice)
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    grade_pending(submission, "5")
    # Her own work graded: nothing to point out.
    row = _home_row(client.get("/?lang=en").content.decode(), attention.title_en)
    assert "tag-changed" not in row
    grade_override(student=alice, assignment=assignment, score=Decimal(4), actor=teacher, reason="plagiarised cell")
    page = client.get("/?lang=en").content.decode()
    row = _home_row(page, attention.title_en)
    assert '<a class="tag tag-changed" href="/exercises/attention/#grade-history">changed' in row
    assert page.count("tag-changed") == 1
    assert "有变动" in _home_row(client.get("/?lang=zh").content.decode(), attention.title_zh)
    # Her classmate's grade was not touched: no mark on his home.
    grade_pending(submission_create(user=bob, exercise=attention, code=CODE), "5")
    assert "tag-changed" not in as_user(bob).get("/?lang=en").content.decode()


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_mark_goes_once_her_own_work_changes_the_grade_again(as_user, alice, teacher, attention, assignment):
    client = as_user(alice)
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    grade_pending(submission, "5")
    assignment.due_at = submission.created_at - timedelta(hours=1)
    assignment.late_penalty_per_day = Decimal(10)
    assignment.save()
    grades_recompute_for_assignment(assignment=assignment, cause=Cause.LATE_PENALTY, actor=teacher)
    assert "tag-changed" in _home_row(client.get("/?lang=en").content.decode(), attention.title_en)
    grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "8")
    assert GradeChange.objects.filter(grade__user=alice).latest("sequence").cause == "graded"
    assert "tag-changed" not in _home_row(client.get("/?lang=en").content.decode(), attention.title_en)
