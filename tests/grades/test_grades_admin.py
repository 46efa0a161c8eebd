"""Admin: an instructor overrides a grade with a reason, grants an extension, and sees the records."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grades.models import Grade, GradeChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded_alice(alice, assignment, exercise, submit_and_grade):
    submit_and_grade(alice, exercise, "5")
    return Grade.objects.get(user=alice, assignment=assignment)


@pytest.mark.parametrize(
    "page",
    ["/admin/courses/assignment/", "/admin/grades/grade/", "/admin/grader/gradingrun/",
     "/admin/grader/regraderequest/", "/admin/grader/referencecheck/"],
)  # fmt: skip
def test_the_pages_load(admin_client, graded_alice, page):
    assert admin_client.get(page).status_code == 200


def test_an_override_needs_a_reason_and_is_recorded(admin_client, admin_user, graded_alice):
    url = f"/admin/grades/grade/{graded_alice.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"new_override": "19", "override_why": "", "changes-TOTAL_FORMS": "0",
                                       "changes-INITIAL_FORMS": "0"})  # fmt: skip
    assert response.status_code == 200  # the form again, with the error
    graded_alice.refresh_from_db()
    assert graded_alice.score == Decimal("10.000")

    response = admin_client.post(url, {"new_override": "19", "override_why": "oral exam", "changes-TOTAL_FORMS": "0",
                                       "changes-INITIAL_FORMS": "0"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    graded_alice.refresh_from_db()
    assert (graded_alice.score, graded_alice.override_reason) == (Decimal("19.000"), "oral exam")
    change = GradeChange.objects.filter(grade=graded_alice).latest("sequence")
    assert (change.cause, change.actor, change.reason) == ("override", admin_user, "oral exam")


def test_an_extension_from_the_assignment_page_recomputes_the_grade(admin_client, alice, assignment, graded_alice):
    from courses.models import Assignment

    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(days=3), late_penalty_per_day=10)
    assignment.refresh_from_db()
    from grades.services import grade_recompute

    grade_recompute(student=alice, assignment=assignment, cause="late_penalty")
    graded_alice.refresh_from_db()
    # Three days late at 10 % a day: 10 of 20 becomes 7.
    assert (graded_alice.score, graded_alice.late) == (Decimal("7.000"), True)
    new_due = timezone.now() + timedelta(days=1)
    data = {
        "course": assignment.course_id, "slug": assignment.slug, "kind": "coding", "exercise": assignment.exercise_id,
        "points": "20", "published": "on", "due_at_0": assignment.due_at.strftime("%Y-%m-%d"),
        "due_at_1": assignment.due_at.strftime("%H:%M:%S"), "attempt_limit": "", "grade_policy": "best",
        "late_penalty_per_day": "10", "late_penalty_cap": "100",
        "extensions-TOTAL_FORMS": "1", "extensions-INITIAL_FORMS": "0",
        "extensions-0-user": alice.pk, "extensions-0-due_at_0": new_due.strftime("%Y-%m-%d"),
        "extensions-0-due_at_1": new_due.strftime("%H:%M:%S"), "extensions-0-extra_attempts": "0",
        "extensions-0-reason": "ill",
        "excusals-TOTAL_FORMS": "0", "excusals-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = admin_client.post(f"/admin/courses/assignment/{assignment.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    graded_alice.refresh_from_db()
    assert (graded_alice.score, graded_alice.late) == (Decimal("10.000"), False)
    change = GradeChange.objects.filter(grade=graded_alice).latest("sequence")
    assert (change.cause, change.reason) == ("extension", "ill")


def test_every_date_and_time_input_of_an_assignment_and_its_extensions_has_a_name(client, teacher, assignment, alice):
    from django.contrib.auth import get_user_model

    from courses.models import Extension

    # Admin needs a staff account; the course role decides the rest.
    get_user_model().objects.filter(pk=teacher.pk).update(is_staff=True)
    Extension.objects.create(assignment=assignment, user=alice, due_at=timezone.now(), reason="ill")
    client.force_login(teacher)
    page = client.get(f"/admin/courses/assignment/{assignment.pk}/change/").content.decode()
    ids = [f"id_{name}" for name in ("opens_at", "due_at", "closes_at")]
    ids += [f"id_extensions-0-{name}" for name in ("due_at", "closes_at")]
    for field_id in ids:
        for part, name in (("0", "Date"), ("1", "Time")):
            tag = re.search(rf'<input[^>]*id="{field_id}_{part}"[^>]*>', page)
            assert tag is not None, f"{field_id}_{part} not on the page"
            # Django's own label points at neither input of a split field: each names itself.
            assert f'aria-label="{name}"' in tag.group(0), tag.group(0)
