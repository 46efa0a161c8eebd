"""What the course's staff do in admin, in Chromium, with a real worker answering: self-check, mutants, regrade, import, extensions.

Each test logs in through the admin login page as the course's instructor (or
its teaching assistant, where the point is the assistant's right), acts as a
person would (select a row, pick the action, fill the form), then checks what
the page shows and what the database holds. Admin pages show a worker's answer
as of their load: a test waits (bounded) for the worker's row, then loads the
page and reads it, never a sleep that hopes the worker was quick.

Our own admin pages (the mutation report, the import page, the bulk extension
page) are also checked by axe-core, as the student pages are.
"""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Assignment, Enrollment, Excusal, Extension
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise, GradingRun, ReferenceCheck, RegradeRequest, Submission
from grader.services.submissions import submission_create
from grades.models import Grade, GradeChange
from quizzes.items import NUMERIC, SINGLE, TRUE_FALSE
from quizzes.models import Question, Quiz
from review.models import EquivalentMark, MutantResult, MutationReport
from review.publishing import exercise_publish_blockers
from tests.integration.conftest import CORRECT_SOFTMAX, wait_for
from tests.quiz_import.banks import BROKEN_GIFT, GIFT

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30_000  # ms: one grading takes well under a second; this is for a loaded CI machine
REPORT_TIMEOUT = 120  # s: a mutation report grades every mutant and known-wrong solution
PASSWORD = "staff-pw-7q"

# The sample reference with `dtype=float` for `dtype=np.float64`: the same
# numbers, but the mutant that drops the line (an equivalent one: every input
# of the checks is already a float64 array) is no longer the one the content's
# mutants.toml marks. So it survives, alone, and an instructor has to answer it.
REFERENCE_WITH_AN_UNMARKED_EQUIVALENT = """\
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)
"""
SURVIVOR = "389c1de55cba"

# Right to four decimals: wrong under the suite's default tolerance (rtol 1e-6),
# right under the looser one an instructor may decide is fair.
ROUNDED_SOFTMAX = """\
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    exps = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return np.round(exps / np.sum(exps, axis=axis, keepdims=True), 4)
"""
LOOSER_CHECKS = {"rtol": 0.01, "atol": 0.001}
REGRADE_REASON = "regraded in admin after the checks changed · 检查修改后在管理后台重新评分"


@pytest.fixture
def course(transactional_db):
    """The sample course, its instructor and TA (staff accounts, as admin needs) and two students."""
    course = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course
    users = {}
    for username, role in (
        ("teacher1", Enrollment.Role.INSTRUCTOR),
        ("assistant1", Enrollment.Role.TEACHING_ASSISTANT),
        ("student1", Enrollment.Role.STUDENT),
        ("student2", Enrollment.Role.STUDENT),
    ):
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, is_staff=role != Enrollment.Role.STUDENT
        )
        Enrollment.objects.create(user=user, course=course, role=role)
        users[username] = user
    return course, users


def _admin_log_in(browser, username):
    browser.go("/admin/login/?next=/admin/")
    browser.page.fill("#id_username", username)
    browser.page.fill("#id_password", PASSWORD)
    browser.page.locator("#login-form input[type=submit]").click()
    browser.page.wait_for_url(browser.base_url + "/admin/")


def _run_action(browser, changelist: str, row_text: str, action: str):
    """On an admin list, tick the row showing `row_text`, pick `action` and press Go, as a person does."""
    browser.go(changelist)
    row = browser.page.locator("#result_list tbody tr", has_text=row_text)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    browser.page.select_option("select[name=action]", action)
    browser.page.get_by_role("button", name="Go").click()
    browser.page.wait_for_load_state("load")


def _field(browser, name: str):
    """A read-only field of an admin change page."""
    return browser.page.locator(f".form-row.field-{name} .readonly")


def _success(browser):
    return browser.page.locator("ul.messagelist li.success")


