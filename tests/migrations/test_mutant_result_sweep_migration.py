"""Mutant rows found by the sweeper's migration: no claim counted, queued when their report was made."""

from datetime import timedelta

import pytest

from tests.migrations.schema import latest_nodes, migrate_to
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("review", "0001_reports_mutation_and_similarity")


@pytest.fixture
def old_apps(one_app_back_to):
    # Every other app as it is now; review just before the sweeper's fields.
    return one_app_back_to(*BEFORE)


def test_rows_are_carried_over_and_a_lost_one_is_swept_at_once(old_apps):
    Course, Chapter = (old_apps.get_model("courses", n) for n in ("Course", "Chapter"))
    Exercise = old_apps.get_model("grader", "Exercise")
    MutationReport, MutantResult = (old_apps.get_model("review", n) for n in ("MutationReport", "MutantResult"))
    course = Course.objects.create(slug="old", title_en="Old", title_zh="旧")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    exercise = Exercise.objects.create(
        slug="old-softmax", chapter=chapter, title_en="x", title_zh="x", statement_en="x", statement_zh="x",
        reference_solution="x", required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    report = MutationReport.objects.create(exercise=exercise, seed=1, status="running", total=2)
    made = timezone.now() - timedelta(days=2)
    MutationReport.objects.filter(pk=report.pk).update(created_at=made)
    lost = MutantResult.objects.create(report=report, position=0, mutant_id="lost", source="x")
    graded = MutantResult.objects.create(
        report=report, position=1, mutant_id="graded", source="x", outcome="killed", status="graded",
        claimed_at=made, graded_at=made,
    )  # fmt: skip

    migrate_to(latest_nodes())

    from review.models import MutantResult as NewResult
    from review.services.mutation_sweep import mutations_sweep

    rows = {row.pk: row for row in NewResult.objects.filter(report_id=report.pk)}
    assert {(row.claim_count, row.queued_at) for row in rows.values()} == {(0, made)}
    assert (rows[graded.pk].outcome, rows[lost.pk].outcome) == ("killed", "pending")
    # Queued two days ago by its report: the first sweep sends it again.
    assert mutations_sweep().resend == [lost.pk]
