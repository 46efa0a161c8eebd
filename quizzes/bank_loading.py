"""Loading quiz banks (content/quizzes/*.toml) into Quiz and Question rows, each quiz with its Assignment.

Reading is quizzes.bank's (pure, every item validated); this module writes.
As for the exercises (courses.services), the files are the source of truth
for what they define: a quiz's titles and chapter, its questions' fields and
order, and its assignment's points (the sum of its questions'). What they do
not define is left alone: the assignment's dates, attempt limit, grade and
late policy and publication, when answers are shown, questions added in admin,
and attempts. Nothing is deleted. A second load of unchanged files writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

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
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _decimal(fraction) -> Decimal:
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(_POINTS_QUANTUM)


def _changed_fields(obj, values: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        current = getattr(obj, f"{name}_id") if hasattr(value, "_meta") else getattr(obj, name)
        wanted = value.pk if hasattr(value, "_meta") else value
        if current != wanted:
            changed.append(name)
    return changed


def _upsert(model, *, existing, lookup: dict, values: dict, label: str, result: QuizLoadResult):
    if existing is not None:
        changed = _changed_fields(existing, values)
        if not changed:
            result.unchanged += 1
            return existing
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save(update_fields=[*values, *(["updated_at"] if model is Quiz else [])])
        result.updated[label] = changed
        return existing
    obj = model.objects.create(**lookup, **values)
    result.created.append(label)
    return obj


def quiz_bank_load(*, directory: Path, course: Course) -> QuizLoadResult:
    """Create or update every quiz of the bank in `directory` (its *.toml files) in `course`.

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
            row = _upsert(
                Quiz,
                existing=existing_quizzes.get(quiz.slug),
                lookup={"slug": quiz.slug},
                values={"course": course, "chapter": chapters[quiz.chapter], "title_zh": quiz.title.zh,
                        "title_en": quiz.title.en},
                label=f"quiz {quiz.slug}",
                result=result,
            )  # fmt: skip
            existing_questions = {question.key: question for question in Question.objects.filter(quiz=row)}
            for position, item in enumerate(quiz.items):
                _upsert(
                    Question,
                    existing=existing_questions.get(item.id),
                    lookup={"quiz": row, "key": item.id},
                    values={
                        "position": position, "type": item.type, "section": item.section,
                        "points": _decimal(item.points), "prompt_zh": item.prompt.zh, "prompt_en": item.prompt.en,
                        "explanation_zh": item.explanation.zh, "explanation_en": item.explanation.en,
                        "body": item_body(item),
                    },
                    label=f"question {quiz.slug}/{item.id}",
                    result=result,
                )  # fmt: skip
            _upsert(
                Assignment,
                existing=existing_assignments.get(quiz.slug),
                lookup={"slug": quiz.slug},
                # Dates, attempt limit, policies and publication are the instructor's, set in admin: left alone.
                values={"course": course, "kind": Assignment.Kind.QUIZ, "quiz": row,
                        "points": _decimal(quiz.points).quantize(Decimal("0.01"))},
                label=f"assignment {quiz.slug}",
                result=result,
            )
    return result