def _accessible(browser, name):
    assert browser.csp_errors == [], f"{name}: {browser.csp_errors}"
    problems = browser.axe_problems()
    # axe's own probes, run from DevTools, apply inline styles the page's CSP refuses: not the page's doing.
    browser.csp_errors.clear()
    assert problems == [], f"{name}: {problems}"


def _graded(submission_id: int) -> Submission:
    return wait_for(
        lambda: Submission.objects.filter(pk=submission_id).exclude(status__in=("queued", "running")).first(),
        timeout=TIMEOUT / 1000,
        message=f"submission {submission_id} graded",
    )


def test_self_check_shows_the_reference_at_full_marks_then_a_wrong_reference_losing_points(
    browser_factory, worker, course
):
    _, users = course
    softmax = Exercise.objects.get(slug="softmax")
    browser = browser_factory()
    _admin_log_in(browser, "teacher1")

    _run_action(browser, "/admin/grader/exercise/", "The softmax function", "check_reference_solutions")
    expect(_success(browser)).to_contain_text("1 reference check(s) queued")
    check = ReferenceCheck.objects.get(exercise=softmax)
    assert check.requested_by == users["teacher1"]
    wait_for(
        lambda: ReferenceCheck.objects.filter(pk=check.pk).exclude(status="pending").exists(),
        timeout=TIMEOUT / 1000, message="the reference check answered",
    )  # fmt: skip
    browser.go("/admin/grader/referencecheck/")
    row = browser.page.locator("#result_list tbody tr", has_text="softmax")
    expect(row.locator("td.field-status")).to_have_text("Passed · 通过")
    row.locator("th.field-id a").click()
    expect(_field(browser, "status")).to_have_text("Passed · 通过")
    # Three seeds of the reference, then each known-wrong solution softmax ships.
    shipped = len(list((SAMPLE_CONTENT_DIRECTORY / "exercises" / "softmax" / "mistakes").glob("*.py")))
    expect(_field(browser, "runs")).to_have_text(str(3 + shipped))
    known_wrong = browser.page.locator("tr", has_text="no_max_subtraction.py")
    expect(known_wrong).to_contain_text("Yes: caught · 是：已发现")
    browser.shot("admin-reference-check-full-marks")
    check.refresh_from_db()
    assert (check.status, check.runs, check.problems) == (ReferenceCheck.Status.PASSED, 3 + shipped, "")
    assert check.known_wrong.filter(lost_points=True).count() == shipped

    # The instructor pastes a known-wrong solution (no max subtraction) as the
    # reference, as a slip would: the next check finds it losing points.
    wrong = (SAMPLE_CONTENT_DIRECTORY / "exercises" / "softmax" / "mistakes" / "no_max_subtraction.py").read_text()
    browser.go(f"/admin/grader/exercise/{softmax.pk}/change/")
    browser.page.fill("#id_reference_solution", wrong)
    browser.page.locator("input[name=_save]").click()
    expect(_success(browser)).to_contain_text("was changed successfully")
    softmax.refresh_from_db()
    # The browser posts CRLF line ends and the form strips the last newline; Exercise.clean() stores the file's way.
    assert softmax.reference_solution == wrong

    _run_action(browser, "/admin/grader/exercise/", "The softmax function", "check_reference_solutions")
    expect(_success(browser)).to_contain_text("1 reference check(s) queued")
    second = ReferenceCheck.objects.exclude(pk=check.pk).get(exercise=softmax)
    wait_for(
        lambda: ReferenceCheck.objects.filter(pk=second.pk).exclude(status="pending").exists(),
        timeout=TIMEOUT / 1000, message="the second reference check answered",
    )  # fmt: skip
    browser.go(f"/admin/grader/referencecheck/{second.pk}/change/")
    expect(_field(browser, "status")).to_have_text("Problems found · 发现问题")
    problems = _field(browser, "problems")
    expect(problems).to_contain_text("reference solution scored")
    expect(problems).to_contain_text("large inputs [1000, 1001, 1002]")  # the failing check is named
    browser.shot("admin-reference-check-problems")
    second.refresh_from_db()
    assert second.status == ReferenceCheck.Status.FAILED
    scores = re.findall(r"scored ([\d.]+)/([\d.]+)", second.problems)
    assert len(scores) == 3 and all(Decimal(got) < Decimal(of) for got, of in scores)
    # The exercise may not be published while its latest check says so.
    assert any(f"reference check #{second.pk}" in blocker for blocker in exercise_publish_blockers(exercise=softmax))


