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

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, F, Min, Q

from courses.models import Assignment, Course
from grader.models import RunStatus, Submission, TestResult
from grades.models import Grade, GradeState
from quizzes.models import Question, QuizAttempt
from staff import statistics

SCORE_BINS = 10
# Which column names a test across seeds and gradings. The display name for now;
# a stable per-test key replaces it when the grader stores one.
TEST_IDENTITY_FIELD = "name_en"
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
    fractions: dict[int, list[float]] = defaultdict(list)
    rows = (
        Grade.objects.filter(assignment__course=course, state=GradeState.GRADED, score__isnull=False)
        .order_by()
        .values_list("assignment_id", "score", "max_score")
    )
    for assignment_id, score, max_score in rows:
        fractions[assignment_id].append(float(score / max_score) if max_score else 0.0)
    return [ScoreDistribution(a, statistics.histogram(fractions[a.pk], bins=SCORE_BINS)) for a in assignments]


@dataclass(frozen=True)
class QuizStatistics:
    assignment: Assignment
    students: int
    questions: list[statistics.ItemStatistics]


def _fraction(earned, possible) -> float | None:
    try:
        earned, possible = Decimal(str(earned)), Decimal(str(possible))
    except (InvalidOperation, TypeError):
        return None
    return float(earned / possible) if possible > 0 else None


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
    latest = TestResult.objects.filter(
        run__submission__exercise_id__in=coding, run_id=F("run__submission__current_run_id")
    ).order_by()
    failed: dict[int, list[CountedName]] = defaultdict(list)
    failures = (
        latest.filter(passed=False)
        .values_list("run__submission__exercise_id", TEST_IDENTITY_FIELD)
        .annotate(n=Count("pk"))
        .order_by("-n", TEST_IDENTITY_FIELD)
    )
    for exercise_id, name, n in failures:
        failed[exercise_id].append(CountedName(name, n))
    mistaken: dict[int, list[CountedName]] = defaultdict(list)
    mistakes = (
        latest.exclude(mistake="")
        .values_list("run__submission__exercise_id", "mistake")
        # A mistake seen by several tests of one submission counts once.
        .annotate(n=Count("run__submission_id", distinct=True))
        .order_by("-n", "mistake")
    )
    for exercise_id, mistake, n in mistakes:
        mistaken[exercise_id].append(CountedName(mistake, n))
    graded = dict(
        Submission.objects.filter(exercise_id__in=coding, current_run__status=RunStatus.GRADED)
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
    """Per exercise, hours from each student's first submission to their first with every point. One query."""
    coding = {a.exercise_id: a for a in assignments if a.kind == Assignment.Kind.CODING and a.exercise_id}
    if not coding:
        return []
    full = Q(status=RunStatus.GRADED, max_score__gt=0, score__gte=F("max_score"))
    per_student = (
        Submission.objects.filter(exercise_id__in=coding)
        .order_by()
        .values("exercise_id", "user_id")
        .annotate(first=Min("created_at"), first_full=Min("created_at", filter=full))
        .values_list("exercise_id", "first", "first_full")
    )
    tried: Counter = Counter()
    hours: dict[int, list[float]] = defaultdict(list)
    for exercise_id, first, first_full in per_student:
        tried[exercise_id] += 1
        if first_full is not None:
            hours[exercise_id].append((first_full - first).total_seconds() / 3600)
    return [
        TimeToFullMarks(assignment, tried[exercise_id], statistics.spread(hours[exercise_id]))
        for exercise_id, assignment in coding.items()
    ]
