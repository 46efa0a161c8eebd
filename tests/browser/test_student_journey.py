"""A student's path through the pages in Chromium, with a real worker grading: what a person sees and can do.

Each page visited is also checked by axe-core (no serious or critical
violation) and for Content-Security-Policy refusals in the console.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from courses.models import Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Submission
from tests.integration.conftest import CORRECT_SOFTMAX
from web.models import Precheck

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Forgets the 1/sqrt(d_k) scaling: a known mistake the feedback names, and weights that differ.
ATTENTION_WITHOUT_SCALING = """\
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ v, weights
"""
TIMEOUT = 30_000  # ms: a grade takes well under a second; this is for a loaded CI machine


@pytest.fixture
def student(transactional_db):
    course = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course
    user = get_user_model().objects.create_user(username="student1", password="student1-pw-9z")
    Enrollment.objects.create(user=user, course=course)
    return user


def _accessible(browser, name):
    problems = browser.axe_problems()
    assert problems == [], f"{name}: {problems}"
    assert browser.csp_errors == [], f"{name}: {browser.csp_errors}"


def test_log_in_submit_a_correct_softmax_and_see_full_marks(browser_factory, worker, student):
    browser = browser_factory()
    browser.go("/")
    _accessible(browser, "home, anonymous")
    browser.go("/accounts/login/")
    _accessible(browser, "login")
    browser.log_in("student1", "student1-pw-9z")
    _accessible(browser, "home, student")
    browser.shot("home-en")

    browser.page.get_by_role("link", name="The softmax function").click()
    browser.page.wait_for_selector(".CodeMirror")
    # KaTeX rendered the statement's math from our static files.
    assert browser.page.locator(".statement .katex").count() > 0
    assert "points" not in browser.page.locator("#result").inner_text()
    browser.set_code(CORRECT_SOFTMAX)
    browser.page.get_by_role("button", name="Submit").click()
    score = browser.page.locator("#result .score")
    score.wait_for(timeout=TIMEOUT)
    assert score.inner_text() == "10 / 10 points"
    assert browser.page.locator("#result .tests tr.failed").count() == 0
    # The history and the grade beside the editor followed without a reload.
    assert browser.page.locator("#history tbody tr").count() == 1
    assert "10 / 10" in browser.page.locator("#standing").inner_text()
    # So did the grade history: the first grading is a change, newest first.
    changes = browser.page.locator("#grade-history tbody tr")
    assert changes.count() == 2 and "Your work was graded" in changes.first.inner_text()
    _accessible(browser, "exercise page with a result")
    browser.shot("softmax-full-marks")
    assert Submission.objects.get(user=student).score == 10

    browser.go("/")
    assert "10 / 10" in browser.page.locator("tr", has_text="The softmax function").inner_text()


def test_a_wrong_attention_gets_its_feedback_and_heatmap(browser_factory, worker, student):
    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.go("/exercises/attention/")
    browser.set_code(ATTENTION_WITHOUT_SCALING)
    browser.page.get_by_role("button", name="Submit").click()
    browser.page.locator("#result .score").wait_for(timeout=TIMEOUT)
    result = browser.page.locator("#result")
    assert re.search(r"sqrt\(d_k\)|√d_k|scal", result.inner_text())  # the known mistake is named
    heatmap = result.locator("figure.heatmap").first
    heatmap.wait_for()
    assert heatmap.locator("rect.differs").count() > 0
    assert "Expected" in heatmap.inner_text() and "Yours" in heatmap.inner_text()
    # Hidden tests: pass/fail and a hint only, never drawn.
    for row in result.locator("tr", has_text="hidden").all():
        assert row.locator("figure").count() == 0
    _accessible(browser, "exercise page with a heatmap")
    heatmap.scroll_into_view_if_needed()
    browser.shot("attention-heatmap")
    heatmap.screenshot(path=str(browser.screenshots / "attention-heatmap-closeup.png"))

    submission = Submission.objects.get(user=student)
    browser.go(f"/exercises/attention/submissions/{submission.pk}/")
    _accessible(browser, "submission page")


def test_precheck_runs_the_visible_tests_only_and_costs_no_attempt(browser_factory, worker, student):
    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.go("/exercises/attention/")
    browser.set_code(ATTENTION_WITHOUT_SCALING)
    browser.page.get_by_role("button", name="Run the visible tests").click()
    summary = browser.page.locator("#precheck-result .score-line")
    summary.wait_for(timeout=TIMEOUT)
    assert re.search(r"\d+ of \d+ visible tests passed", summary.inner_text())
    table = browser.page.locator("#precheck-result table.tests")
    assert table.locator("tbody tr").count() == Precheck.objects.get(user=student).total
    assert "hidden" not in table.inner_text()
    assert Submission.objects.count() == 0
    _accessible(browser, "exercise page with a precheck")
    browser.shot("precheck")


def test_switch_the_language_and_read_the_pages_in_chinese(browser_factory, worker, student):
    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.page.select_option("#language-select", "zh-hans")
    browser.page.get_by_role("button", name="Switch").click()
    browser.page.wait_for_load_state("load")
    assert browser.page.get_attribute("html", "lang") == "zh-hans"
    assert "课程主页" in browser.page.inner_text("main")
    assert "第 2 章" in browser.page.inner_text("main")
    _accessible(browser, "home in Chinese")
    browser.shot("home-zh")
    browser.go("/exercises/softmax/")
    browser.set_code(CORRECT_SOFTMAX)
    browser.page.get_by_role("button", name="提交").click()
    browser.page.locator("#result .score").wait_for(timeout=TIMEOUT)
    assert "10 / 10 分" in browser.page.locator("#result .score").inner_text()
    _accessible(browser, "exercise page in Chinese")
    browser.shot("softmax-zh")


def test_the_pages_fit_a_phone(browser_factory, worker, student):
    browser = browser_factory(viewport=PHONE)
    browser.go("/accounts/login/")
    assert browser.no_horizontal_scroll()
    browser.log_in("student1", "student1-pw-9z")
    assert browser.no_horizontal_scroll()
    browser.shot("phone-home")
    browser.go("/exercises/attention/")
    browser.set_code(ATTENTION_WITHOUT_SCALING)
    browser.page.get_by_role("button", name="Submit").click()
    browser.page.locator("#result .score").wait_for(timeout=TIMEOUT)
    assert browser.no_horizontal_scroll()
    _accessible(browser, "exercise page on a phone")
    browser.shot("phone-exercise")
    browser.go("/accounts/password/")
    assert browser.no_horizontal_scroll()
    _accessible(browser, "password change")


def test_the_keyboard_reaches_everything_and_focus_is_visible(browser_factory, worker, student):
    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.go("/exercises/softmax/")
    page = browser.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")  # skip to the content
    # Into the editor by keyboard, type, and out of it with Esc to the first button.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.CodeMirror')"):
            break
    else:
        pytest.fail("Tab never reached the editor")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# typed by keyboard\n")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Run the visible tests"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Submit"
    page.keyboard.press("Enter")
    page.locator("#result .status.done").wait_for(timeout=TIMEOUT)
    assert "# typed by keyboard" in Submission.objects.get(user=student).code
    browser.shot("keyboard-submit")


def test_an_instructor_s_override_shows_on_the_home_and_in_the_history_in_both_languages(browser_factory, worker, student):
    from decimal import Decimal

    from courses.models import Assignment
    from grades.services import grade_override

    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.go("/exercises/softmax/")
    browser.set_code(CORRECT_SOFTMAX)
    browser.page.get_by_role("button", name="Submit").click()
    browser.page.locator("#result .score").wait_for(timeout=TIMEOUT)
    teacher = get_user_model().objects.create_user(username="teacher1", password="teacher1-pw-9z")
    Enrollment.objects.create(user=teacher, course=Enrollment.objects.get(user=student).course, role=Enrollment.Role.INSTRUCTOR)
    grade_override(student=student, assignment=Assignment.objects.get(slug="softmax"), score=Decimal(7), actor=teacher,
                   reason="the <axis> argument is ignored")  # fmt: skip

    browser.go("/")
    row = browser.page.locator("tr", has_text="The softmax function")
    assert "7 / 10" in row.inner_text()
    _accessible(browser, "home with a changed grade")
    row.get_by_role("link", name="changed by the course staff: see your grade history").click()
    browser.page.wait_for_url(re.compile(r"/exercises/softmax/#grade-history$"))
    latest = browser.page.locator("#grade-history tbody tr").first
    assert "Set by an instructor" in latest.inner_text() and "the <axis> argument is ignored" in latest.inner_text()
    assert "teacher1" not in browser.page.inner_text("main")
    _accessible(browser, "exercise page with a grade history")
    browser.shot("softmax-grade-history")
    browser.go("/exercises/softmax/?lang=zh")
    assert "教师调整了成绩" in browser.page.locator("#grade-history tbody tr").first.inner_text()
    _accessible(browser, "grade history in Chinese")


def test_take_the_chapter_1_quiz_and_see_the_score_and_explanations(browser_factory, student):
    from quizzes.bank_loading import quiz_bank_load
    from quizzes.models import QuizAttempt

    quiz_bank_load(directory=SAMPLE_CONTENT_DIRECTORY / "quizzes", course=Enrollment.objects.get(user=student).course)
    browser = browser_factory()
    browser.log_in("student1", "student1-pw-9z")
    browser.go("/quizzes/chapter-1-quiz/")
    _accessible(browser, "quiz page before starting")
    browser.page.get_by_role("button", name="Start the quiz").click()
    browser.page.wait_for_selector("#question-c1-deep-blue-weak-ai")
    _accessible(browser, "quiz page with its questions")
    # Deep Blue embodies weak AI (option b); the rest stay unanswered.
    browser.page.locator("#question-c1-deep-blue-weak-ai input[value='b']").check()
    browser.page.get_by_role("button", name="Submit answers").click()
    score = browser.page.locator(".score")
    score.wait_for(timeout=TIMEOUT)
    attempt = QuizAttempt.objects.get(user=student)
    assert attempt.submitted_at is not None and attempt.score == 1
    assert f"Score: 1 / {attempt.max_score.normalize():f}" in score.inner_text()
    # Shown after submitting (the sample quiz's setting): the explanation names its section.
    assert "1.1.1" in browser.page.locator("#result-c1-deep-blue-weak-ai").inner_text()
    _accessible(browser, "quiz result")
    browser.shot("quiz-chapter-1-result")
    browser.go("/quizzes/chapter-1-quiz/")
    assert "Your work was graded" in browser.page.locator("#grade-history").inner_text()
    _accessible(browser, "quiz page with a grade history")
    browser.go("/")
    assert "1 /" in browser.page.locator("tr", has_text="Chapter 1 quiz").inner_text()
