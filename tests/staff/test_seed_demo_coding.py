"""seed_demo's coding submissions: graded by the real grader, with right answers, known mistakes and late ones."""

import pytest
from django.core.management import call_command

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import GradingRun, Submission, TestResult
from grades.models import Grade, GradeChange

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_students_get_graded_submissions_worth_looking_at(settings):
    settings.DEBUG = True
    course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    call_command("seed_demo", "--students", "4")

    submissions = Submission.objects.filter(user__username__startswith="student")
    assert submissions.count() >= 16
    # Every one graded through a run, as a worker would: one claim, its per-test rows stored.
    assert set(submissions.values_list("status", flat=True)) == {"graded"}
    runs = GradingRun.objects.filter(submission__in=submissions)
    assert runs.count() == submissions.count() and set(runs.values_list("claim_count", flat=True)) == {1}
    assert TestResult.objects.filter(run__in=runs).count() > 0
    # Some right, some with a named known mistake, some late.
    grades = Grade.objects.filter(user__username__startswith="student")
    assert grades.filter(score=10, assignment__slug="softmax").exists()
    assert TestResult.objects.filter(run__in=runs).exclude(mistake="").values("mistake").distinct().count() >= 3
    assert grades.filter(late=True, assignment__slug="cosine-similarity").count() >= 1
    assert all(
        g.changes.filter(cause=GradeChange.Cause.GRADED).exists() for g in grades.exclude(state="not_submitted")
    )

    # A second run makes nothing twice.
    count = submissions.count()
    call_command("seed_demo", "--students", "4")
    assert Submission.objects.filter(user__username__startswith="student").count() == count
