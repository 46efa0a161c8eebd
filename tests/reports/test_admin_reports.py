"""The report pages in admin, for the course's instructor, its TA, another course's instructor and a student;
marking a surviving mutant equivalent, and every bad mark refused with nothing changed."""

import pytest
from django.urls import reverse

from courses.models import Enrollment
from review.models import EquivalentMark, MutantResult, MutationReport
from .conftest import finished_report, similarity_report

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _pages(alpha):
    report = finished_report(alpha.exercise)
    similarity, pair = similarity_report(alpha.exercise, [alpha.student, alpha.assistant])
    return {
        "mutation report": reverse("admin:review_mutationreport_change", args=[report.pk]),
        "mutation reports": reverse("admin:review_mutationreport_changelist"),
        "similarity report": reverse("admin:review_similarityreport_change", args=[similarity.pk]),
        "similarity reports": reverse("admin:review_similarityreport_changelist"),
        "similar pair": reverse("admin:review_similarpair_change", args=[pair.pk]),
        "equivalent marks": reverse("admin:review_equivalentmark_changelist"),
    }


def test_the_course_s_instructor_reads_every_report_page(client, alpha):
    for name, url in _pages(alpha).items():
        assert _as(client, alpha.instructor).get(url).status_code == 200, name


def test_the_course_s_ta_reads_every_report_page(client, alpha):
    for name, url in _pages(alpha).items():
        assert _as(client, alpha.assistant).get(url).status_code == 200, name


def test_another_course_s_instructor_finds_nothing_by_list_or_url(client, alpha, beta):
    pages = _pages(alpha)
    _as(client, beta.instructor)
    for name in ("mutation reports", "similarity reports"):
        response = client.get(pages[name])
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [], name
    for name in ("mutation report", "similarity report", "similar pair"):
        response = client.get(pages[name])
        # Admin's answer for a row out of scope: back to the index, "does not exist".
        assert response.status_code == 302 and response.url == reverse("admin:index"), name


def test_another_course_s_ta_finds_nothing(client, alpha, beta):
    pages = _pages(alpha)
    _as(client, beta.assistant)
    assert list(client.get(pages["mutation reports"]).context["cl"].result_list) == []
    assert client.get(pages["similar pair"]).status_code == 302


def test_a_student_is_sent_to_the_login_page(client, alpha):
    for name, url in _pages(alpha).items():
        response = _as(client, alpha.student).get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), name


def test_the_report_shows_each_survivor_as_a_diff_with_its_two_ways_out(client, alpha):
    report = finished_report(alpha.exercise, known_wrong={"no_max.py": MutantResult.Outcome.KILLED})
    page = _as(client, alpha.instructor).get(reverse("admin:review_mutationreport_change", args=[report.pk]))
    text = page.content.decode()
    assert "-    old aaa111\n+    new aaa111" in text
    assert f"?exercise={alpha.exercise.pk}&amp;mutant_id=aaa111" in text
    assert reverse("admin:grader_exercise_change", args=[alpha.exercise.pk]) in text
    assert "no_max.py" in text
    assert "2 / 2" not in text  # progress counts every row: 4 rows here
    assert "4 / 4" in text
    assert "33.3%" in text  # one killed of three mutants


def test_the_ta_reads_the_report_without_the_mark_or_edit_links(client, alpha):
    report = finished_report(alpha.exercise)
    text = _as(client, alpha.assistant).get(reverse("admin:review_mutationreport_change", args=[report.pk])).content.decode()
    assert "-    old aaa111" in text
    assert "mark-equivalent" not in text and "add-test" not in text


def test_a_running_report_shows_its_progress(client, alpha):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status=MutationReport.Status.RUNNING, total=3)
    MutantResult.objects.create(report=report, position=0, mutant_id="a", source="x", outcome="killed")
    MutantResult.objects.create(report=report, position=1, mutant_id="b", source="x")
    MutantResult.objects.create(report=report, position=2, mutant_id="c", source="x")
    text = _as(client, alpha.instructor).get(reverse("admin:review_mutationreport_changelist")).content.decode()
    assert "1 / 3" in text


