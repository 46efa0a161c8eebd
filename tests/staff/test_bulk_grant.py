"""Extensions and excusals for many students at once, in admin: preview, then confirm.

For the course's instructor, its TA, another course's instructor and a student.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import Excusal, Extension
from grades.models import Grade, GradeChange
from staff.services import usernames_parse

pytestmark = pytest.mark.django_db

URL = reverse("admin:courses_extension_bulk")


def _form(world, names, *, action="extend", **extra):
    data = {
        "assignment": world.coding.pk, "action": action, "usernames": "\n".join(names), "reason": "ill",
        "due_at": "", "closes_at": "", "extra_attempts": "0",
    }  # fmt: skip
    data.update(extra)
    return data


def _state(world):
    grades = sorted(Grade.objects.filter(assignment__course=world.course).values_list("user_id", "assignment_id", "score", "state", "late", "sequence"))
    return grades, Extension.objects.count(), Excusal.objects.count(), GradeChange.objects.count()


def _later(world, hours):
    return (world.coding.due_at + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_an_extension_for_many_is_previewed_then_applied_through_the_grade_service(client, alpha, beta, who):
    on_time, mistaken, late = alpha.students
    client.force_login(getattr(alpha, who))
    assert client.get(URL + f"?assignment={alpha.coding.pk}").status_code == 200
    before = _state(alpha)
    data = _form(alpha, [late.username, on_time.username], due_at=_later(alpha, 5))
    preview = client.post(URL, {**data, "preview": "1"})
    assert preview.status_code == 200
    moves = {move.username: move for move in preview.context["moves"]}
    # The late student's 9 (10 less a day's 10%) becomes 10 and on time; the other's grade stays.
    assert (moves[late.username].old_score, moves[late.username].old_late) == (Decimal("9.000"), True)
    assert (moves[late.username].new_score, moves[late.username].new_late) == (Decimal("10.000"), False)
    assert not moves[on_time.username].changed
    body = preview.content.decode()
    assert 'id="bulk-preview-table"' in body and 'id="bulk-confirm"' in body
    assert _state(alpha) == before  # the preview changed nothing

    confirmed = client.post(URL, {**data, "confirm": "1"})
    assert confirmed.status_code == 302
    grade = Grade.objects.get(user=late, assignment=alpha.coding)
    assert (grade.score, grade.late) == (Decimal("10.000"), False)
    change = grade.changes.last()
    assert (change.cause, change.old_score, change.new_score, change.actor) == (
        GradeChange.Cause.EXTENSION, Decimal("9.000"), Decimal("10.000"), getattr(alpha, who),
    )  # fmt: skip
    assert Extension.objects.filter(assignment=alpha.coding, user__in=[late, on_time]).count() == 2
    assert Extension.objects.get(assignment=alpha.coding, user=late).reason == "ill"


def test_excusing_many_and_taking_it_back(client, alpha):
    names = [student.username for student in alpha.students]
    client.force_login(alpha.ta)
    preview = client.post(URL, {**_form(alpha, names, action="excuse"), "preview": "1"})
    assert [move.new_state for move in preview.context["moves"]] == ["excused"] * 3
    client.post(URL, {**_form(alpha, names, action="excuse"), "confirm": "1"})
    grades = Grade.objects.filter(assignment=alpha.coding)
    assert {grade.state for grade in grades} == {"excused"}
    assert {grade.changes.last().cause for grade in grades} == {GradeChange.Cause.EXCUSED}
    client.post(URL, {**_form(alpha, names[:1], action="unexcuse"), "confirm": "1"})
    assert Grade.objects.get(user=alpha.students[0], assignment=alpha.coding).score == Decimal("10.000")
    assert Excusal.objects.filter(assignment=alpha.coding).count() == 2


@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_an_unknown_name_is_reported_and_nothing_changes(client, alpha, beta, step):
    client.force_login(alpha.instructor)
    before = _state(alpha)
    # A student of the other course is as unknown here as a name nobody has.
    names = [alpha.students[2].username, "nobody-at-all", beta.students[0].username]
    response = client.post(URL, {**_form(alpha, names, due_at=_later(alpha, 5)), step: "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "nobody-at-all" in body and beta.students[0].username in body and 'id="errors-usernames"' in body
    assert response.context["moves"] is None
    assert _state(alpha) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"usernames": " \n ,"},  # nobody named
        {"reason": ""},  # no reason
        {"due_at": "", "closes_at": "", "extra_attempts": "0"},  # an extension that gives nothing
        {"due_at": "2030-01-02T00:00", "closes_at": "2030-01-01T00:00"},  # closes before it is due
        {"extra_attempts": "-1"},
        {"due_at": "yesterday"},
        {"action": "promote"},
    ],
)
def test_bad_input_gets_an_error_and_changes_nothing(client, alpha, changes):
    client.force_login(alpha.instructor)
    before = _state(alpha)
    response = client.post(URL, {**_form(alpha, [alpha.students[0].username]), **changes, "confirm": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _state(alpha) == before


def test_another_course_s_instructor_cannot_reach_this_course_s_assignments(client, alpha, beta):
    client.force_login(beta.instructor)
    page = client.get(URL)
    assert set(page.context["form"].fields["assignment"].queryset) == {beta.coding, beta.quiz_assignment}
    before = _state(alpha)
    response = client.post(URL, {**_form(alpha, [alpha.students[0].username], action="excuse"), "confirm": "1"})
    assert "assignment" in response.context["form"].errors
    assert _state(alpha) == before


def test_a_student_cannot_open_the_page(client, alpha):
    student = alpha.students[0]
    client.force_login(student)
    assert client.get(URL)["Location"].startswith(reverse("admin:login"))
    student.is_staff = True
    student.save()
    assert client.get(URL).status_code == 403
    before = _state(alpha)
    assert client.post(URL, {**_form(alpha, [student.username], action="excuse"), "confirm": "1"}).status_code == 403
    assert _state(alpha) == before


def test_back_to_the_form_keeps_what_was_typed_and_changes_nothing(client, alpha):
    client.force_login(alpha.instructor)
    before = _state(alpha)
    response = client.post(URL, {**_form(alpha, ["alpha-course-s02"], due_at=_later(alpha, 5)), "edit": "1"})
    assert response.context["moves"] is None and "alpha-course-s02" in response.content.decode()
    assert _state(alpha) == before


def test_removing_an_extension_in_admin_recomputes_the_grade(client, alpha):
    late = alpha.students[2]
    client.force_login(alpha.ta)
    client.post(URL, {**_form(alpha, [late.username], due_at=_later(alpha, 5)), "confirm": "1"})
    extension = Extension.objects.get(user=late)
    response = client.post(reverse("admin:courses_extension_delete", args=[extension.pk]), {"post": "yes"})
    assert response.status_code == 302
    grade = Grade.objects.get(user=late, assignment=alpha.coding)
    assert (grade.score, grade.late, grade.changes.last().cause) == (Decimal("9.000"), True, GradeChange.Cause.EXTENSION)


def test_the_add_button_of_the_extension_list_opens_the_bulk_page(client, alpha):
    client.force_login(alpha.ta)
    response = client.get(reverse("admin:courses_extension_add") + f"?assignment={alpha.coding.pk}")
    assert response.status_code == 302 and response["Location"].startswith(URL)


def test_the_assignment_page_links_to_the_bulk_page_for_the_ta(client, alpha):
    client.force_login(alpha.ta)
    body = client.get(reverse("admin:courses_assignment_change", args=[alpha.coding.pk])).content.decode()
    assert 'id="bulk-extend-link"' in body and 'id="bulk-excuse-link"' in body



def test_each_field_sits_in_an_aligned_admin_row_with_its_label(client, alpha):
    # Without admin's flex-container the labels ran into their inputs, the form one ragged column.
    client.force_login(alpha.instructor)
    body = client.get(URL).content.decode()
    for name in ("assignment", "usernames", "due_at", "closes_at", "extra_attempts", "reason"):
        assert f'<div class="flex-container"><label for="id_{name}"' in body, name
    assert 'id="id_usernames_helptext"' in body and 'aria-describedby="id_usernames_helptext"' in body
    assert "admin/css/forms.css" in body  # the aligned rows' styles, which only admin's own forms load


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Times are in the Asia/Shanghai time zone."), ("zh-hans", "时间按 Asia/Shanghai 时区填写。")],
)
def test_the_date_fields_say_which_time_zone_they_are_read_in(client, alpha, settings, language, said):
    # A datetime-local input has no zone of its own: what is typed is read in the site's.
    settings.TIME_ZONE = "Asia/Shanghai"
    client.force_login(alpha.instructor)
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for name in ("due_at", "closes_at"):
        helptext = body.split(f'id="id_{name}_helptext"')[1].split("</div>")[0]
        assert said in helptext, name
    assert 'aria-describedby="id_due_at_helptext"' in body


def test_a_time_typed_in_the_form_is_read_in_that_zone(client, alpha, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client.force_login(alpha.instructor)
    student = alpha.students[0]
    data = _form(alpha, [student.username], due_at="2030-01-02T08:00")
    assert client.post(URL, {**data, "confirm": "1"}).status_code == 302
    extension = Extension.objects.get(user=student)
    assert extension.due_at.isoformat() == "2030-01-02T00:00:00+00:00"  # 08:00 in Shanghai


def test_the_preview_repeats_what_confirming_grants(client, alpha):
    late = alpha.students[2]
    client.force_login(alpha.instructor)
    due = _later(alpha, 5)
    preview = client.post(URL, {**_form(alpha, [late.username], due_at=due, extra_attempts="2"), "preview": "1"})
    granted = dict(preview.context["granted"])
    assert (granted["New due date"].strftime("%Y-%m-%dT%H:%M"), granted["New close date"]) == (due, None)
    assert (granted["Extra attempts"], granted["Reason (shown to the students)"]) == (2, "ill")
    body = preview.content.decode()
    assert '<dl id="bulk-granted"><dt>New due date</dt>' in body and "<dd>—</dd>" in body and "<dd>ill</dd>" in body
    # An excusal grants no date: only its reason is repeated.
    excuse = client.post(URL, {**_form(alpha, [late.username], action="excuse"), "preview": "1"})
    assert [label for label, _ in excuse.context["granted"]] == ["Reason (shown to the students)"]

def test_usernames_are_read_from_lines_commas_and_spaces_once_each():
    assert usernames_parse(" ann, bob\ncid;ann  dan\n\n") == ["ann", "bob", "cid", "dan"]
