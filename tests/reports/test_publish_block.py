"""An exercise whose checks are known to be wrong cannot be published: in admin, by the model, by the content loader."""

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.models import Assignment
from courses.services import SAMPLE_CONTENT_DIRECTORY, ContentError, course_load_from_directory
from grader.models import Exercise, ReferenceCheck
from grader.services.reference_checks import reference_check_fingerprint
from review.models import MutantResult

from .conftest import finished_report

pytestmark = pytest.mark.django_db

REFERENCE_MESSAGE = "The reference solution loses points"
REFERENCE_MESSAGE_ZH = "参考答案未得满分"


def _check(exercise, status):
    """A check as the worker leaves it: it answered for the exercise as it is now."""
    return ReferenceCheck.objects.create(
        exercise=exercise, status=status, fingerprint=reference_check_fingerprint(exercise=exercise)
    )


def _publish(client, assignment):
    return client.post(
        reverse("admin:courses_assignment_change", args=[assignment.pk]),
        {
            "course": assignment.course_id, "slug": assignment.slug, "kind": "coding", "exercise": assignment.exercise_id,
            "points": "10", "published": "on", "attempt_limit": "", "grade_policy": "best",
            "late_penalty_per_day": "0", "late_penalty_cap": "100",
            "extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0",
            "excusals-TOTAL_FORMS": "0", "excusals-INITIAL_FORMS": "0",
        },
    )  # fmt: skip


def _published(assignment) -> bool:
    return Assignment.objects.values_list("published", flat=True).get(pk=assignment.pk)


def test_the_instructor_publishes_an_exercise_whose_reference_passed(client, alpha):
    _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 302
    assert _published(alpha.assignment)


def test_an_exercise_never_checked_may_not_be_published_in_admin(client, alpha):
    """Nobody has graded its reference yet: admin asks for a self-check first (the loader does not: see below)."""
    client.force_login(alpha.instructor)
    response = _publish(client, alpha.assignment)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["published"])
    assert "Run the self-check first" in errors and "请先运行自检" in errors
    assert not _published(alpha.assignment)


def test_a_reference_that_loses_points_blocks_publication_with_a_bilingual_message(client, alpha):
    check = _check(alpha.exercise, ReferenceCheck.Status.FAILED)
    client.force_login(alpha.instructor)
    response = _publish(client, alpha.assignment)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["published"]
    assert any(REFERENCE_MESSAGE in e and REFERENCE_MESSAGE_ZH in e and f"#{check.pk}" in e for e in errors)
    assert not _published(alpha.assignment)


def test_a_check_that_could_not_run_blocks_publication(client, alpha):
    _check(alpha.exercise, ReferenceCheck.Status.ERROR)
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 200
    assert not _published(alpha.assignment)


def test_the_latest_answered_check_decides(client, alpha):
    _check(alpha.exercise, ReferenceCheck.Status.FAILED)
    _check(alpha.exercise, ReferenceCheck.Status.PENDING)  # not answered yet: the failure still stands
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 200
    _check(alpha.exercise, ReferenceCheck.Status.PASSED)  # fixed and checked again
    assert _publish(client, alpha.assignment).status_code == 302
    assert _published(alpha.assignment)


STALE_MESSAGE = "The reference check is out of date: run it again"
STALE_MESSAGE_ZH = "参考答案检查已过期：请重新运行"


def _stale_refusal(client, assignment) -> str:
    response = _publish(client, assignment)
    assert response.status_code == 200
    return " ".join(response.context["adminform"].form.errors["published"])


