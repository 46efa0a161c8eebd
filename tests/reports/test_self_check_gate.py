"""An exercise authored in admin reaches students only after a self-check graded it and passed.

The self-check grades the reference and each known-wrong solution through the
task's service (reference_check_run, as the worker runs it; the real sandbox
grades), never in the web process: the admin action only queues it.
"""

import pytest
from django.urls import reverse

from courses.models import Assignment
from grader.models import Exercise, KnownWrongGrading, ReferenceCheck
from grader.services.reference_checks import reference_check_run
from quizzes.models import Quiz

from .conftest import SOFTMAX

pytestmark = pytest.mark.django_db

SELF_CHECK_FIRST = "Run the self-check first"
SELF_CHECK_FIRST_ZH = "请先运行自检"
STALE = "The reference check is out of date: run it again"

# Subtracts no maximum: overflows on large inputs, which the softmax suite tries.
NO_MAX = """import numpy as np


def softmax(x, axis=-1):
    exps = np.exp(np.asarray(x, dtype=np.float64))
    return exps / np.sum(exps, axis=axis, keepdims=True)
"""


def _exercise_form(chapter, slug, **changes):
    data = {
        "slug": slug, "chapter": chapter.pk, "position": 0, "title_zh": "新练习", "title_en": "A new exercise",
        "statement_zh": "写 softmax。", "statement_en": "Write softmax.", "starter_code": "",
        "reference_solution": SOFTMAX, "required_functions": '["softmax"]', "check_suite": "softmax",
        "check_params": "{}", "points": "10", "cpu_limit_seconds": "2", "wall_limit_seconds": "5",
        "memory_limit_mb": "512",
    }  # fmt: skip
    data.update(changes)
    return data


def _assignment_form(course, exercise, *, published: bool):
    data = {
        "course": course.pk, "slug": exercise.slug, "kind": "coding", "exercise": exercise.pk, "points": "10",
        "attempt_limit": "", "grade_policy": "best", "late_penalty_per_day": "0", "late_penalty_cap": "100",
        "extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0",
        "excusals-TOTAL_FORMS": "0", "excusals-INITIAL_FORMS": "0",
    }  # fmt: skip
    if published:
        data["published"] = "on"
    return data


def _publish(client, assignment):
    url = reverse("admin:courses_assignment_change", args=[assignment.pk])
    return client.post(url, _assignment_form(assignment.course, assignment.exercise, published=True))


def _refusal(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["adminform"].form.errors["published"])


def _published(assignment) -> bool:
    return Assignment.objects.values_list("published", flat=True).get(pk=assignment.pk)


def _self_check(client, exercise, django_capture_on_commit_callbacks) -> ReferenceCheck:
    """The admin action queues the check (nothing graded in the request); then the worker's service answers it."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("admin:grader_exercise_changelist"),
            {"action": "check_reference_solutions", "_selected_action": [exercise.pk]},
            follow=True,
        )
    assert "reference check(s) queued" in response.content.decode()
    check = ReferenceCheck.objects.filter(exercise=exercise).latest("id")
    assert check.status == ReferenceCheck.Status.PENDING and len(queued) == 1
    reference_check_run(reference_check_id=check.pk)
    check.refresh_from_db()
    return check


def test_a_new_exercise_authored_in_admin_is_published_only_after_a_passing_self_check(
    client, alpha, django_capture_on_commit_callbacks
):
    client.force_login(alpha.instructor)
    chapter = alpha.exercise.chapter
    response = client.post(reverse("admin:grader_exercise_add"), _exercise_form(chapter, "new-softmax"))
    assert response.status_code == 302
    exercise = Exercise.objects.get(slug="new-softmax")

    # A new assignment starts unpublished.
    form = client.get(reverse("admin:courses_assignment_add")).context["adminform"].form
    assert form.initial["published"] is False
    assert "self-check" in form.fields["published"].help_text and "自检" in form.fields["published"].help_text
    response = client.post(reverse("admin:courses_assignment_add"), _assignment_form(alpha.course, exercise, published=False))
    assert response.status_code == 302
    assignment = Assignment.objects.get(slug="new-softmax")
    assert not assignment.published

    # Nobody has graded its reference: publishing is refused, saying what to do, in both languages.
    errors = _refusal(_publish(client, assignment))
    assert SELF_CHECK_FIRST in errors and SELF_CHECK_FIRST_ZH in errors
    assert not _published(assignment)

    # Queued but not answered: still refused, and the message says it is waiting.
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("admin:grader_exercise_changelist"),
            {"action": "check_reference_solutions", "_selected_action": [exercise.pk]},
        )
    pending = ReferenceCheck.objects.get(exercise=exercise)
    errors = _refusal(_publish(client, assignment))
    assert f"reference check #{pending.pk}) has not answered yet" in errors and "尚未完成" in errors
    ReferenceCheck.objects.filter(pk=pending.pk).delete()

    check = _self_check(client, exercise, django_capture_on_commit_callbacks)
    assert (check.status, check.reference_full_marks, check.problems) == (ReferenceCheck.Status.PASSED, True, "")
    assert check.runs == 3  # three seeds of the reference; an exercise authored in admin ships no known-wrong solution
    assert _publish(client, assignment).status_code == 302
    assert _published(assignment)


@pytest.fixture
def mistakes(alpha, tmp_path, monkeypatch):
    """Known-wrong solutions for alpha's exercise, in a content folder of its own."""
    from courses import services as course_services

    folder = tmp_path / "exercises" / alpha.exercise.slug / "mistakes"
    folder.mkdir(parents=True)
    monkeypatch.setattr(course_services, "SAMPLE_CONTENT_DIRECTORY", tmp_path)
    return folder


