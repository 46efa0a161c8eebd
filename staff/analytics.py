"""Reads behind the analytics page: one table per plot, each a fixed number of queries.

  - score distribution: the counting grades of each assignment, in tenths of its points;
  - quiz questions: facility and discrimination (staff.statistics) from each
    student's first submitted attempt, the one least shaped by answers shown
    after an attempt;
  - tests failed most and known mistakes seen most, per exercise: over the
    latest grading of every submission (a regrade replaces the older run);
  - time to first full marks: per student, from their first submission to the
    first that earned every point.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Min, Q, Value
from django.db.models.functions import Coalesce, Floor, Greatest, Least, NullIf

from courses.models import Assignment, Course
from grader.models import RunStatus, Submission
from grades.models import Grade, GradeState
from quizzes.models import Question, QuizAttempt
from staff import statistics

SCORE_BINS = 10
# A test across seeds and gradings is its stable key (grader.TestResult.check_key);
# runs stored before keys existed fall back to the display name.
_RESULTS = "current_run__test_results__"
TEST_IDENTITY = Coalesce(NullIf(F(_RESULTS + "check_key"), Value("")), F(_RESULTS + "name_en"))
TOP = 10


@dataclass(frozen=True)
class ScoreDistribution:
    assignment: Assignment
    counts: list[int]

    @property
    def graded(self) -> int:
        return sum(self.counts)


def score_distributions(*, course: Course, assignments: list[Assignment]) -> list[ScoreDistribution]:
    """For each assignment, how many counting grades fall in each tenth of its points (excused and ungraded left out). One query."""
    # Binned by the database: a row per (assignment, bin), not one per student.
    # Full marks fall in the top bin, like statistics.histogram.
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * SCORE_BINS)
    rows = (
        Grade.objects.filter(assignment__course=course, state=GradeState.GRADED, score__isnull=False, max_score__gt=0)
        .order_by()
        .annotate(
            bin=Greatest(
                Least(
                    Floor(F("score") * SCORE_BINS / F("max_score"), output_field=IntegerField()),
                    Value(SCORE_BINS - 1),
                    output_field=IntegerField(),
                ),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .values_list("assignment_id", "bin")
        .annotate(n=Count("pk"))
    )
    for assignment_id, index, n in rows:
        counts[assignment_id][int(index)] += n
    return [ScoreDistribution(a, list(counts[a.pk])) for a in assignments]


@dataclass(frozen=True)
class QuizStatistics:
    assignment: Assignment
    students: int
    questions: list[statistics.ItemStatistics]


def _fraction(earned, possible) -> float | None:
    # Decimal strings as the quiz service writes them; floats are plenty for a statistic.
    try:
        earned, possible = float(earned), float(possible)
    except (TypeError, ValueError):
        return None
    return earned / possible if possible > 0 and math.isfinite(earned) else None


def quiz_question_statistics(*, assignments: list[Assignment]) -> list[QuizStatistics]:
    """Facility and discrimination of every question of the course's quizzes. Two queries."""
    quizzes = {a.quiz_id: a for a in assignments if a.kind == Assignment.Kind.QUIZ and a.quiz_id}
    if not quizzes:
        return []
    keys: dict[int, list[str]] = defaultdict(list)
    for quiz_id, key in Question.objects.filter(quiz_id__in=quizzes).order_by("position", "id").values_list("quiz_id", "key"):
        keys[quiz_id].append(key)
    firsts: dict[tuple[int, int], tuple] = {}
    attempts = (
        QuizAttempt.objects.filter(quiz_id__in=quizzes, submitted_at__isnull=False)
        .order_by("-submitted_at", "-id")
        .values_list("quiz_id", "user_id", "score", "max_score", "results")
    )
    for quiz_id, user_id, score, max_score, results in attempts:
        # Newest first, so the last one written is the student's first attempt.
        firsts[(quiz_id, user_id)] = (score, max_score, results)
    totals: dict[int, list[float]] = defaultdict(list)
    earned: dict[int, list[dict[str, float]]] = defaultdict(list)
    for (quiz_id, _user), (score, max_score, results) in firsts.items():
        per_question = {}
        for entry in results or []:
            if isinstance(entry, dict) and "key" in entry:
                value = _fraction(entry.get("earned"), entry.get("possible"))
                if value is not None:
                    per_question[entry["key"]] = value
        totals[quiz_id].append(float(score / max_score) if score is not None and max_score else 0.0)
        earned[quiz_id].append(per_question)
    return [
        QuizStatistics(
            assignment=assignment,
            students=len(totals[quiz_id]),
            questions=statistics.item_statistics(totals[quiz_id], earned[quiz_id], keys[quiz_id]),
        )
        for quiz_id, assignment in quizzes.items()
    ]