def test_a_mutation_report_shows_the_score_and_a_survivor_marked_equivalent_changes_it(
    browser_factory, worker, course
):
    _, users = course
    Exercise.objects.filter(slug="softmax").update(reference_solution=REFERENCE_WITH_AN_UNMARKED_EQUIVALENT)
    browser = browser_factory()
    _admin_log_in(browser, "teacher1")

    _run_action(browser, "/admin/grader/exercise/", "The softmax function", "mutation_reports_request")
    expect(_success(browser)).to_contain_text("queued; it fills in as the mutants are graded")
    report = MutationReport.objects.get(exercise__slug="softmax")
    assert report.requested_by == users["teacher1"]
    # The message links to the report, which shows how far the workers have got.
    _success(browser).get_by_role("link", name=f"mutation report #{report.pk}").click()
    browser.page.wait_for_load_state("load")
    expect(_field(browser, "progress")).to_have_text(re.compile(r"^\d+ / \d+$"))
    browser.shot("admin-mutation-report-progress")

    wait_for(
        lambda: MutationReport.objects.filter(pk=report.pk, status="done").exists(),
        timeout=REPORT_TIMEOUT, message="the mutation report done",
    )  # fmt: skip
    report.refresh_from_db()
    mistakes = sorted(p.name for p in (SAMPLE_CONTENT_DIRECTORY / "exercises" / "softmax" / "mistakes").glob("*.py"))
    mutants = report.total - len(mistakes)
    assert (report.killed, report.survived, report.equivalent) == (mutants - 1, 1, 0)
    assert report.score == pytest.approx((mutants - 1) / mutants)

    browser.page.reload()
    expect(_field(browser, "status")).to_have_text("Done · 已完成")
    expect(_field(browser, "progress")).to_have_text(f"{report.total} / {report.total}")
    expect(_field(browser, "score_display")).to_have_text(f"{(mutants - 1) / mutants:.1%}")
    # Every known-wrong solution the exercise ships loses points: killed.
    known_wrong = browser.page.locator("#known-wrong tbody tr")
    expect(known_wrong).to_have_count(len(mistakes))
    for row in known_wrong.all():
        expect(row).to_contain_text("Killed · 已检出")
    # The survivor, as a diff of the reference.
    survivors = browser.page.locator("#survivors .survivor")
    expect(survivors).to_have_count(1)
    survivor = browser.page.locator(f"#mutant-{SURVIVOR}")
    expect(survivor.locator(".mutant-diff")).to_contain_text("-    x = np.asarray(x, dtype=float)")
    expect(survivor.locator(".mutant-diff")).to_contain_text("+    pass")
    _accessible(browser, "mutation report")
    browser.shot("admin-mutation-report-survivor")

    survivor.get_by_role("link", name=re.compile("Mark equivalent")).click()
    browser.page.wait_for_load_state("load")
    expect(browser.page.locator("#id_mutant_id")).to_have_value(SURVIVOR)
    reason = "every input the checks pass is a float64 array already, which np.asarray returns unchanged"
    browser.page.fill("#id_reason", reason)
    browser.page.locator("input[name=_save]").click()
    # Back on the report the mark was made from, which already counts it.
    expect(_success(browser)).to_contain_text(f"Mutant {SURVIVOR} marked equivalent")
    expect(browser.page).to_have_url(re.compile(f"/admin/review/mutationreport/{report.pk}/change/$"))
    mark = EquivalentMark.objects.get(exercise__slug="softmax", mutant_id=SURVIVOR)
    assert (mark.reason, mark.marked_by) == (reason, users["teacher1"])

    expect(_field(browser, "score_display")).to_have_text("100.0%")
    expect(browser.page.locator("#survivors .survivor")).to_have_count(0)
    equivalent = browser.page.locator("#equivalents tbody tr", has_text=SURVIVOR)
    expect(equivalent).to_contain_text(reason)
    expect(equivalent).to_contain_text("admin · 管理后台")
    browser.shot("admin-mutation-report-marked")
    report.refresh_from_db()
    assert (report.killed, report.survived, report.equivalent, report.score) == (mutants - 1, 0, 1, 1.0)
    assert MutantResult.objects.get(report=report, mutant_id=SURVIVOR).outcome == MutantResult.Outcome.EQUIVALENT