def test_the_self_check_grades_each_known_wrong_solution_and_names_the_one_earning_full_marks(
    client, alpha, mistakes, django_capture_on_commit_callbacks
):
    (mistakes / "no_max.py").write_text("# mistake: overflow\n" + NO_MAX, encoding="utf-8")
    # Not wrong at all: the checks cannot catch it, and the self-check must say so.
    (mistakes / "same_as_reference.py").write_text(SOFTMAX, encoding="utf-8")
    client.force_login(alpha.instructor)

    check = _self_check(client, alpha.exercise, django_capture_on_commit_callbacks)
    assert check.status == ReferenceCheck.Status.FAILED and check.reference_full_marks is True
    assert check.runs == 3 + 2
    rows = {row.name: row for row in KnownWrongGrading.objects.filter(reference_check=check)}
    assert set(rows) == {"no_max.py", "same_as_reference.py"}
    assert rows["no_max.py"].lost_points and rows["no_max.py"].score < rows["no_max.py"].max_score
    assert rows["no_max.py"].mistake == "overflow"
    assert not rows["same_as_reference.py"].lost_points
    assert rows["same_as_reference.py"].score == rows["same_as_reference.py"].max_score == 10
    assert "same_as_reference.py: a known-wrong solution earned full marks" in check.problems
    assert "no_max.py" not in check.problems

    # The check's page lists each solution, its score and whether it lost points, for the course's staff.
    for user in (alpha.instructor, alpha.assistant):
        client.force_login(user)
        page = client.get(reverse("admin:grader_referencecheck_change", args=[check.pk])).content.decode()
        assert "no_max.py" in page and "same_as_reference.py" in page
        assert "Yes: caught · 是：已发现" in page and "No: full marks, the checks miss it · 否：得满分，检查未能发现" in page
        assert "10 / 10" in page

    client.force_login(alpha.instructor)
    errors = _refusal(_publish(client, alpha.assignment))
    assert "Known-wrong solution(s) same_as_reference.py earn full marks" in errors and "已知错误解法" in errors
    assert "no_max.py" not in errors
    # The reference itself earned full marks: that is not among the reasons.
    assert "The reference solution loses points" not in errors
    assert not _published(alpha.assignment)

    # The solution that was not wrong is removed: the check is out of date, and a new one passes.
    (mistakes / "same_as_reference.py").unlink()
    assert STALE in _refusal(_publish(client, alpha.assignment))
    again = _self_check(client, alpha.exercise, django_capture_on_commit_callbacks)
    assert again.status == ReferenceCheck.Status.PASSED
    assert list(again.known_wrong.values_list("name", "lost_points")) == [("no_max.py", True)]
    assert _publish(client, alpha.assignment).status_code == 302
    assert _published(alpha.assignment)


def test_a_reference_that_loses_points_fails_the_self_check(client, alpha, mistakes, django_capture_on_commit_callbacks):
    (mistakes / "no_max.py").write_text(NO_MAX, encoding="utf-8")
    Exercise.objects.filter(pk=alpha.exercise.pk).update(reference_solution=NO_MAX)
    client.force_login(alpha.instructor)
    check = _self_check(client, Exercise.objects.get(pk=alpha.exercise.pk), django_capture_on_commit_callbacks)
    assert check.status == ReferenceCheck.Status.FAILED and check.reference_full_marks is False
    assert list(check.known_wrong.values_list("name", "lost_points")) == [("no_max.py", True)]
    errors = _refusal(_publish(client, alpha.assignment))
    assert "The reference solution loses points" in errors and "参考答案未得满分" in errors
    assert "earn full marks" not in errors


