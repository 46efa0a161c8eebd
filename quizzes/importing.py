"""Question banks in and out of the database: GIFT and Moodle XML files to a quiz's Questions and back.

    quiz_questions_import(*, course, quiz_slug, text, format) -> ImportResult
    quiz_questions_export(*, quiz, format) -> str

The parsers (quizzes.gift, quizzes.moodle_xml) read and validate the items; this
module stores them. An import is all or nothing: a file with any problem (one
that cannot be parsed, an item that does not validate, a question the database
would refuse, a quiz slug another course uses) writes nothing, and the result
lists every problem with its line or question.

Re-importing: a question is identified in its quiz by its key (the GIFT
``::title::`` or Moodle ``<name>``, see quizzes/interchange.py). A key already in
the quiz updates that question in place when anything differs (and leaves it
untouched, counted as unchanged, when nothing does): its text, answers, type
and points change, its position and id stay, so answers already stored under the key keep
pointing at it (submitted attempts are not rescored). New keys are added after
the quiz's last question, in file order. Questions the file does not mention
are left as they are: an import never deletes.

A quiz that does not exist yet is created in the course, titled with its slug,
together with its quiz Assignment, unpublished: students see nothing until an
instructor has looked at it and publishes it. The new assignment is worth what
its questions total, so a student's quiz score and grade read the same; an
existing quiz's assignment keeps the points an instructor gave it (the result
carries both numbers, for the import's output to say so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import Assignment
from quizzes.gift import export_gift, read_gift
from quizzes.interchange import ImportErrors, ImportProblem
from quizzes.item_codec import item_body
from quizzes.models import Question, Quiz
from quizzes.moodle_xml import export_moodle_xml, parse_moodle_xml

GIFT = "gift"
MOODLE_XML = "moodle-xml"
FORMATS = (GIFT, MOODLE_XML)
# What a file's name says about its format (Moodle writes .gift.txt and .xml).
EXTENSIONS = {".gift": GIFT, ".txt": GIFT, ".xml": MOODLE_XML}

POINTS_PLACES = Decimal("0.001")  # Question.points keeps three decimals
ASSIGNMENT_POINTS_PLACES = Decimal("0.01")  # Assignment.points keeps two
_COLUMNS = ("type", "section", "points", "prompt_zh", "prompt_en", "explanation_zh", "explanation_en", "body")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: counts when it stored the file, every problem when it stored nothing."""

    imported: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already in the quiz exactly as the file has them
    quiz_created: bool = False
    quiz: Quiz | None = None
    # What the quiz's questions total after the import, and what its assignment is worth.
    questions_total: Decimal | None = None
    assignment_points: Decimal | None = None
    errors: tuple[str, ...] = ()
    # Not errors: what the file held that is not a question (GIFT descriptions, categories).
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def points_note(self) -> tuple[str, str] | None:
        """(English, Chinese): what the quiz's assignment is worth next to its questions' total."""
        if self.assignment_points is None or self.questions_total is None:
            return None
        points, total = _plain(self.assignment_points), _plain(self.questions_total)
        if self.quiz_created:
            return (
                f"its new assignment is worth {points} points, what its questions total",
                f"新建的作业分值为 {points} 分，即题目总分",
            )
        if self.assignment_points == self.questions_total:
            return (
                f"its assignment keeps its {points} points, what its questions total",
                f"其作业保持原分值 {points} 分，与题目总分一致",
            )
        return (
            f"its assignment keeps its {points} points while its questions total {total}: "
            "change the assignment's points if they should match",
            f"其作业保持原分值 {points} 分，而题目总分为 {total} 分：如需一致，请修改作业分值",
        )

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quiz": self.quiz.slug if self.quiz else None,
            "quiz_created": self.quiz_created,
            "questions_total": str(self.questions_total) if self.questions_total is not None else None,
            "assignment_points": str(self.assignment_points) if self.assignment_points is not None else None,
            "errors": list(self.errors),
            "skipped": list(self.skipped),
        }


def _plain(number: Decimal) -> str:
    """7.000 as "7", 4.50 as "4.5": points as a teacher writes them."""
    return f"{number.normalize():f}"


class _Refused(Exception):
    """Problems found once the transaction had begun: roll it back."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


def format_for_filename(name: str) -> str | None:
    """The format a file's name implies, or None when it implies none."""
    lowered = name.lower()
    for extension, format in EXTENSIONS.items():
        if lowered.endswith(extension):
            return format
    return None


def _parse(text, format):
    """(items, skipped) of the file, or ImportErrors."""
    if format == GIFT:
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ImportErrors([ImportProblem(0, f"the file is not UTF-8 text (byte {error.start + 1})")]) from None
        # PostgreSQL's text cannot hold NUL, nor UTF-8 a lone surrogate: refused here, with
        # their line, rather than failing inside the transaction.
        for number, line in enumerate(text.split("\n"), start=1):
            if "\x00" in line or any("\ud800" <= c <= "\udfff" for c in line):
                raise ImportErrors([ImportProblem(number, "a NUL character or a lone surrogate: not text")])
        read = read_gift(text)
        return read.items, tuple(str(problem) for problem in read.skipped)
    return parse_moodle_xml(text), ()


def _points(value: Fraction) -> Decimal:
    """An item's points as Question stores them; ValueError when three decimals cannot hold them."""
    points = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(POINTS_PLACES)
    if Fraction(points) != value:
        raise ValueError(f"points {value} cannot be stored exactly with three decimals")
    return points


def _question_fields(item) -> dict:
    return {
        "type": item.type,
        "section": item.section,
        "points": _points(item.points),
        "prompt_zh": item.prompt.zh,
        "prompt_en": item.prompt.en,
        "explanation_zh": item.explanation.zh,
        "explanation_en": item.explanation.en,
        "body": item_body(item),
    }


