"""Similarity reports: the latest submission of each student to one exercise, compared pairwise.

Asked for in admin, run by a worker on "default" (no student code runs), with
its progress written on the report as it goes. Pairs above the threshold are
stored for a person to review side by side; nothing is penalised.
"""

import logging
import time

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from courses.models import Enrollment
from grader.models import Exercise, Submission
from review.models import SimilarityReport, SimilarPair

logger = logging.getLogger(__name__)

# Writing progress more often than this costs the database more than it tells the reader.
PROGRESS_EVERY_SECONDS = 0.5


class SimilarityRequestInvalid(ValueError):
    pass


def similarity_report_request(
    *, exercise: Exercise, requested_by: AbstractBaseUser | None, threshold: float | None = None
) -> SimilarityReport:
    from review.similarity import DEFAULT_THRESHOLD
    from review.tasks import similarity_report_run

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0 < threshold <= 1:
        raise SimilarityRequestInvalid("The threshold is a share between 0 and 1. · 阈值应在 0 到 1 之间。")
    with transaction.atomic():
        report = SimilarityReport.objects.create(exercise=exercise, requested_by=requested_by, threshold=threshold)
        transaction.on_commit(lambda: similarity_report_run.delay(report.pk), robust=True)
    return report


def latest_student_submissions(*, exercise: Exercise) -> QuerySet:
    """Each student's newest submission to the exercise; the course's staff are not compared."""
    students = Enrollment.objects.filter(course_id=exercise.chapter.course_id, role=Enrollment.Role.STUDENT)
    # Ids grow with creation time, so each student's largest id is their newest submission.
    newest = (
        Submission.objects.filter(exercise=exercise, user_id__in=students.values("user_id"))
        .values("user_id")
        .annotate(newest=Max("id"))
        .values("newest")
    )
    return Submission.objects.filter(pk__in=newest).order_by("id")


def similarity_report_run(*, report_id: int) -> str:
    """Claim a pending report, compare, store the pairs. Idempotent: a claimed report is left alone."""
    from review.similarity import similar_pairs

    claimed = SimilarityReport.objects.filter(pk=report_id, status=SimilarityReport.Status.PENDING).update(
        status=SimilarityReport.Status.RUNNING
    )
    if not claimed:
        return "not_pending"
    report = SimilarityReport.objects.select_related("exercise__chapter").get(pk=report_id)
    exercise = report.exercise
    codes = dict(latest_student_submissions(exercise=exercise).values_list("pk", "code"))
    total = len(codes) * (len(codes) - 1) // 2
    SimilarityReport.objects.filter(pk=report_id).update(submissions=len(codes), pairs_total=total)
    last_write = [time.monotonic()]

    def progress(done: int, _total: int) -> None:
        if time.monotonic() - last_write[0] >= PROGRESS_EVERY_SECONDS:
            SimilarityReport.objects.filter(pk=report_id).update(pairs_done=done)
            last_write[0] = time.monotonic()

    try:
        pairs = similar_pairs(
            codes, boilerplate=(exercise.starter_code, exercise.reference_solution), threshold=report.threshold,
            progress=progress,
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - shown on the report; the worker goes on
        logger.exception("similarity report %s failed", report_id)
        SimilarityReport.objects.filter(pk=report_id).update(
            status=SimilarityReport.Status.ERROR, problems=f"Could not compare · 无法比较: {exc!r}", finished_at=timezone.now()
        )
        return "error"
    with transaction.atomic():
        SimilarPair.objects.bulk_create(
            [
                SimilarPair(
                    report=report, first_id=pair.first, second_id=pair.second,
                    first_similarity=pair.first_similarity, second_similarity=pair.second_similarity,
                    similarity=pair.similarity, shared_tokens=pair.shared_tokens,
                    first_spans=pair.first_spans, second_spans=pair.second_spans,
                )  # fmt: skip
                for pair in pairs
            ],
            ignore_conflicts=True,
        )
        SimilarityReport.objects.filter(pk=report_id, status=SimilarityReport.Status.RUNNING).update(
            status=SimilarityReport.Status.DONE, pairs_done=total, finished_at=timezone.now()
        )
    return "done"
