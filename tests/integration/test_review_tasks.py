"""Mutation and similarity reports through a real Celery worker, and live grading ahead of an analysis."""

import time

import pytest

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery")]


def _shipped_exercise(slug):
    """A shipped exercise under its own slug, so its mutants.toml and known-wrong solutions apply."""
    from courses.models import Assignment, Chapter, Course
    from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read
    from grader.models import Exercise

    found = {e.slug: e for e in course_content_read(directory=SAMPLE_CONTENT_DIRECTORY).exercises}[slug]
    course, _ = Course.objects.get_or_create(slug="it-review", defaults={"title_en": "Review", "title_zh": "审阅"})
    chapter, _ = Chapter.objects.get_or_create(course=course, number=1, defaults={"title_en": "c", "title_zh": "章"})
    exercise = Exercise.objects.create(slug=slug, chapter=chapter, **found.values)
    Assignment.objects.create(course=course, slug=slug, exercise=exercise, points=exercise.points)
    return exercise


def _enrolled(username, exercise):
    from django.contrib.auth import get_user_model

    from courses.models import Enrollment

    user = get_user_model().objects.create_user(username=username)
    Enrollment.objects.create(user=user, course=exercise.chapter.course)
    return user


def _report(pk):
    from review.models import MutationReport

    return MutationReport.objects.get(pk=pk)


def test_the_worker_grades_every_mutant_and_known_wrong_solution_of_a_report(worker):
    from grader.mutation.equivalents import equivalents_read
    from grader.mutation.generate import generate_mutants
    from review.models import MutantResult
    from review.services.mutation import exercise_content_directory, mutation_report_request

    exercise = _shipped_exercise("softmax")
    report = mutation_report_request(exercise=exercise, requested_by=None)
    wait_for(lambda: _report(report.pk).status == "done", timeout=120, interval=0.2, message="the mutation report")
    report = _report(report.pk)
    mutants = generate_mutants(exercise.reference_solution)
    marked = equivalents_read(exercise_dir=exercise_content_directory(exercise=exercise))
    rows = list(report.results.all())
    known_wrong = list((exercise_content_directory(exercise=exercise) / "mistakes").glob("*.py"))
    assert len(known_wrong) >= 3
    assert report.total == len(rows) == len(mutants) + len(known_wrong)
    assert {row.mutant_id for row in rows if row.kind == "mutant"} == {mutant.id for mutant in mutants}
    assert not [row for row in rows if row.outcome == MutantResult.Outcome.PENDING]
    # Marks of content/exercises/softmax/mutants.toml are applied, with their reasons.
    equivalent = {row.mutant_id: (row.reason, row.marked_in) for row in rows if row.outcome == "equivalent"}
    assert equivalent == {mutant_id: (reason, "content") for mutant_id, reason in marked.items() if mutant_id in equivalent}
    assert set(marked) & {m.id for m in mutants} == set(equivalent)
    # Every known-wrong solution loses points; the suite reaches the course's 90%.
    assert {row.outcome for row in rows if row.kind == "known_wrong"} == {"killed"}
    assert report.errors == 0 and report.score >= 0.9
    assert report.killed + report.survived + report.equivalent == len(mutants)
    assert report.score == pytest.approx(report.killed / (len(mutants) - report.equivalent))


def test_a_report_delivered_twice_grades_each_mutant_once(worker):
    from review.models import MutantResult
    from review.services.mutation import mutation_report_request
    from review.tasks import mutant_grade, mutation_report_prepare

    exercise = _shipped_exercise("cosine-similarity")
    report = mutation_report_request(exercise=exercise, requested_by=None)
    mutation_report_prepare.delay(report.pk)  # a duplicate delivery of the preparation
    wait_for(lambda: _report(report.pk).status == "done", timeout=180, interval=0.2, message="the mutation report")
    first = dict(MutantResult.objects.filter(report=report).values_list("pk", "graded_at"))
    for result_id in first:
        mutant_grade.delay(result_id)  # and of every grading
    # Long enough for the worker to take them all (each is one conditional UPDATE that matches nothing).
    time.sleep(3)
    assert dict(MutantResult.objects.filter(report=report).values_list("pk", "graded_at")) == first
    assert _report(report.pk).total == len(first)


def test_a_live_submission_is_graded_ahead_of_a_running_analysis(worker):
    from grader.services import submission_create
    from review.models import MutantResult
    from review.services.mutation import mutation_report_request

    exercise = _shipped_exercise("attention")
    student = _enrolled("it-live", exercise)
    report = mutation_report_request(exercise=exercise, requested_by=None)
    pending = lambda: MutantResult.objects.filter(report_id=report.pk, outcome="pending").count()  # noqa: E731
    wait_for(lambda: _report(report.pk).total and pending() < _report(report.pk).total, timeout=60, message="the analysis to start")
    submission = submission_create(user=student, exercise=exercise, code=exercise.reference_solution)
    wait_for(
        lambda: type(submission).objects.get(pk=submission.pk).status == "graded", timeout=30, interval=0.05,
        message="the live submission",
    )  # fmt: skip
    # Graded while most of the analysis still waited: it did not queue behind ~50 mutants.
    assert pending() > 10
    wait_for(lambda: _report(report.pk).status == "done", timeout=180, interval=0.3, message="the mutation report")


