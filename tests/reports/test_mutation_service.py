"""The mutation report's steps on their own: preparing, claiming a row, finishing, and their failures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from review.models import MutantResult, MutationReport
from review.services.mutation import (
    mutant_result_grade,
    mutation_report_finish,
    mutation_report_prepare,
)

pytestmark = pytest.mark.django_db


def _pending_report(exercise):
    return MutationReport.objects.create(exercise=exercise, seed=1)


def test_preparing_makes_one_row_per_mutant_once(alpha):
    from grader.mutation.generate import generate_mutants

    report = _pending_report(alpha.exercise)
    first = mutation_report_prepare(report_id=report.pk)
    mutants = generate_mutants(alpha.exercise.reference_solution)
    assert len(first) == len(mutants) == report.results.count()  # no content folder: no known-wrong rows, no marks
    report.refresh_from_db()
    assert (report.status, report.total) == ("running", len(mutants))
    # A second delivery sends the same pending rows again and creates nothing.
    assert sorted(mutation_report_prepare(report_id=report.pk)) == sorted(first)
    assert report.results.count() == len(mutants)


def test_a_reference_that_does_not_parse_closes_the_report_with_its_reason(alpha):
    alpha.exercise.reference_solution = "def softmax(x:\n"
    alpha.exercise.save()
    report = _pending_report(alpha.exercise)
    assert mutation_report_prepare(report_id=report.pk) == []
    report.refresh_from_db()
    assert report.status == "error" and "Could not prepare · 无法准备" in report.problems
    assert not report.results.exists()


def test_a_finished_report_is_left_alone(alpha):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status="done")
    assert mutation_report_prepare(report_id=report.pk) == []
    assert mutation_report_finish(report_id=report.pk) is False


def test_a_row_claimed_by_a_live_worker_is_not_graded_twice(alpha):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status="running", total=1)
    row = MutantResult.objects.create(report=report, position=0, mutant_id="m", source="x", claimed_at=timezone.now())
    assert mutant_result_grade(result_id=row.pk) == "not_pending"
    row.refresh_from_db()
    assert row.outcome == "pending" and row.graded_at is None


def test_a_dead_worker_s_claim_is_taken_again_and_the_report_finishes(alpha):
    report = MutationReport.objects.create(exercise=alpha.exercise, seed=1, status="running", total=1)
    wrong = alpha.exercise.reference_solution.replace("np.max", "np.min")
    row = MutantResult.objects.create(
        report=report, position=0, mutant_id="m", source=wrong, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert mutant_result_grade(result_id=row.pk) == "killed"
    row.refresh_from_db()
    report.refresh_from_db()
    assert row.outcome == "killed" and row.status == "graded" and not row.score.startswith("10")
    assert (report.status, report.killed, report.score) == ("done", 1, 1.0)
