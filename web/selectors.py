"""Reads for the students' pages, each in a fixed number of queries whatever the course's size.

Who may see what is decided by the grader's access functions
(grader.selectors.exercise_get_visible, submission_get_for_user) and, for
prechecks, by `precheck_get_for_user` here; a grade and its history are read
only through grades.selectors.grade_history_for_student, which reads the
visitor's own. Nothing else filters by permission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils import timezone

from courses.models import Assignment, Chapter, Course, Enrollment, Excusal, Extension
from grader.models import Exercise, Submission
from grades.models import Grade, GradeChange, GradeState
from grades.selectors import OWN_CAUSES, grade_history_for_student
from web.models import Precheck

# The history on an exercise page: enough to see progress, few enough for one query.
HISTORY_LENGTH = 20


@dataclass
class AssignmentRow:
    """One line of the course home: an exercise or a quiz and where this student stands on it."""

    kind: str  # "coding" or "quiz"
    slug: str
    title_en: str
    title_zh: str
    url: str
    points: Decimal
    due_at: datetime | None
    extended: bool
    closed: bool
    late_penalty_per_day: Decimal
    state: str  # not_started, pending, graded, excused
    score: Decimal | None
    late: bool
    # The grade's latest change was the course staff's, not the student's own work: see _changed_by_staff.
    changed_by_staff: bool = False


@dataclass
class ChapterBlock:
    chapter: Chapter
    quizzes: list[AssignmentRow]
    exercises: list[AssignmentRow]


@dataclass
class CourseBlock:
    course: Course
    role: str
    chapters: list[ChapterBlock]
    # Quizzes of no chapter (an imported question bank, say): listed after the chapters.
    others: list[AssignmentRow] = field(default_factory=list)


def _effective(assignment: Assignment, extension: Extension | None) -> tuple[datetime | None, datetime | None]:
    due_at, closes_at = assignment.due_at, assignment.closes_at
    if extension is not None:
        due_at = extension.due_at or due_at
        closes_at = extension.closes_at or closes_at
    return due_at, closes_at


def _changed_by_staff(grade: Grade | None) -> bool:
    """Whether the course home marks this grade "changed": its latest change was not the student's own work.

    The rule, kept simple and honest: the student's own submissions (and quiz
    attempts) being accepted and graded are what they expect to move a grade;
    anything else (a regrade, an override, an extension, an excusal, a late
    penalty change) is news they may not have seen. The mark lasts until their
    own work next changes the grade; nothing records whether they looked, so it
    claims no more than "the last change was the staff's".
    """
    last_cause = getattr(grade, "last_cause", None)
    return last_cause is not None and last_cause not in OWN_CAUSES


def _row(assignment: Assignment, grade: Grade | None, extension: Extension | None, excused: bool, now) -> AssignmentRow:
    due_at, closes_at = _effective(assignment, extension)
    if assignment.kind == Assignment.Kind.QUIZ:
        target, url = assignment.quiz, f"/quizzes/{assignment.slug}/"
    else:
        target, url = assignment.exercise, f"/exercises/{assignment.slug}/"
    state = grade.state if grade is not None else GradeState.NOT_SUBMITTED
    if excused:
        state = GradeState.EXCUSED
    return AssignmentRow(
        kind=assignment.kind,
        slug=assignment.slug,
        title_en=target.title_en,
        title_zh=target.title_zh,
        url=url,
        points=assignment.points,
        due_at=due_at,
        extended=extension is not None and (extension.due_at is not None or extension.closes_at is not None or extension.extra_attempts > 0),
        closed=not assignment.published or (closes_at is not None and closes_at <= now),
        late_penalty_per_day=assignment.late_penalty_per_day,
        state="not_started" if state == GradeState.NOT_SUBMITTED else state,
        score=grade.score if grade is not None and state == GradeState.GRADED else None,
        late=bool(grade is not None and grade.late and state == GradeState.GRADED),
        changed_by_staff=_changed_by_staff(grade),
    )


def course_home_for_user(*, user: AbstractBaseUser) -> list[CourseBlock]:
    """The courses `user` belongs to, chapter by chapter, each quiz and exercise with this student's standing.

    Six queries whatever the number of courses, assignments or students:
    enrollments, chapters, assignments (with their exercise or quiz), and the
    student's own grades (each with the cause of its latest change, joined in
    the same query), extensions and excusals.
    """
    enrollments = list(Enrollment.objects.filter(user_id=user.pk).select_related("course").order_by("course__slug"))
    if not enrollments:
        return []
    course_ids = [e.course_id for e in enrollments]
    teaches = {e.course_id for e in enrollments if e.role != Enrollment.Role.STUDENT}
    chapters = list(Chapter.objects.filter(course_id__in=course_ids).order_by("course_id", "number"))
    assignments = list(
        Assignment.objects.filter(Q(published=True) | Q(course_id__in=teaches), course_id__in=course_ids)
        .select_related("exercise", "quiz")
        .order_by("slug")
    )
    assignment_ids = [a.pk for a in assignments]
    # A grade's sequence is its latest change's (set in the same transaction), so the
    # subquery is one unique-index lookup per grade, inside the grades' own query.
    last_cause = GradeChange.objects.filter(grade_id=OuterRef("pk"), sequence=OuterRef("sequence")).order_by().values("cause")[:1]
    grades = {
        g.assignment_id: g
        for g in Grade.objects.filter(user_id=user.pk, assignment_id__in=assignment_ids).annotate(last_cause=Subquery(last_cause))
    }
    extensions = {e.assignment_id: e for e in Extension.objects.filter(user_id=user.pk, assignment_id__in=assignment_ids)}
    excused = set(Excusal.objects.filter(user_id=user.pk, assignment_id__in=assignment_ids).values_list("assignment_id", flat=True))

    now = timezone.now()
    blocks = {
        chapter.pk: ChapterBlock(chapter=chapter, quizzes=[], exercises=[]) for chapter in chapters
    }
    ordered = sorted(
        assignments,
        key=lambda a: (a.exercise.position, a.slug) if a.exercise is not None else (0, a.slug),
    )
    others: dict[int, list[AssignmentRow]] = {course_id: [] for course_id in course_ids}
    for assignment in ordered:
        chapter_id = assignment.exercise.chapter_id if assignment.exercise is not None else assignment.quiz.chapter_id
        row = _row(assignment, grades.get(assignment.pk), extensions.get(assignment.pk), assignment.pk in excused, now)
        block = blocks.get(chapter_id)
        if block is None:
            # A published quiz of no chapter is still the students' to take: without a line
            # here they could reach it only by its URL.
            others[assignment.course_id].append(row)
            continue
        (block.quizzes if row.kind == Assignment.Kind.QUIZ else block.exercises).append(row)
    return [
        CourseBlock(
            course=e.course,
            role=e.role,
            chapters=[blocks[c.pk] for c in chapters if c.course_id == e.course_id],
            others=others[e.course_id],
        )
        for e in enrollments
    ]


def catalogue_for_visitor() -> list[Course]:
    """The public syllabus for a visitor who has not logged in: courses, chapters, exercise titles (two queries' worth)."""
    from courses.selectors import course_list_for_catalogue

    return list(course_list_for_catalogue())


@dataclass
class ExercisePage:
    exercise: Exercise
    assignment: Assignment | None
    due_at: datetime | None
    closes_at: datetime | None
    extension: Extension | None
    excused: bool
    grade: Grade | None
    grade_changes: list[GradeChange]  # the student's own, newest first
    attempts_used: int
    attempt_limit: int | None
    history: list[Submission]
    latest: Submission | None
    precheck: Precheck | None


def exercise_page_for_user(*, user: AbstractBaseUser, exercise: Exercise, results: bool = True) -> ExercisePage:
    """What the coding page shows `user` (who may open `exercise`: see exercise_get_visible), in a fixed number of queries.

    `results=False` leaves out the latest submission's test rows and the latest
    precheck: for a fragment that already shows them and refreshes the rest.
    """
    from django.conf import settings

    try:
        assignment = exercise.assignment  # exercise_get_visible joined it
    except Assignment.DoesNotExist:
        assignment = None
    extension = None
    excused = False
    # The grade and its history in one query (None and [] without an assignment).
    grade, grade_changes = grade_history_for_student(user=user, assignment=assignment)
    if assignment is not None:
        extension = Extension.objects.filter(assignment=assignment, user_id=user.pk).first()
        excused = Excusal.objects.filter(assignment=assignment, user_id=user.pk).exists()
    history = list(
        Submission.objects.filter(user_id=user.pk, exercise_id=exercise.pk)
        .only("id", "status", "score", "max_score", "created_at", "graded_at")
        .order_by("-created_at", "-id")[:HISTORY_LENGTH]
    )
    used = (
        Submission.objects.filter(user_id=user.pk, exercise_id=exercise.pk)
        .exclude(status=Submission.Status.INTERNAL_ERROR)
        .count()
    )
    latest = precheck = None
    if results:
        latest = submission_with_results(user=user, submission_id=history[0].pk) if history else None
        precheck = Precheck.objects.filter(user_id=user.pk, exercise_id=exercise.pk).order_by("-created_at", "-id").first()
    limit = None
    if assignment is not None:
        limit = assignment.attempt_limit if assignment.attempt_limit is not None else (settings.SUBMISSION_DEFAULT_ATTEMPT_LIMIT or None)
        if limit is not None and extension is not None:
            limit += extension.extra_attempts
    due_at, closes_at = _effective(assignment, extension) if assignment is not None else (None, None)
    return ExercisePage(
        exercise=exercise,
        assignment=assignment,
        due_at=due_at,
        closes_at=closes_at,
        extension=extension,
        excused=excused,
        grade=grade,
        grade_changes=grade_changes,
        attempts_used=used,
        attempt_limit=limit,
        history=history,
        latest=latest,
        precheck=precheck,
    )


def submission_with_results(*, user: AbstractBaseUser, submission_id: int) -> Submission:
    """The submission through the one access function, its current run's test rows in order (Http404 for anyone else)."""
    from grader.selectors import submission_get_for_user

    return submission_get_for_user(user=user, submission_id=submission_id)


def precheck_get_for_user(*, user: AbstractBaseUser, precheck_id: int) -> Precheck:
    """A precheck is its author's alone: anyone else, instructors included, gets Http404 as for an id that does not exist."""
    if not user.is_authenticated:
        raise Http404("No such precheck.")
    precheck = Precheck.objects.filter(pk=precheck_id, user_id=user.pk).select_related("exercise").first()
    if precheck is None:
        raise Http404("No such precheck.")
    return precheck