def test_the_report_page_costs_the_same_queries_for_many_mutants(client, alpha, django_assert_max_num_queries):
    small = finished_report(alpha.exercise, survivors=("s1",), killed=("k1",))
    large = finished_report(
        alpha.exercise, survivors=[f"s{i}" for i in range(30)], killed=[f"k{i}" for i in range(30)]
    )
    _as(client, alpha.instructor)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        client.get(reverse("admin:review_mutationreport_change", args=[small.pk]))
    with django_assert_max_num_queries(len(small_queries)):
        client.get(reverse("admin:review_mutationreport_change", args=[large.pk]))


# --- marking a survivor equivalent -------------------------------------------------------------


def _mark(client, exercise, mutant_id, reason="np.swapaxes(k, -1, -2) and (k, -2, -1) are the same call"):
    return client.post(
        reverse("admin:review_equivalentmark_add"), {"exercise": exercise.pk, "mutant_id": mutant_id, "reason": reason}
    )


def test_the_instructor_marks_a_survivor_equivalent_and_the_score_follows(client, alpha):
    report = finished_report(alpha.exercise)
    assert report.score == pytest.approx(1 / 3)
    response = _mark(_as(client, alpha.instructor), alpha.exercise, "aaa111")
    assert response.status_code == 302
    mark = EquivalentMark.objects.get()
    assert (mark.exercise, mark.mutant_id, mark.marked_by) == (alpha.exercise, "aaa111", alpha.instructor)
    row = report.results.get(mutant_id="aaa111")
    assert (row.outcome, row.marked_in) == (MutantResult.Outcome.EQUIVALENT, "admin")
    report.refresh_from_db()
    assert (report.survived, report.equivalent, report.score) == (1, 1, 0.5)
    page = client.get(reverse("admin:review_mutationreport_change", args=[report.pk])).content.decode()
    assert "np.swapaxes(k, -1, -2)" in page