def _validated(question: Question, item_id: str) -> list[str]:
    try:
        # Uniqueness is the key map's job (and the database's): no query per question.
        question.full_clean(exclude=["quiz"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [f"question {item_id!r}: {field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
    return []


def _quiz_for_import(*, course, quiz_slug) -> tuple[Quiz, bool]:
    # order_by(): the default ordering joins the chapter, which FOR UPDATE cannot lock. The
    # assignment's points come in the same query (the import reports them), unlocked.
    quiz = (
        Quiz.objects.select_for_update(of=("self",))
        .filter(slug=quiz_slug)
        .annotate(assignment_points=F("assignment__points"))
        .order_by("pk")
        .first()
    )
    if quiz is not None:
        if quiz.course_id != course.pk:
            raise _Refused([f"the quiz slug {quiz_slug!r} is already used by another course"])
        return quiz, False
    if Assignment.objects.filter(slug=quiz_slug).exists():
        raise _Refused([f"{quiz_slug!r} is already the slug of another assignment: choose another quiz slug"])
    quiz = Quiz.objects.create(course=course, slug=quiz_slug, title_zh=quiz_slug, title_en=quiz_slug)
    return quiz, True


def _assignment_for_new_quiz(*, quiz: Quiz, questions_total: Decimal) -> Assignment:
    """The new quiz's assignment, unpublished, worth what its questions total.

    Not the model's default 10: a 7-point quiz on a 10-point assignment showed a
    student "4.50 / 7" and "6.43 / 10" on one page.
    """
    extra = {}
    if questions_total > 0:
        extra["points"] = questions_total.quantize(ASSIGNMENT_POINTS_PLACES, rounding=ROUND_HALF_UP)
    return Assignment.objects.create(
        course_id=quiz.course_id, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz, published=False, **extra
    )


def quiz_questions_import(*, course, quiz_slug: str, text: str | bytes, format: str) -> ImportResult:
    """Store the questions of a GIFT or Moodle XML file in the course's quiz `quiz_slug`, all or nothing."""
    if format not in FORMATS:
        return ImportResult(errors=(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}",))
    try:
        validate_slug(quiz_slug)
    except ValidationError:
        return ImportResult(errors=(f"{quiz_slug!r} is not a valid quiz slug (letters, digits, - and _)",))
    try:
        items, skipped = _parse(text, format)
    except ImportErrors as error:
        return ImportResult(errors=tuple(str(problem) for problem in error.errors))
    if not items:
        return ImportResult(errors=("the file holds no questions",), skipped=skipped)
    try:
        with transaction.atomic():
            quiz, quiz_created = _quiz_for_import(course=course, quiz_slug=quiz_slug)
            created, updated, questions_total = _questions_store(quiz=quiz, items=items)
            if quiz_created:
                assignment_points = _assignment_for_new_quiz(quiz=quiz, questions_total=questions_total).points
            else:  # the instructor's points stay (None: a quiz without an assignment)
                assignment_points = quiz.assignment_points
    except _Refused as refused:
        return ImportResult(errors=refused.errors, skipped=skipped)
    except IntegrityError:
        # Two imports creating the same quiz (or assignment slug) at once: the
        # other one won; this one wrote nothing and can simply be run again.
        return ImportResult(errors=(f"another import created {quiz_slug!r} at the same moment: import again",))
    return ImportResult(
        imported=len(items),
        created=created,
        updated=updated,
        unchanged=len(items) - created - updated,
        quiz_created=quiz_created,
        quiz=quiz,
        questions_total=questions_total,
        assignment_points=assignment_points,
        skipped=skipped,
    )


def _questions_store(*, quiz: Quiz, items) -> tuple[int, int, Decimal]:
    """Created and updated counts, and the quiz's points total once stored (from the rows at hand)."""
    existing = {question.key: question for question in quiz.questions.select_for_update().order_by("pk")}
    points_by_key = {key: question.points for key, question in existing.items()}
    next_position = max((question.position for question in existing.values()), default=0) + 1
    rows, created, updated, errors = [], 0, 0, []
    for item in items:
        try:
            fields = _question_fields(item)
        except ValueError as error:
            errors.append(f"question {item.id!r}: {error}")
            continue
        points_by_key[item.id] = fields["points"]
        stored = existing.get(item.id)
        if stored is None:
            position, created = next_position, created + 1
            next_position += 1
        elif any(getattr(stored, name) != value for name, value in fields.items()):
            position, updated = stored.position, updated + 1
        else:
            continue  # the same question again: nothing to write
        question = Question(quiz=quiz, key=item.id, position=position, **fields)
        errors += _validated(question, item.id)
        rows.append(question)
    if errors:
        raise _Refused(errors)
    if rows:
        # One upsert for new and changed questions alike: a key already in the quiz
        # keeps its row (id, position) and takes the file's columns. Far cheaper
        # than bulk_update, whose CASE per row and column Django builds in Python.
        Question.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["quiz", "key"],
            update_fields=list(_COLUMNS),
        )
        # bulk writes skip auto_now: the quiz says when its questions last changed.
        Quiz.objects.filter(pk=quiz.pk).update(updated_at=timezone.now())
    return created, updated, sum(points_by_key.values(), Decimal(0))


def quiz_questions_export(*, quiz: Quiz, format: str) -> str:
    """The quiz's questions, in their order, as a GIFT or Moodle XML file."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}")
    items = [question.to_item() for question in quiz.questions.order_by("position", "id")]
    return export_gift(items) if format == GIFT else export_moodle_xml(items)