def test_an_edit_of_the_reference_after_its_check_refuses_publication_until_checked_again(
    client, alpha, django_capture_on_commit_callbacks
):
    from grader.services.reference_checks import reference_check_request

    check = _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    Exercise.objects.filter(pk=alpha.exercise.pk).update(
        reference_solution=alpha.exercise.reference_solution + "\n# tidied\n"
    )
    client.force_login(alpha.instructor)
    errors = _stale_refusal(client, alpha.assignment)
    assert STALE_MESSAGE in errors and STALE_MESSAGE_ZH in errors and f"#{check.pk}" in errors
    # Nothing changed: still unpublished, the check as it was.
    assert not _published(alpha.assignment)
    assert ReferenceCheck.objects.get(pk=check.pk).status == ReferenceCheck.Status.PASSED
    # Checked again (the request records the exercise as it is now; the worker answers it).
    with django_capture_on_commit_callbacks(execute=False):
        again = reference_check_request(exercise=Exercise.objects.get(pk=alpha.exercise.pk), requested_by=alpha.instructor)
    ReferenceCheck.objects.filter(pk=again.pk).update(status=ReferenceCheck.Status.PASSED)
    assert _publish(client, alpha.assignment).status_code == 302
    assert _published(alpha.assignment)


@pytest.mark.parametrize(
    "edit",
    [
        {"check_params": {"hidden_cases": 7}},
        {"points": 12},
        {"required_functions": ["softmax", "helper"]},
        {"check_suite": "layer_norm"},
    ],
    ids=["parameters", "points", "required-functions", "suite"],
)
def test_an_edit_of_the_check_suite_or_its_parameters_makes_the_check_stale(client, alpha, edit):
    _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    Exercise.objects.filter(pk=alpha.exercise.pk).update(**edit)
    client.force_login(alpha.instructor)
    assert STALE_MESSAGE in _stale_refusal(client, alpha.assignment)
    assert not _published(alpha.assignment)


def test_a_statement_edit_leaves_the_check_current(client, alpha):
    _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    Exercise.objects.filter(pk=alpha.exercise.pk).update(statement_en="Write a softmax, carefully.")
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 302


def test_a_changed_known_wrong_solution_makes_the_check_stale(monkeypatch, tmp_path):
    """The known-wrong solutions are files in the exercise's content folder: one added counts as an edit."""
    from courses import services as course_services

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, content)
    monkeypatch.setattr(course_services, "SAMPLE_CONTENT_DIRECTORY", content)
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="softmax").update(published=False)
    exercise = Exercise.objects.get(slug="softmax")
    _check(exercise, ReferenceCheck.Status.PASSED)
    (content / "exercises" / "softmax" / "mistakes" / "times_two.py").write_text(
        "# mistake: times_two\ndef softmax(x, axis=-1):\n    return 2 * x\n", encoding="utf-8"
    )
    assignment = Assignment.objects.get(slug="softmax")
    assignment.published = True
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert STALE_MESSAGE in str(refused.value.message_dict["published"])


def test_a_check_from_before_fingerprints_counts_as_stale(client, alpha):
    """What the migration gives the checks it found: a fingerprint no exercise has."""
    ReferenceCheck.objects.create(exercise=alpha.exercise, status=ReferenceCheck.Status.PASSED, fingerprint="unknown")
    client.force_login(alpha.instructor)
    assert STALE_MESSAGE in _stale_refusal(client, alpha.assignment)


def test_a_stale_check_leaves_a_published_assignment_published_and_editable(client, alpha):
    Assignment.objects.filter(pk=alpha.assignment.pk).update(published=True)
    ReferenceCheck.objects.create(exercise=alpha.exercise, status=ReferenceCheck.Status.PASSED, fingerprint="unknown")
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 302
    assert _published(alpha.assignment)


def test_the_worker_answers_for_the_exercise_it_graded(alpha, monkeypatch):
    """Edited between the request and the grading: the answer is stored under what was graded, not what was asked."""
    from grader import exercise_verification
    from grader.exercise_verification import ExerciseCheck
    from grader.services.reference_checks import reference_check_run

    check = _check(alpha.exercise, ReferenceCheck.Status.PENDING)
    edited = alpha.exercise.reference_solution + "\n# edited before the worker took it\n"
    Exercise.objects.filter(pk=alpha.exercise.pk).update(reference_solution=edited)
    monkeypatch.setattr(
        exercise_verification, "exercise_check_reference", lambda *, exercise: ExerciseCheck(slug=exercise.slug, runs=3)
    )
    assert reference_check_run(reference_check_id=check.pk) == ReferenceCheck.Status.PASSED
    check.refresh_from_db()
    assert check.fingerprint == reference_check_fingerprint(exercise=Exercise.objects.get(pk=alpha.exercise.pk))