def test_marking_from_the_report_returns_to_it_with_a_message(client, alpha):
    older = finished_report(alpha.exercise)
    finished_report(alpha.exercise)  # a later report lists the mutant too: the link's report wins
    page = _as(client, alpha.instructor).get(reverse("admin:review_mutationreport_change", args=[older.pk]))
    assert f"mutant_id=aaa111&amp;report={older.pk}" in page.content.decode()
    response = client.post(
        reverse("admin:review_equivalentmark_add") + f"?exercise={alpha.exercise.pk}&mutant_id=aaa111&report={older.pk}",
        {"exercise": alpha.exercise.pk, "mutant_id": "aaa111", "reason": "the same call, arguments swapped"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.redirect_chain == [(reverse("admin:review_mutationreport_change", args=[older.pk]), 302)]
    assert "变异体 aaa111 已标记为等价：变异得分不再计入它。" in response.content.decode()
    assert EquivalentMark.objects.get().mutant_id == "aaa111"


def test_without_the_report_in_the_link_the_latest_report_listing_the_mutant_is_shown(client, alpha, beta):
    finished_report(alpha.exercise)
    latest = finished_report(alpha.exercise)
    other = finished_report(beta.exercise)  # another exercise's report: never the way back
    response = _as(client, alpha.instructor).post(
        reverse("admin:review_equivalentmark_add") + f"?report={other.pk}",
        {"exercise": alpha.exercise.pk, "mutant_id": "aaa111", "reason": "the same call, arguments swapped"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("admin:review_mutationreport_change", args=[latest.pk]), 302)]
    assert "Mutant aaa111 marked equivalent: the mutation score no longer counts it." in response.content.decode()


def test_mark_and_add_another_stays_on_the_marks(client, alpha):
    report = finished_report(alpha.exercise)
    response = _as(client, alpha.instructor).post(
        reverse("admin:review_equivalentmark_add") + f"?report={report.pk}",
        {"exercise": alpha.exercise.pk, "mutant_id": "aaa111", "reason": "same", "_addanother": "1"},
    )
    assert response.status_code == 302 and response.url.startswith(reverse("admin:review_equivalentmark_add"))


def test_a_mark_is_used_by_the_next_report(alpha):
    from review.services.mutation import MARKED_IN_ADMIN, equivalent_mark_create, exercise_equivalents

    finished_report(alpha.exercise)
    equivalent_mark_create(exercise=alpha.exercise, mutant_id="bbb222", reason="same", marked_by=alpha.instructor)
    assert exercise_equivalents(exercise=alpha.exercise) == {"bbb222": ("same", MARKED_IN_ADMIN)}


@pytest.mark.parametrize(
    "mutant_id, reason, message",
    [
        ("aaa111", "   ", "Say why"),
        ("zzz999", "a reason", "has a mutant 'zzz999'"),
        ("no_max.py", "a reason", "known-wrong solution cannot"),
    ],
)
def test_a_bad_mark_is_refused_and_changes_nothing(client, alpha, mutant_id, reason, message):
    report = finished_report(alpha.exercise, known_wrong={"no_max.py": MutantResult.Outcome.KILLED})
    response = _mark(_as(client, alpha.instructor), alpha.exercise, mutant_id, reason)
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors.get_json_data())
    assert message in errors or "This field is required" in errors
    assert not EquivalentMark.objects.exists()
    assert report.results.filter(outcome=MutantResult.Outcome.EQUIVALENT).count() == 0


def test_marking_twice_is_refused(client, alpha):
    finished_report(alpha.exercise)
    _as(client, alpha.instructor)
    assert _mark(client, alpha.exercise, "aaa111").status_code == 302
    response = _mark(client, alpha.exercise, "aaa111")
    assert "already marked equivalent" in str(response.context["adminform"].form.errors.get_json_data())
    assert EquivalentMark.objects.count() == 1


def test_the_ta_may_not_mark(client, alpha):
    finished_report(alpha.exercise)
    response = _mark(_as(client, alpha.assistant), alpha.exercise, "aaa111")
    assert response.status_code == 403
    assert not EquivalentMark.objects.exists()


def test_another_course_s_instructor_may_not_mark_this_course_s_mutant(client, alpha, beta):
    finished_report(alpha.exercise)
    response = _mark(_as(client, beta.instructor), alpha.exercise, "aaa111")
    assert response.status_code == 200  # the form: alpha's exercise is not a choice
    assert "Select a valid choice" in str(response.context["adminform"].form.errors.get_json_data())
    assert not EquivalentMark.objects.exists()


def test_a_student_may_not_mark(client, alpha):
    finished_report(alpha.exercise)
    response = _mark(_as(client, alpha.student), alpha.exercise, "aaa111")
    assert response.status_code == 302 and not EquivalentMark.objects.exists()


# --- similarity pairs ----------------------------------------------------------------------------


def test_the_pair_is_shown_side_by_side_with_the_shared_code_marked(client, alpha):
    _, pair = similarity_report(alpha.exercise, [alpha.student, alpha.assistant])
    text = _as(client, alpha.instructor).get(reverse("admin:review_similarpair_change", args=[pair.pk])).content.decode()
    assert 'class="code-first"' in text and 'class="code-second"' in text
    assert '<mark class="shared"># by alpha' in text
    assert "nothing is penalised" in text


# --- starting reports from the exercise ----------------------------------------------------------


@pytest.mark.parametrize("action, model", [("mutation_reports_request", "mutationreport"), ("similarity_reports_request", "similarityreport")])
def test_the_instructor_starts_a_report_from_the_exercise_list(client, alpha, action, model, django_capture_on_commit_callbacks):
    from django.apps import apps

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _as(client, alpha.instructor).post(
            reverse("admin:grader_exercise_changelist"), {"action": action, "_selected_action": [alpha.exercise.pk]}
        )
    assert response.status_code == 302
    report = apps.get_model("review", model).objects.get()
    assert (report.exercise, report.status, report.requested_by) == (alpha.exercise, "pending", alpha.instructor)
    assert len(callbacks) == 1  # the task is queued once the row is committed


def test_the_queued_message_shows_the_exercise_slug_as_written(client, alpha, django_capture_on_commit_callbacks):
    # Django's own admin base capitalises every message; a slug is an identifier and keeps its case.
    with django_capture_on_commit_callbacks(execute=False):
        page = _as(client, alpha.instructor).post(
            reverse("admin:grader_exercise_changelist"),
            {"action": "mutation_reports_request", "_selected_action": [alpha.exercise.pk]},
            follow=True,
        )
    report = MutationReport.objects.get()
    text = page.content.decode()
    slug = alpha.exercise.slug
    assert slug[0].islower()  # the case the test is about
    assert f'<li class="success">{slug}: <a href="' in text
    assert f"{slug[0].upper()}{slug[1:]}:" not in text
    assert f"mutation report #{report.pk}</a> queued" in text


@pytest.mark.parametrize("action", ["mutation_reports_request", "similarity_reports_request"])
def test_another_course_s_instructor_cannot_start_a_report_on_this_course(client, alpha, beta, action):
    from review.models import MutationReport, SimilarityReport

    _as(client, beta.instructor).post(
        reverse("admin:grader_exercise_changelist"), {"action": action, "_selected_action": [alpha.exercise.pk]}
    )
    assert not MutationReport.objects.exists() and not SimilarityReport.objects.exists()


# --- a report whose messages were lost ----------------------------------------------------------


def _resume(client, report):
    return client.post(
        reverse("admin:review_mutationreport_changelist"), {"action": "send_pending_again", "_selected_action": [report.pk]}
    )


def test_the_instructor_sends_a_stuck_report_s_pending_mutants_again(client, alpha, django_capture_on_commit_callbacks):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status=MutationReport.Status.RUNNING, total=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _resume(_as(client, alpha.instructor), report).status_code == 302
    assert len(callbacks) == 1


def test_a_finished_report_is_not_sent_again(client, alpha, django_capture_on_commit_callbacks):
    report = finished_report(alpha.exercise)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _resume(_as(client, alpha.instructor), report)
    assert callbacks == []


@pytest.mark.parametrize("who", ["assistant", "other instructor", "student"])
def test_only_the_course_s_instructor_may_send_a_report_again(client, alpha, beta, who, django_capture_on_commit_callbacks):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status=MutationReport.Status.RUNNING, total=1)
    user = {"assistant": alpha.assistant, "other instructor": beta.instructor, "student": alpha.student}[who]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _resume(_as(client, user), report)
    assert callbacks == []


def test_who_teaches_one_course_and_assists_in_another_acts_only_where_they_teach(
    client, alpha, beta, django_capture_on_commit_callbacks
):
    Enrollment.objects.create(user=alpha.instructor, course=beta.course, role=Enrollment.Role.TEACHING_ASSISTANT)
    _as(client, alpha.instructor)
    beta_report = finished_report(beta.exercise)
    text = client.get(reverse("admin:review_mutationreport_change", args=[beta_report.pk])).content.decode()
    assert "-    old aaa111" in text
    assert "mark-equivalent" not in text and "add-test" not in text
    running = [
        MutationReport.objects.create(exercise=side.exercise, seed=1, status=MutationReport.Status.RUNNING, total=1)
        for side in (alpha, beta)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:review_mutationreport_changelist"),
            {"action": "send_pending_again", "_selected_action": [report.pk for report in running]},
        )
    assert response.status_code == 302 and len(callbacks) == 1
    assert _mark(client, beta.exercise, "aaa111").status_code == 200 and not EquivalentMark.objects.exists()