@dataclass(frozen=True)
class CountedName:
    name: str
    count: int


@dataclass(frozen=True)
class ExerciseTroubles:
    assignment: Assignment
    submissions: int  # graded submissions, the denominator of the counts below
    tests_failed: list[CountedName]
    mistakes: list[CountedName]


def exercise_troubles(*, course: Course, assignments: list[Assignment]) -> list[ExerciseTroubles]:
    """Per exercise, the tests failed most and the known mistakes seen most, over each submission's latest grading. Three queries."""
    coding = {a.exercise_id: a for a in assignments if a.kind == Assignment.Kind.CODING and a.exercise_id}
    if not coding:
        return []
    # From the submissions through their current run to its results: the latest grading of each.
    submissions = Submission.objects.filter(exercise_id__in=coding).order_by()
    failed: dict[int, list[CountedName]] = defaultdict(list)
    failures = (
        submissions.filter(current_run__test_results__passed=False)
        .annotate(test=TEST_IDENTITY)
        .values_list("exercise_id", "test")
        # Named by the test's English name (the same for every seed of a fixed test).
        .annotate(n=Count("current_run__test_results"), label=Min(_RESULTS + "name_en"))
        .order_by("-n", "test")
    )
    for exercise_id, _test, n, label in failures:
        failed[exercise_id].append(CountedName(label, n))
    mistaken: dict[int, list[CountedName]] = defaultdict(list)
    mistakes = (
        # "> ''" rather than exclude(=""): an exclude across a to-many join drops
        # the whole submission when any one of its results has no mistake.
        submissions.filter(current_run__test_results__mistake__gt="")
        .values_list("exercise_id", "current_run__test_results__mistake")
        # A mistake seen by several tests of one submission counts once.
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "current_run__test_results__mistake")
    )
    for exercise_id, mistake, n in mistakes:
        mistaken[exercise_id].append(CountedName(mistake, n))
    # A submission's status is its current run's (grader.services.runs keeps them equal): no join.
    graded = dict(
        Submission.objects.filter(exercise_id__in=coding, status=RunStatus.GRADED)
        .order_by()
        .values_list("exercise_id")
        .annotate(n=Count("pk"))
    )
    return [
        ExerciseTroubles(assignment, graded.get(exercise_id, 0), failed[exercise_id][:TOP], mistaken[exercise_id][:TOP])
        for exercise_id, assignment in coding.items()
    ]


@dataclass(frozen=True)
class TimeToFullMarks:
    assignment: Assignment
    tried: int  # students with at least one submission
    hours: statistics.Spread  # over the students who reached full marks


def time_to_full_marks(*, course: Course, assignments: list[Assignment]) -> list[TimeToFullMarks]:
    """Per exercise, hours from each student's first submission to their first with every point. Two queries."""
    coding = {a.exercise_id: a for a in assignments if a.kind == Assignment.Kind.CODING and a.exercise_id}
    if not coding:
        return []
    full = Q(status=RunStatus.GRADED, max_score__gt=0, score__gte=F("max_score"))
    mine = Submission.objects.filter(exercise_id__in=coding).order_by()
    tried = dict(mine.values_list("exercise_id").annotate(n=Count("user_id", distinct=True)))
    # The difference is taken by the database: one value per student, not two datetimes to parse.
    per_student = (
        mine.values("exercise_id", "user_id")
        .annotate(first=Min("created_at"), first_full=Min("created_at", filter=full))
        .filter(first_full__isnull=False)
        .annotate(taken=ExpressionWrapper(F("first_full") - F("first"), output_field=DurationField()))
        .values_list("exercise_id", "taken")
    )
    hours: dict[int, list[float]] = defaultdict(list)
    for exercise_id, taken in per_student:
        hours[exercise_id].append(taken.total_seconds() / 3600)
    return [
        TimeToFullMarks(assignment, tried.get(exercise_id, 0), statistics.spread(hours[exercise_id]))
        for exercise_id, assignment in coding.items()
    ]