def test_a_known_wrong_solution_that_survives_blocks_publication(client, alpha):
    finished_report(alpha.exercise, known_wrong={"no_max.py": MutantResult.Outcome.SURVIVED})
    client.force_login(alpha.instructor)
    response = _publish(client, alpha.assignment)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["published"])
    assert "no_max.py" in errors and "已知错误解法" in errors
    assert not _published(alpha.assignment)


def test_a_low_mutation_score_alone_does_not_block(client, alpha):
    report = finished_report(alpha.exercise, survivors=("a", "b", "c"), killed=("d",), known_wrong={"x.py": "killed"})
    assert report.score == 0.25
    _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    client.force_login(alpha.instructor)
    assert _publish(client, alpha.assignment).status_code == 302


def test_an_already_published_assignment_stays_editable(client, alpha):
    Assignment.objects.filter(pk=alpha.assignment.pk).update(published=True)
    _check(alpha.exercise, ReferenceCheck.Status.FAILED)
    client.force_login(alpha.instructor)
    # The rule is about becoming published; an edit of a published one is not refused.
    assert _publish(client, alpha.assignment).status_code == 302


def test_the_ta_may_not_publish(client, alpha):
    client.force_login(alpha.assistant)
    assert _publish(client, alpha.assignment).status_code == 403
    assert not _published(alpha.assignment)


def test_another_course_s_instructor_may_not_publish(client, alpha, beta):
    client.force_login(beta.instructor)
    response = _publish(client, alpha.assignment)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert not _published(alpha.assignment)


def test_a_student_may_not_publish(client, alpha):
    client.force_login(alpha.student)
    response = _publish(client, alpha.assignment)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert not _published(alpha.assignment)


def test_the_model_refuses_too(alpha):
    _check(alpha.exercise, ReferenceCheck.Status.FAILED)
    alpha.assignment.published = True
    with pytest.raises(ValidationError) as refused:
        alpha.assignment.full_clean()
    assert REFERENCE_MESSAGE in str(refused.value.message_dict["published"])


# --- the content loader ----------------------------------------------------------------------------


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the sample course's files to edit."""
    directory = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, directory)
    return directory


def _say_published(content: Path, slug: str, published: bool) -> None:
    toml = content / "exercises" / slug / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"published = {'true' if published else 'false'}\n", encoding="utf-8")


def test_the_loader_publishes_what_the_file_says_when_nothing_blocks_it(content):
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="softmax").update(published=False)
    _say_published(content, "softmax", True)
    course_load_from_directory(directory=content)
    assert Assignment.objects.get(slug="softmax").published