def test_looser_checks_then_a_regrade_raise_the_students_grade_with_the_change_in_its_history(
    browser_factory, worker, course
):
    _, users = course
    softmax = Exercise.objects.get(slug="softmax")
    submission = submission_create(user=users["student1"], exercise=softmax, code=ROUNDED_SOFTMAX)
    before = _graded(submission.pk).score
    assert before < 10
    grade = Grade.objects.get(user=users["student1"], assignment__slug="softmax")
    assert grade.score == before

    browser = browser_factory()
    _admin_log_in(browser, "teacher1")
    browser.go(f"/admin/grader/exercise/{softmax.pk}/change/")
    browser.page.fill("#id_check_params", json.dumps(LOOSER_CHECKS))
    browser.page.locator("input[name=_save]").click()
    expect(_success(browser)).to_contain_text("was changed successfully")
    softmax.refresh_from_db()
    assert softmax.check_params == LOOSER_CHECKS

    _run_action(browser, "/admin/grader/exercise/", "The softmax function", "regrade_outdated")
    expect(_success(browser)).to_contain_text("1 of 1 submission(s) queued for regrading")
    regrade = RegradeRequest.objects.get(exercise=softmax)
    assert (regrade.total, regrade.requested_by) == (1, users["teacher1"])
    browser.go("/admin/grader/regraderequest/")
    row = browser.page.locator("#result_list tbody tr", has_text="exercise softmax")
    expect(row.locator("td.field-progress")).to_have_text(re.compile(r"^[01] / 1$"))
    browser.shot("admin-regrade-progress")
    wait_for(
        lambda: not GradingRun.objects.filter(regrade_request=regrade, status__in=("queued", "running")).exists(),
        timeout=TIMEOUT / 1000, message="the regrade done",
    )  # fmt: skip
    browser.page.reload()
    expect(row.locator("td.field-progress")).to_have_text("1 / 1")
    browser.shot("admin-regrade-done")

    grade.refresh_from_db()
    assert grade.score == Decimal("10.000")
    change = grade.changes.order_by("-sequence").first()
    assert (change.cause, change.old_score, change.new_score) == (GradeChange.Cause.REGRADED, before, Decimal("10.000"))
    assert (change.actor, change.reason) == (users["teacher1"], REGRADE_REASON)

    # The grade's history in admin: the regrade, old → new, who and why.
    browser.go("/admin/grades/grade/?q=student1")
    browser.page.locator("#result_list tbody tr", has_text="softmax").locator("th a").click()
    browser.page.wait_for_load_state("load")
    expect(_field(browser, "score")).to_have_text("10.000")
    last = browser.page.locator("#changes-group tbody tr.has_original").last
    expect(last.locator("td.field-cause")).to_have_text("Regraded · 重新评分")
    expect(last.locator("td.field-old_score")).to_have_text(f"{before}")
    expect(last.locator("td.field-new_score")).to_have_text("10.000")
    expect(last.locator("td.field-reason")).to_have_text(REGRADE_REASON)
    browser.shot("admin-grade-history-regraded")

    # And the student's own view: the home page's grade, the API's history with the reason.
    student = browser_factory()
    student.log_in("student1", PASSWORD)
    expect(student.page.locator("tr", has_text="The softmax function")).to_contain_text("10 / 10")
    student.shot("student-home-after-regrade")
    student.go("/api/v1/grades/")
    grades = json.loads(student.page.locator("body").inner_text())["results"]
    history = next(g for g in grades if g["assignment"] == "softmax")["history"]
    assert history[-1]["cause"] == "regraded"
    assert (history[-1]["old"], history[-1]["new"]) == (float(before), 10.0)
    assert "changed the checks" in history[-1]["message"]
    assert history[-1]["reason"] == REGRADE_REASON


