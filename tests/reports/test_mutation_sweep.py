"""The mutation reports' sweeper on its own, with the time passed explicitly: what it sends again, closes and finishes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from review.models import MutantResult, MutationReport
from review.services.mutation import mutant_result_grade
from review.services.mutation_sweep import mutations_sweep

pytestmark = pytest.mark.django_db


def _running_report(exercise, rows: int = 1) -> tuple[MutationReport, list[MutantResult]]:
    report = MutationReport.objects.create(exercise=exercise, seed=1, status="running", total=rows)
    wrong = exercise.reference_solution.replace("np.max", "np.min")
    made = [MutantResult.objects.create(report=report, position=i, mutant_id=f"m{i}", source=wrong) for i in range(rows)]
    return report, made


def _after(settings_value: float, *, since=None):
    return (since or timezone.now()) + timedelta(seconds=settings_value + 1)


def _row(row) -> MutantResult:
    return MutantResult.objects.get(pk=row.pk)


def test_fresh_work_is_left_alone(alpha, settings):
    report, (row,) = _running_report(alpha.exercise)
    MutantResult.objects.filter(pk=row.pk).update(claimed_at=timezone.now(), claim_count=1)
    MutationReport.objects.create(exercise=alpha.exercise, seed=1)  # just asked for
    result = mutations_sweep()
    assert (result.resend, result.prepare, result.closed, result.finished) == ([], [], [], [])
    assert _row(row).claimed_at is not None


def test_a_mutant_queued_like_a_regrade_is_not_sent_again_before_the_regrade_threshold(alpha, settings):
    settings.SWEEP_QUEUED_AFTER, settings.SWEEP_REGRADE_QUEUED_AFTER = 10, 900
    _report, (row,) = _running_report(alpha.exercise)
    # Past the live threshold: a mutant waits behind live work by design.
    assert mutations_sweep(now=_after(10)).resend == []
    assert mutations_sweep(now=_after(900)).resend == [row.pk]


def test_a_lost_mutant_message_is_sent_again_once_per_threshold(alpha, settings):
    _report, (row,) = _running_report(alpha.exercise)
    later = _after(settings.SWEEP_REGRADE_QUEUED_AFTER)
    assert mutations_sweep(now=later).resend == [row.pk]
    assert _row(row).queued_at == later
    # Sent again just now: the next sweep waits for it, rather than piling up copies.
    assert mutations_sweep(now=later + timedelta(seconds=1)).resend == []
    assert mutations_sweep(now=_after(settings.SWEEP_REGRADE_QUEUED_AFTER, since=later)).resend == [row.pk]


def test_a_dead_worker_s_row_is_queued_and_sent_again_then_graded_once(alpha, settings):
    report, (row,) = _running_report(alpha.exercise)
    claimed_at = timezone.now()
    MutantResult.objects.filter(pk=row.pk).update(claimed_at=claimed_at, claim_count=1)
    # Before the hard limit has passed, the worker may still be grading.
    assert mutations_sweep(now=claimed_at + timedelta(seconds=settings.GRADING_TIME_LIMIT)).resend == []
    later = _after(settings.SWEEP_RUNNING_AFTER, since=claimed_at)
    assert mutations_sweep(now=later).resend == [row.pk]
    stored = _row(row)
    assert (stored.claimed_at, stored.claim_count, stored.queued_at, stored.outcome) == (None, 1, later, "pending")
    # The message sent again is graded, under a second claim; the report finishes.
    assert mutant_result_grade(result_id=row.pk) == "killed"
    assert _row(row).claim_count == 2
    report.refresh_from_db()
    assert (report.status, report.killed) == ("done", 1)
    # The sweep after that finds nothing.
    assert mutations_sweep(now=_after(settings.SWEEP_REGRADE_QUEUED_AFTER, since=later)).resend == []


def test_a_row_out_of_claims_is_closed_as_a_grader_failure_staff_can_read(alpha, settings):
    settings.GRADING_MAX_ATTEMPTS = 3
    report, (dead, fine) = _running_report(alpha.exercise, rows=2)
    claimed_at = timezone.now()
    MutantResult.objects.filter(pk=dead.pk).update(claimed_at=claimed_at, claim_count=3)
    MutantResult.objects.filter(pk=fine.pk).update(outcome="killed", status="graded", graded_at=claimed_at)
    result = mutations_sweep(now=_after(settings.SWEEP_RUNNING_AFTER, since=claimed_at))
    assert (result.resend, result.closed, result.finished) == ([], [dead.pk], [report.pk])
    closed = _row(dead)
    assert (closed.outcome, closed.status) == ("error", "internal_error")
    assert "after 3 claim(s) that never finished" in closed.reason and "已尝试评分 3 次均未完成" in closed.reason
    report.refresh_from_db()
    # Finished, the failure counted as an error, never as killed.
    assert (report.status, report.killed, report.errors, report.score) == ("done", 1, 1, 0.5)
    # Out of claims, a late copy of its message grades nothing.
    assert mutant_result_grade(result_id=dead.pk) == "not_pending"


def test_a_queued_row_out_of_claims_is_closed_too(alpha, settings):
    settings.GRADING_MAX_ATTEMPTS = 2
    _report, (row,) = _running_report(alpha.exercise)
    MutantResult.objects.filter(pk=row.pk).update(claim_count=2)
    result = mutations_sweep(now=_after(settings.SWEEP_REGRADE_QUEUED_AFTER))
    assert (result.resend, result.closed) == ([], [row.pk])
    assert _row(row).outcome == "error"


def test_a_report_whose_preparation_was_lost_is_prepared_again(alpha, settings):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1)
    assert mutations_sweep(now=_after(settings.SWEEP_QUEUED_AFTER)).prepare == [report.pk]
    # Prepared by the message sent again, it leaves this list.
    from review.services.mutation import mutation_report_prepare

    assert mutation_report_prepare(report_id=report.pk)
    assert mutations_sweep(now=_after(settings.SWEEP_QUEUED_AFTER)).prepare == []


def test_a_report_whose_last_worker_died_before_finishing_is_finished(alpha):
    report, (row,) = _running_report(alpha.exercise)
    MutantResult.objects.filter(pk=row.pk).update(outcome="killed", status="graded", graded_at=timezone.now())
    assert mutations_sweep().finished == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.killed, report.score) == ("done", 1, 1.0)
    assert mutations_sweep().finished == []


def test_a_sweep_is_bounded_by_the_batch(alpha, settings):
    settings.SWEEP_BATCH = 2
    _report, rows = _running_report(alpha.exercise, rows=5)
    later = _after(settings.SWEEP_REGRADE_QUEUED_AFTER)
    first = mutations_sweep(now=later).resend
    assert first == [rows[0].pk, rows[1].pk]
    second = mutations_sweep(now=later).resend
    assert len(second) == 2 and not set(first) & set(second)


def test_a_superseded_claim_stores_nothing(alpha, monkeypatch):
    """A worker presumed dead that still answers: its claim was given to another, its verdict is dropped."""
    from grader.mutation import runner

    _report, (row,) = _running_report(alpha.exercise)
    real = runner.code_verdict

    def slow_then_taken_over(**kwargs):
        verdict = real(**kwargs)
        # Meanwhile the sweeper gave the claim back and another worker took it.
        MutantResult.objects.filter(pk=row.pk).update(claimed_at=timezone.now(), claim_count=2)
        return verdict

    monkeypatch.setattr(runner, "code_verdict", slow_then_taken_over)
    assert mutant_result_grade(result_id=row.pk) == "superseded"
    assert _row(row).outcome == "pending"


def test_the_task_sends_what_the_sweep_found(alpha, settings, monkeypatch):
    from review import tasks

    report, (row,) = _running_report(alpha.exercise)
    lost = MutationReport.objects.create(exercise=alpha.exercise, seed=1)
    MutationReport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    MutantResult.objects.filter(pk=row.pk).update(queued_at=timezone.now() - timedelta(days=1))
    sent = []
    monkeypatch.setattr(tasks.mutant_grade, "apply_async", lambda args, **options: sent.append(("grade", args, options)))
    monkeypatch.setattr(tasks.mutation_report_prepare, "delay", lambda report_id: sent.append(("prepare", report_id)))
    summary = tasks.sweep_mutants()
    assert summary == {"resent": 1, "prepared": 1, "closed": 0, "finished": 0}
    assert sent == [
        ("grade", (row.pk,), {"queue": "grading", "priority": tasks.REGRADE_PRIORITY}),
        ("prepare", lost.pk),
    ]


def test_beat_runs_the_mutant_sweep_on_the_sweep_interval(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-mutants"]
    assert entry["task"] == "review.tasks.sweep_mutants"
    assert entry["schedule"] == settings.SWEEP_INTERVAL and entry["options"]["queue"] == "default"


@pytest.mark.parametrize("kind", ["mutant", "known_wrong"])
def test_staff_of_the_course_read_why_a_row_was_closed_and_others_do_not(client, alpha, beta, settings, kind):
    from django.urls import reverse

    settings.GRADING_MAX_ATTEMPTS = 1
    report, (row,) = _running_report(alpha.exercise)
    MutantResult.objects.filter(pk=row.pk).update(kind=kind, claim_count=1, claimed_at=timezone.now() - timedelta(hours=1))
    assert mutations_sweep().closed == [row.pk]
    url = reverse("admin:review_mutationreport_change", args=[report.pk])
    for user in (alpha.instructor, alpha.assistant):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Closed by the sweeper after 1 claim(s)" in page and "已尝试评分 1 次均未完成" in page
    client.force_login(beta.instructor)
    response = client.get(url)
    assert response.status_code == 302 and "Closed by the sweeper" not in response.content.decode()
    client.force_login(alpha.student)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
