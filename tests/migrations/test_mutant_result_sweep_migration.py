"""Mutant rows found by the sweeper's migration: no claim counted, queued when their report was made."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("review", "0001_reports_mutation_and_similarity")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_apps():
    # Every other app as it is now; review just before the sweeper's fields.
    apps = _migrate([BEFORE] + [node for node in _latest() if node[0] != "review"])
    try:
        yield apps
    finally:
        _migrate(_latest())


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

    _migrate(_latest())

    from review.models import MutantResult as NewResult
    from review.services.mutation_sweep import mutations_sweep

    rows = {row.pk: row for row in NewResult.objects.filter(report_id=report.pk)}
    assert {(row.claim_count, row.queued_at) for row in rows.values()} == {(0, made)}
    assert (rows[graded.pk].outcome, rows[lost.pk].outcome) == ("killed", "pending")
    # Queued two days ago by its report: the first sweep sends it again.
    assert mutations_sweep().resend == [lost.pk]