def test_import_a_gift_file_then_a_broken_one_that_imports_nothing_and_names_the_line(
    browser_factory, tmp_path, course
):
    course_row, _ = course
    browser = browser_factory()
    _admin_log_in(browser, "teacher1")
    browser.go("/admin/quizzes/quiz/")
    browser.page.get_by_role("link", name="Import questions · 导入题目").click()
    browser.page.wait_for_load_state("load")
    assert browser.page.url == browser.base_url + "/admin/quizzes/quiz/import/"
    _accessible(browser, "question import page")

    bank = tmp_path / "week-3.gift"
    bank.write_text(GIFT, encoding="utf-8")
    browser.page.select_option("#id_course", label=str(course_row))
    browser.page.fill("#id_quiz", "week-3-check")
    browser.page.set_input_files("#id_file", str(bank))
    browser.page.get_by_role("button", name="Import · 导入").click()
    browser.page.wait_for_load_state("load")
    expect(_success(browser)).to_contain_text("3 questions imported into week-3-check (3 new, 0 updated, 0 unchanged)")
    quiz = Quiz.objects.get(course=course_row, slug="week-3-check")
    assert browser.page.url == browser.base_url + f"/admin/quizzes/quiz/{quiz.pk}/change/"
    assert Assignment.objects.get(quiz=quiz).published is False  # a new quiz waits for its instructor
    assert sorted(quiz.questions.values_list("key", "type")) == [
        ("scale", SINGLE), ("softmax-sums", TRUE_FALSE), ("sqrt-8", NUMERIC),
    ]  # fmt: skip
    browser.shot("admin-import-done")

    questions = Question.objects.count()
    broken = tmp_path / "broken.gift"
    broken.write_text(BROKEN_GIFT, encoding="utf-8")
    browser.go("/admin/quizzes/quiz/import/")
    browser.page.select_option("#id_course", label=str(course_row))
    browser.page.fill("#id_quiz", "broken-bank")
    browser.page.set_input_files("#id_file", str(broken))
    browser.page.get_by_role("button", name="Import · 导入").click()
    browser.page.wait_for_load_state("load")
    alert = browser.page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported: 1 problem(s)")
    expect(browser.page.locator("#import-errors li")).to_have_count(1)
    expect(browser.page.locator("#import-errors li")).to_contain_text(re.compile(r"^line 5\b"))
    _accessible(browser, "question import page with an error")
    browser.shot("admin-import-broken")
    assert Question.objects.count() == questions
    assert not Quiz.objects.filter(slug="broken-bank").exists()