def test_an_edit_after_a_passing_self_check_refuses_publication_until_checked_again(
    client, alpha, django_capture_on_commit_callbacks
):
    client.force_login(alpha.instructor)
    check = _self_check(client, alpha.exercise, django_capture_on_commit_callbacks)
    assert check.status == ReferenceCheck.Status.PASSED
    url = reverse("admin:grader_exercise_change", args=[alpha.exercise.pk])
    edited = _exercise_form(alpha.exercise.chapter, alpha.exercise.slug, reference_solution=SOFTMAX + "\n# tidied\n")
    assert client.post(url, edited).status_code == 302
    errors = _refusal(_publish(client, alpha.assignment))
    assert STALE in errors and f"#{check.pk}" in errors
    assert not _published(alpha.assignment)
    _self_check(client, Exercise.objects.get(pk=alpha.exercise.pk), django_capture_on_commit_callbacks)
    assert _publish(client, alpha.assignment).status_code == 302


def test_a_second_delivery_of_the_task_grades_nothing_more(alpha, mistakes):
    from grader.services.reference_checks import reference_check_request

    (mistakes / "no_max.py").write_text(NO_MAX, encoding="utf-8")
    check = reference_check_request(exercise=alpha.exercise, requested_by=alpha.instructor)
    assert reference_check_run(reference_check_id=check.pk) == ReferenceCheck.Status.PASSED
    assert reference_check_run(reference_check_id=check.pk) == "not_pending"
    assert KnownWrongGrading.objects.filter(reference_check=check).count() == 1


def test_a_self_check_the_sandbox_could_not_run_stores_no_grading_and_blocks(client, alpha, mistakes, monkeypatch):
    from grader import exercise_verification
    from grader.sandbox import SandboxUnavailable
    from grader.services.reference_checks import reference_check_request

    (mistakes / "no_max.py").write_text(NO_MAX, encoding="utf-8")

    def unavailable(**_kwargs):
        raise SandboxUnavailable("no sandbox here")

    monkeypatch.setattr(exercise_verification, "grade_code", unavailable)
    check = reference_check_request(exercise=alpha.exercise, requested_by=alpha.instructor)
    assert reference_check_run(reference_check_id=check.pk) == ReferenceCheck.Status.ERROR
    check.refresh_from_db()
    assert (check.runs, check.reference_full_marks, check.known_wrong.count()) == (0, None, 0)
    assert "The sandbox is unavailable · 沙箱不可用" in check.problems
    client.force_login(alpha.instructor)
    assert "The checks could not run" in _refusal(_publish(client, alpha.assignment))


def test_a_check_made_before_known_wrong_solutions_were_graded_is_out_of_date(client, alpha):
    """Its fingerprint named no method: it vouched for the reference only."""
    import hashlib
    import json

    from grader.code_grading import suite_version

    old = {"reference": alpha.exercise.reference_solution, "known_wrong": [], "suite_version": suite_version(alpha.exercise)}
    fingerprint = hashlib.sha256(json.dumps(old, sort_keys=True).encode("utf-8")).hexdigest()
    ReferenceCheck.objects.create(exercise=alpha.exercise, status=ReferenceCheck.Status.PASSED, fingerprint=fingerprint)
    client.force_login(alpha.instructor)
    assert STALE in _refusal(_publish(client, alpha.assignment))


def test_a_quiz_needs_no_self_check(alpha):
    quiz = Quiz.objects.create(course=alpha.course, slug="alpha-quiz", title_en="Quiz", title_zh="测验")
    assignment = Assignment(course=alpha.course, slug="alpha-quiz", kind=Assignment.Kind.QUIZ, quiz=quiz, published=True)
    assignment.full_clean()
    assignment.save()
    assert _published(assignment)


def test_the_ta_cannot_publish_even_after_a_passing_check(client, alpha, django_capture_on_commit_callbacks):
    client.force_login(alpha.instructor)
    assert _self_check(client, alpha.exercise, django_capture_on_commit_callbacks).status == ReferenceCheck.Status.PASSED
    client.force_login(alpha.assistant)
    assert _publish(client, alpha.assignment).status_code == 403
    # Nor run a self-check: the action is not theirs.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("admin:grader_exercise_changelist"),
            {"action": "check_reference_solutions", "_selected_action": [alpha.exercise.pk]},
        )
    assert queued == [] and ReferenceCheck.objects.filter(exercise=alpha.exercise).count() == 1
    assert not _published(alpha.assignment)


def test_another_course_s_instructor_and_a_student_cannot_publish_or_check(
    client, alpha, beta, django_capture_on_commit_callbacks
):
    for user in (beta.instructor, alpha.student):
        client.force_login(user)
        response = _publish(client, alpha.assignment)
        assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=False) as queued:
            client.post(
                reverse("admin:grader_exercise_changelist"),
                {"action": "check_reference_solutions", "_selected_action": [alpha.exercise.pk]},
            )
        assert queued == []
    assert not ReferenceCheck.objects.filter(exercise=alpha.exercise).exists()
    assert not _published(alpha.assignment)
