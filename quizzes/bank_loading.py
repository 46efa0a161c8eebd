"""Loading quiz banks (content/quizzes/*.toml) into Quiz and Question rows, each quiz with its Assignment.

Reading is quizzes.bank's (pure, every item validated); this module writes.
As for the exercises (courses.services, courses.content_rows), a load sets
what the files define on rows still as the last load left them: a quiz's titles
and chapter, its questions' fields and order, and its assignment's points (the
sum of its questions'); a row changed in admin since the last load is kept and
reported (`overwrite` takes the files' version). What they do not define is
left alone: the assignment's dates, attempt limit, grade and
late policy and publication, when answers are shown, questions added in admin,
and attempts. Nothing is deleted. A second load of unchanged files writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from courses.content_rows import ContentRows, KeptRow, content_key
from courses.models import Assignment, Chapter, Course
from courses.services import ContentError
from quizzes.bank import load_bank
from quizzes.item_codec import item_body
from quizzes.models import Question, Quiz

_POINTS_QUANTUM = Decimal("0.001")  # Question.points and Assignment.points store at most this


@dataclass
class QuizLoadResult:
    quiz_count: int = 0  # in the files
    question_count: int = 0  # in the files
    created: list[str] = field(default_factory=list)  # labels such as "question chapter-1-quiz/c1-x"
    updated: dict[str, list[str]] = field(default_factory=dict)  # label -> fields overwritten
    kept: dict[str, KeptRow] = field(default_factory=dict)  # label -> why kept, which fields
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _decimal(fraction) -> Decimal:
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(_POINTS_QUANTUM)


def quiz_bank_load(*, directory: Path, course: Course, overwrite: bool = False) -> QuizLoadResult:
    """Create or update every quiz of the bank in `directory` (its *.toml files) in `course`.

    A row changed in admin since the last load is kept (result.kept) unless `overwrite`.

    Raises quizzes.bank.BankError (naming the file and the item) before
    writing anything when a file is broken, and ContentError when a quiz names
    a chapter the course does not have or a slug another course already uses;
    those are found inside the transaction, so nothing stays written.
    """
    directory = Path(directory)
    quizzes = load_bank(directory)
    # load_bank reads the files in this order; kept to name a file in a problem.
    paths = sorted(directory.glob("*.toml")) if directory.is_dir() else [directory]
    result = QuizLoadResult(quiz_count=len(quizzes), question_count=sum(len(q.items) for q in quizzes))
    with transaction.atomic():
        rows = ContentRows(
            [content_key(model, quiz.slug) for quiz in quizzes for model in (Quiz, Assignment)]
            + [content_key(Question, f"{quiz.slug}/{item.id}") for quiz in quizzes for item in quiz.items],
            overwrite=overwrite,
        )
        chapters = {chapter.number: chapter for chapter in Chapter.objects.filter(course=course)}
        slugs = [quiz.slug for quiz in quizzes]
        existing_quizzes = {quiz.slug: quiz for quiz in Quiz.objects.filter(slug__in=slugs)}
        existing_assignments = {a.slug: a for a in Assignment.objects.filter(slug__in=slugs)}
        problems = []
        for path, quiz in zip(paths, quizzes, strict=True):
            if quiz.chapter not in chapters:
                problems.append((path, f"chapter {quiz.chapter} is not a chapter of course {course.slug!r}"))
            other = existing_quizzes.get(quiz.slug)
            if other is not None and other.course_id != course.pk:
                problems.append((path, f"quiz slug {quiz.slug!r} already belongs to another course"))
            assignment = existing_assignments.get(quiz.slug)
            if assignment is not None and (assignment.course_id != course.pk or assignment.kind != Assignment.Kind.QUIZ):
                problems.append((path, f"assignment slug {quiz.slug!r} is already taken by another assignment"))
        if problems:
            raise ContentError(problems)

        for quiz in quizzes:
            row = rows.load(
                Quiz,
                existing=existing_quizzes.get(quiz.slug),
                lookup={"slug": quiz.slug},
                values={"course": course, "chapter": chapters[quiz.chapter], "title_zh": quiz.title.zh,
                        "title_en": quiz.title.en},
                key=content_key(Quiz, quiz.slug),
                label=f"quiz {quiz.slug}",
                result=result,
            )  # fmt: skip
            existing_questions = {question.key: question for question in Question.objects.filter(quiz=row)}
            for position, item in enumerate(quiz.items):
                rows.load(
                    Question,
                    existing=existing_questions.get(item.id),
                    lookup={"quiz": row, "key": item.id},
                    values={
                        "position": position, "type": item.type, "section": item.section,
                        "points": _decimal(item.points), "prompt_zh": item.prompt.zh, "prompt_en": item.prompt.en,
                        "explanation_zh": item.explanation.zh, "explanation_en": item.explanation.en,
                        "body": item_body(item),
                    },
                    key=content_key(Question, f"{quiz.slug}/{item.id}"),
                    label=f"question {quiz.slug}/{item.id}",
                    result=result,
                )  # fmt: skip
            rows.load(
                Assignment,
                existing=existing_assignments.get(quiz.slug),
                lookup={"slug": quiz.slug},
                # Dates, attempt limit, policies and publication are the instructor's, set in admin: left alone.
                values={"course": course, "kind": Assignment.Kind.QUIZ, "quiz": row,
                        "points": _decimal(quiz.points).quantize(Decimal("0.01"))},
                key=content_key(Assignment, quiz.slug),
                label=f"assignment {quiz.slug}",
                result=result,
            )
        rows.save()
    return result