def _local_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_ta_extends_many_students_after_a_preview_and_an_unknown_username_changes_nothing(
    browser_factory, worker, course
):
    course_row, users = course
    assignment = Assignment.objects.get(course=course_row, slug="softmax")
    due = timezone.now() - timedelta(days=2)
    Assignment.objects.filter(pk=assignment.pk).update(due_at=due, late_penalty_per_day=Decimal("10"))
    softmax = Exercise.objects.get(slug="softmax")
    late = _graded(submission_create(user=users["student1"], exercise=softmax, code=CORRECT_SOFTMAX).pk)
    assert late.score == 10
    grade = Grade.objects.get(user=users["student1"], assignment=assignment)
    assert grade.late and grade.score < 10
    late_score = grade.score

    def state():
        return (
            sorted(Grade.objects.filter(assignment=assignment).values_list("user__username", "score", "state", "late", "sequence")),
            Extension.objects.count(),
            Excusal.objects.count(),
            GradeChange.objects.count(),
        )

    browser = browser_factory()
    _admin_log_in(browser, "assistant1")
    # "Add extension" is the bulk page.
    browser.go("/admin/courses/extension/")
    browser.page.locator(".object-tools a.addlink").click()
    browser.page.wait_for_load_state("load")
    assert browser.page.url.startswith(browser.base_url + "/admin/courses/extension/bulk/")
    _accessible(browser, "bulk extension form")

    def fill(usernames: str):
        browser.page.select_option("#id_assignment", label=str(assignment))
        browser.page.locator("input[name=action][value=extend]").check()
        browser.page.fill("#id_usernames", usernames)
        browser.page.fill("#id_due_at", _local_minute(timezone.now() + timedelta(days=3)))
        browser.page.fill("#id_reason", "ill in week 2")
        browser.page.locator("#bulk-preview").click()
        browser.page.wait_for_load_state("load")

    # A name that is not a student of the course: refused, named, nothing changed.
    before = state()
    fill("student1\nnobody")
    expect(browser.page.locator("#errors-usernames")).to_contain_text("Not a student of this course: nobody")
    expect(browser.page.locator("#bulk-preview-table")).to_have_count(0)
    browser.shot("admin-bulk-unknown-username")
    assert state() == before

    fill("student1, student2")
    table = browser.page.locator("#bulk-preview-table")
    expect(table).to_be_visible()
    expect(browser.page.locator("#bulk-summary")).to_contain_text("Students: 2")
    expect(browser.page.locator("#bulk-summary")).to_contain_text("Grades that change: 1")
    cells = browser.page.locator("#move-student1 td")
    expect(cells.nth(0)).to_have_text(f"{late_score.normalize()} · Graded · 已评分 · late")
    expect(cells.nth(1)).to_have_text("10 · Graded · 已评分")
    expect(cells.nth(2)).to_have_text("yes")
    expect(browser.page.locator("#move-student2 td").nth(2)).to_have_text("no")
    _accessible(browser, "bulk extension preview")
    browser.shot("admin-bulk-preview")
    assert state() == before  # the preview changed nothing

    browser.page.locator("#bulk-confirm").click()
    browser.page.wait_for_load_state("load")
    expect(_success(browser)).to_contain_text("Done for 2 student(s); 1 grade(s) changed.")
    assert browser.page.url == browser.base_url + f"/admin/courses/assignment/{assignment.pk}/change/"
    browser.go("/admin/courses/extension/")
    rows = browser.page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    for username in ("student1", "student2"):
        expect(rows.filter(has_text=username)).to_contain_text("ill in week 2")
    browser.shot("admin-bulk-extensions-listed")
    # The grade, as the TA reads it: on time now, at full marks.
    browser.go("/admin/grades/grade/?q=student1")
    graded_row = browser.page.locator("#result_list tbody tr", has_text="softmax")
    expect(graded_row.locator("td.field-score")).to_have_text("10.000")
    expect(graded_row.locator("td.field-late img")).to_have_attribute("alt", "False")
    browser.shot("admin-bulk-grade-after")

    grade.refresh_from_db()
    assert (grade.score, grade.late) == (Decimal("10.000"), False)
    change = grade.changes.order_by("-sequence").first()
    assert (change.cause, change.old_score, change.new_score) == (GradeChange.Cause.EXTENSION, late_score, Decimal("10.000"))
    assert (change.actor, change.reason) == (users["assistant1"], "ill in week 2")
    extensions = Extension.objects.filter(assignment=assignment).order_by("user__username")
    assert [(e.user.username, e.granted_by) for e in extensions] == [
        ("student1", users["assistant1"]), ("student2", users["assistant1"]),
    ]  # fmt: skip