def test_the_loader_refuses_to_publish_an_exercise_whose_reference_loses_points(content):
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="softmax").update(published=False)
    _check(Exercise.objects.get(slug="softmax"), ReferenceCheck.Status.FAILED)
    _say_published(content, "softmax", True)
    (content / "exercises" / "softmax" / "statement.en.md").write_text("Changed.\n", encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        course_load_from_directory(directory=content)
    assert "exercises/softmax/exercise.toml" in str(refused.value) and REFERENCE_MESSAGE_ZH in str(refused.value)
    # Nothing written: neither the publication nor the other change of the same load.
    assert not Assignment.objects.get(slug="softmax").published
    assert Exercise.objects.get(slug="softmax").statement_en != "Changed."


def test_the_loader_refuses_to_publish_a_reference_changed_since_its_check(content):
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="softmax").update(published=False)
    _check(Exercise.objects.get(slug="softmax"), ReferenceCheck.Status.PASSED)
    _say_published(content, "softmax", True)
    solution = content / "exercises" / "softmax" / "solution.py"
    solution.write_text(solution.read_text(encoding="utf-8") + "\n# changed after the check\n", encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        course_load_from_directory(directory=content)
    assert "exercises/softmax/exercise.toml" in str(refused.value) and STALE_MESSAGE_ZH in str(refused.value)
    assert not Assignment.objects.get(slug="softmax").published
    assert "changed after the check" not in Exercise.objects.get(slug="softmax").reference_solution


def test_the_loader_loads_the_sample_course_twice_after_a_check_went_stale(content):
    """`make install` runs seed_course on every install: a published exercise is never refused by a stale check."""
    course_load_from_directory(directory=content)
    for exercise in Exercise.objects.all():
        ReferenceCheck.objects.create(exercise=exercise, status=ReferenceCheck.Status.PASSED, fingerprint="unknown")
    course_load_from_directory(directory=content)
    assert set(Assignment.objects.filter(kind="coding").values_list("published", flat=True)) == {True}


def test_the_loader_refuses_to_create_a_published_assignment_for_a_blocked_exercise(content):
    course_load_from_directory(directory=content)
    exercise = Exercise.objects.get(slug="softmax")
    finished_report(exercise, known_wrong={"no_max_subtraction.py": MutantResult.Outcome.SURVIVED})
    Assignment.objects.filter(slug="softmax").delete()
    with pytest.raises(ContentError, match="no_max_subtraction.py"):
        course_load_from_directory(directory=content)
    assert not Assignment.objects.filter(slug="softmax").exists()


def test_the_loader_may_unpublish_and_leaves_publication_alone_when_the_file_is_silent(content):
    course_load_from_directory(directory=content)
    _check(Exercise.objects.get(slug="softmax"), ReferenceCheck.Status.FAILED)
    _say_published(content, "softmax", False)
    course_load_from_directory(directory=content)
    assert not Assignment.objects.get(slug="softmax").published
    toml = content / "exercises" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("published = false\n", ""), encoding="utf-8")
    course_load_from_directory(directory=content)
    assert not Assignment.objects.get(slug="softmax").published


def test_the_loader_names_a_published_value_that_is_not_a_boolean(content):
    toml = content / "exercises" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'published = "yes"\n', encoding="utf-8")
    with pytest.raises(ContentError, match="published must be true or false, not a string"):
        course_load_from_directory(directory=content)


# --- admin shows which checks are out of date --------------------------------------------------------


def _checks_page(client, user):
    client.force_login(user)
    return client.get(reverse("admin:grader_referencecheck_changelist"))


def test_staff_of_the_course_see_which_checks_are_out_of_date(client, alpha):
    old = ReferenceCheck.objects.create(exercise=alpha.exercise, status=ReferenceCheck.Status.PASSED, fingerprint="unknown")
    current = _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    for user in (alpha.instructor, alpha.assistant):
        page = _checks_page(client, user).content.decode()
        assert "Out of date: run it again · 已过期：请重新运行" in page and "Up to date · 最新" in page
        detail = client.get(reverse("admin:grader_referencecheck_change", args=[old.pk])).content.decode()
        assert "已过期：请重新运行" in detail
        detail = client.get(reverse("admin:grader_referencecheck_change", args=[current.pk])).content.decode()
        assert "Up to date · 最新" in detail and current.fingerprint in detail


def test_an_edit_turns_the_check_out_of_date_in_admin(client, alpha):
    check = _check(alpha.exercise, ReferenceCheck.Status.PASSED)
    Exercise.objects.filter(pk=alpha.exercise.pk).update(check_params={"hidden_cases": 9})
    client.force_login(alpha.instructor)
    detail = client.get(reverse("admin:grader_referencecheck_change", args=[check.pk])).content.decode()
    assert "Out of date: run it again" in detail


def test_another_course_s_instructor_and_a_student_see_no_check(client, alpha, beta):
    check = ReferenceCheck.objects.create(exercise=alpha.exercise, status=ReferenceCheck.Status.PASSED, fingerprint="unknown")
    page = _checks_page(client, beta.instructor)
    assert page.status_code == 200 and "run it again" not in page.content.decode()
    response = client.get(reverse("admin:grader_referencecheck_change", args=[check.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    page = _checks_page(client, alpha.student)
    assert page.status_code == 302 and page.url.startswith(reverse("admin:login"))