def test_the_worker_finds_a_planted_copy_among_the_latest_submissions(worker):
    from grader.models import Submission
    from review.models import SimilarPair
    from review.services.similarity import similarity_report_request

    exercise = _shipped_exercise("softmax")
    copied = exercise.reference_solution.replace("shifted", "centred")
    # An honest solution of one student, a disguised copy of it by another, and a third's own.
    honest = '''import numpy as np


def softmax(x, axis=-1):
    """Softmax along axis."""
    arr = np.asarray(x, dtype=float)
    top = arr.max(axis=axis, keepdims=True)
    e = np.exp(arr - top)
    s = e.sum(axis=axis, keepdims=True)
    return e / s
'''
    disguised = honest.replace("arr", "values").replace("top", "peak").replace('"""Softmax along axis."""', "# mine")
    other = '''import numpy as np


def softmax(x, axis=-1):
    moved = np.moveaxis(np.array(x, dtype=float), axis, -1)
    out = np.exp(moved - moved.max(axis=-1)[..., None])
    out = out / out.sum(axis=-1)[..., None]
    return np.moveaxis(out, -1, axis)
'''
    subs = {}
    for name, code in (("ann", honest), ("max", disguised), ("zoe", other), ("ref", copied)):
        subs[name] = Submission.objects.create(user=_enrolled(f"it-{name}", exercise), exercise=exercise, code=code, code_sha256="0" * 64)
    report = similarity_report_request(exercise=exercise, requested_by=None, threshold=0.8)
    wait_for(lambda: type(report).objects.get(pk=report.pk).status == "done", timeout=60, message="the similarity report")
    report.refresh_from_db()
    assert (report.submissions, report.pairs_total, report.pairs_done) == (4, 6, 6)
    pairs = {frozenset((a, b)) for a, b in SimilarPair.objects.filter(report=report).values_list("first", "second")}
    # The copy is found; the near-reference ("ref") is boilerplate, not a copy of anyone.
    assert pairs == {frozenset((subs["ann"].pk, subs["max"].pk))}


def test_mutant_messages_lost_with_redis_are_sent_again_by_the_sweep(celery_stack):
    """Redis loses every mutant message of a report (flushed before any worker took one): the sweep brings it to done."""
    from datetime import timedelta

    import redis
    from django.conf import settings
    from django.utils import timezone

    from review.models import MutantResult
    from review.services.mutation import mutation_report_request
    from review.services.mutation_sweep import mutations_sweep
    from review.tasks import mutation_report_prepare, mutation_sweep_dispatch

    exercise = _shipped_exercise("softmax")
    celery_stack.kill_worker()
    report = mutation_report_request(exercise=exercise, requested_by=None)
    # The preparation as a worker runs it: one message per row goes to Redis...
    mutation_report_prepare.apply((report.pk,))
    total = _report(report.pk).total
    assert total and MutantResult.objects.filter(report_id=report.pk, outcome="pending").count() == total - _equivalent(report)
    # ...and Redis loses them all, as a restart without persistence would.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    celery_stack.start_worker()
    # Nothing left to deliver: the report stays where it was until the sweep.
    assert _report(report.pk).status == "running"
    sweep = mutations_sweep(now=timezone.now() + timedelta(seconds=settings.SWEEP_REGRADE_QUEUED_AFTER + 1))
    assert len(sweep.resend) == total - _equivalent(report) and not sweep.closed
    mutation_sweep_dispatch(sweep)
    wait_for(lambda: _report(report.pk).status == "done", timeout=180, interval=0.2, message="the swept report")
    done = _report(report.pk)
    assert not MutantResult.objects.filter(report_id=report.pk, outcome__in=["pending", "error"]).exists()
    assert done.errors == 0 and done.score >= 0.9
    # Each row graded under one claim: sent again, not graded twice.
    assert set(MutantResult.objects.filter(report_id=report.pk, outcome="killed").values_list("claim_count", flat=True)) == {1}


def test_a_lost_preparation_is_sent_again_by_the_beat_sweep(celery_stack):
    """The report's own message lost before a worker took it: beat's sweep (SWEEP_QUEUED_AFTER) prepares it again."""
    import redis
    from django.conf import settings

    from review.services.mutation import mutation_report_request

    exercise = _shipped_exercise("softmax")
    celery_stack.kill_worker()
    report = mutation_report_request(exercise=exercise, requested_by=None)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    assert _report(report.pk).status == "pending"
    celery_stack.start_worker()
    wait_for(lambda: _report(report.pk).status == "done", timeout=180, interval=0.2, message="the swept report")
    assert _report(report.pk).errors == 0


def _equivalent(report) -> int:
    from review.models import MutantResult

    return MutantResult.objects.filter(report_id=report.pk, outcome="equivalent").count()
