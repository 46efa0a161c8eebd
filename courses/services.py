"""Course content kept as files, and loading it into the database.

A content directory holds one course:

    course.toml                      slug, titles, descriptions, [[chapters]]
    exercises/<slug>/exercise.toml   identity, checks, points and limits
    exercises/<slug>/statement.zh.md, statement.en.md
    exercises/<slug>/starter.py, solution.py
    exercises/<slug>/mistakes/*.py   known-wrong solutions, first line "# mistake: <id>"

What makes an exercise's values valid is grader.exercise_validation's, the
same function admin uses through Exercise.clean(); this module checks only
what is particular to files (TOML syntax and types, which file is where).

Reading (`course_content_read`) validates every file and touches no database;
loading (`course_load_from_directory`) writes only after the whole directory
has been read without a problem, inside one transaction, so a bad file
imports nothing.

A load sets the fields the files define on rows still as the last load left
them, so content shipped in a release arrives; a row changed in admin since the
last load is kept and reported with the fields changed (courses.content_rows
decides; `overwrite` takes the files' version everywhere). What the files do not
define is left alone: an assignment's dates, late policy and publication (the
instructor's call), enrollments, and chapters, exercises or courses that are not
in the files. Nothing is ever deleted.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from courses.content_rows import ContentRows, KeptRow, content_key
from courses.models import Assignment, Chapter, Course
from grader.exercise_validation import exercise_problems, function_names_problem, mistake_declared, mistake_problems
from grader.models import Exercise
from grader.services import SubmissionRejected, submission_code_decode

SAMPLE_CONTENT_DIRECTORY = Path(settings.BASE_DIR) / "content"

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")  # what Django's SlugField accepts


class ContentError(Exception):
    """One or more content files are missing or malformed.

    `problems` is a list of (path, message); str() gives one line per problem,
    each starting with the file's path.
    """

    def __init__(self, problems: list[tuple[Path, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{path}: {message}" for path, message in problems))


@dataclass(frozen=True)
class MistakeContent:
    mistake_id: str
    path: Path
    code: str


@dataclass(frozen=True)
class ExerciseContent:
    slug: str
    chapter_number: int
    directory: Path
    values: dict[str, Any]  # Exercise field -> value, everything but slug and chapter
    mistakes: tuple[MistakeContent, ...]
    # The attempt limit is the assignment's (what a grade is for), not the exercise's.
    attempt_limit: int | None = None
    # The assignment's publication when the file says it; None leaves it to admin.
    published: bool | None = None


@dataclass(frozen=True)
class ChapterContent:
    number: int
    title_zh: str
    title_en: str


@dataclass(frozen=True)
class CourseContent:
    slug: str
    directory: Path
    values: dict[str, Any]  # Course field -> value, everything but slug
    chapters: tuple[ChapterContent, ...]
    exercises: tuple[ExerciseContent, ...]


@dataclass
class CourseLoadResult:
    course: Course
    created: list[str] = field(default_factory=list)  # labels such as "exercise softmax"
    updated: dict[str, list[str]] = field(default_factory=dict)  # label -> fields overwritten
    kept: dict[str, KeptRow] = field(default_factory=dict)  # label -> why kept, which fields
    unchanged: int = 0
    chapter_count: int = 0  # in the files
    exercise_count: int = 0  # in the files

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# --- Reading -------------------------------------------------------------------


class _Problems:
    """Collects every problem of a directory, so one run reports them all."""

    def __init__(self):
        self.items: list[tuple[Path, str]] = []

    def add(self, path: Path, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ContentError(self.items)


def _read_text(path: Path, problems: _Problems) -> str | None:
    if not path.is_file():
        problems.add(path, "missing file")
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path, f"not UTF-8 ({exc.reason} at byte {exc.start})")
        return None


def _read_code(path: Path, problems: _Problems, *, may_be_empty: bool = False) -> str | None:
    """A Python file that must be something a student could submit (size, encoding, characters)."""
    if not path.is_file():
        problems.add(path, "missing file")
        return None
    data = path.read_bytes()
    if may_be_empty and not data:
        return ""
    try:
        return submission_code_decode(data)
    except SubmissionRejected as exc:
        problems.add(path, f"{exc.message} · {exc.message_zh}")
        return None


def _read_toml(path: Path, problems: _Problems) -> dict | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add(path, f"invalid TOML: {exc}")
        return None


# A key's checker takes the raw TOML value and returns the value to store, or
# raises ValueError with a message for the author.


def _text(value):
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_toml_type(value)}")
    return value.strip()


def _title(value):
    value = _text(value)
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 200:
        raise ValueError(f"is {len(value)} characters; at most 200")
    return value


def _suite_name(value):
    value = _title(value)
    if len(value) > 64:  # Exercise.check_suite is CharField(max_length=64)
        raise ValueError(f"is {len(value)} characters; at most 64")
    return value


def _slug(value):
    value = _text(value)
    if not _SLUG.match(value) or len(value) > 50:
        raise ValueError(f"{value!r} is not a slug (letters, digits, '-', '_'; at most 50 characters)")
    return value


def _integer(minimum):
    def check(value):
        # bool is an int in Python; `true` for a number is an authoring slip.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be an integer, not {_toml_type(value)}")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        return value

    return check


# The next three check the TOML type only: the values' ranges and meaning are
# grader.exercise_validation's, as in admin.


def _boolean(value):
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_toml_type(value)}")
    return value


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {_toml_type(value)}")
    return float(value)


def _points(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {_toml_type(value)}")
    try:
        # str() first: Decimal(0.1) would carry the binary expansion of 0.1.
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def _array(value):
    if not isinstance(value, list):
        raise ValueError(f"must be an array, not {_toml_type(value)}")
    return list(value)


def _table(value):
    if not isinstance(value, dict):
        raise ValueError(f"must be a table ({{}} for none), not {_toml_type(value)}")
    return value


def _toml_type(value) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


# key -> (checker, required). Absent optional keys take the model's default,
# so that removing a key from a file really resets the field.
_COURSE_KEYS = {
    "slug": (_slug, True),
    "title_zh": (_title, True),
    "title_en": (_title, True),
    "description_zh": (_text, False),
    "description_en": (_text, False),
    "chapters": (None, True),  # checked entry by entry below
}
_CHAPTER_KEYS = {
    "number": (_integer(1), True),
    "title_zh": (_title, True),
    "title_en": (_title, True),
}
_EXERCISE_KEYS = {
    "slug": (_slug, True),
    "chapter": (_integer(1), True),
    "position": (_integer(0), True),
    "title_zh": (_title, True),
    "title_en": (_title, True),
    "required_functions": (_array, True),
    "check_suite": (_suite_name, True),
    "check_params": (_table, False),
    "points": (_points, True),
    "cpu_limit_seconds": (_number, True),
    "wall_limit_seconds": (_number, True),
    "memory_limit_mb": (_integer(None), True),
    "attempt_limit": (_integer(1), False),  # TOML has no null: leave it out for "unlimited"
    # Left out: publication stays the instructor's call in admin (a new assignment starts published).
    "published": (_boolean, False),
}
_OPTIONAL_DEFAULTS = {
    "description_zh": "", "description_en": "", "check_params": {}, "attempt_limit": None, "published": None,
}  # fmt: skip


def _check_keys(data: dict, schema: dict, path: Path, problems: _Problems, where: str = "") -> dict | None:
    """The checked values of `data`, or None after recording its problems."""
    ok = True
    for key in data:
        if key not in schema:
            problems.add(path, f"{where}unknown key {key!r}; known keys: {', '.join(schema)}")
            ok = False
    values = {}
    for key, (check, required) in schema.items():
        if key not in data:
            if required:
                problems.add(path, f"{where}missing key {key!r}")
                ok = False
            else:
                values[key] = _OPTIONAL_DEFAULTS[key]
            continue
        if check is None:
            values[key] = data[key]
            continue
        try:
            values[key] = check(data[key])
        except ValueError as exc:
            problems.add(path, f"{where}{key} {exc}")
            ok = False
    return values if ok else None


# Where a problem with an exercise field shows up: the file that holds the field.
_FIELD_FILES = {"reference_solution": "solution.py", "starter_code": "starter.py"}


def _exercise_values_check(directory: Path, values: dict, problems: _Problems) -> None:
    for problem in exercise_problems(values):
        if problem.field in _FIELD_FILES:
            problems.add(directory / _FIELD_FILES[problem.field], problem.message)
        else:
            problems.add(directory / "exercise.toml", f"{problem.field}: {problem.message}")


def _mistakes_read(directory: Path, required: list, problems: _Problems) -> tuple[MistakeContent, ...]:
    if not directory.is_dir():
        return ()
    mistakes = []
    for path in sorted(directory.glob("*.py")):
        code = _read_code(path, problems)
        if code is None:
            continue
        found = mistake_problems(code, required_functions=required)
        for message in found:
            problems.add(path, message)
        if not found:
            mistakes.append(MistakeContent(mistake_id=mistake_declared(code), path=path, code=code))
    return tuple(mistakes)


def _exercise_read(directory: Path, chapter_numbers: set[int] | None, problems: _Problems) -> ExerciseContent | None:
    """One exercise directory; chapter_numbers is None when course.toml itself is broken."""
    toml_path = directory / "exercise.toml"
    before = len(problems.items)
    data = _read_toml(toml_path, problems)
    values = _check_keys(data, _EXERCISE_KEYS, toml_path, problems) if data is not None else None

    texts = {}
    for name in ("statement.zh.md", "statement.en.md"):
        text = _read_text(directory / name, problems)
        if text is not None and not text.strip():
            problems.add(directory / name, "is empty")
        texts[name] = text
    texts["starter.py"] = _read_code(directory / "starter.py", problems, may_be_empty=True)
    texts["solution.py"] = _read_code(directory / "solution.py", problems)

    if values is None:
        return None
    if values["slug"] != directory.name:
        problems.add(toml_path, f"slug {values['slug']!r} differs from its directory name {directory.name!r}")
    if chapter_numbers is not None and values["chapter"] not in chapter_numbers:
        problems.add(toml_path, f"chapter {values['chapter']} is not among the chapters of course.toml")
    code = {"starter_code": texts["starter.py"], "reference_solution": texts["solution.py"]}
    _exercise_values_check(directory, {**values, **{k: v for k, v in code.items() if v is not None}}, problems)
    # Bad names are reported once, on exercise.toml, not again on every mistake file.
    required = values["required_functions"] if function_names_problem(values["required_functions"]) is None else None
    mistakes = _mistakes_read(directory / "mistakes", required, problems)
    if len(problems.items) > before:
        return None

    slug = values.pop("slug")
    chapter_number = values.pop("chapter")
    attempt_limit = values.pop("attempt_limit")
    published = values.pop("published")
    values.update(
        statement_zh=texts["statement.zh.md"].strip(),
        statement_en=texts["statement.en.md"].strip(),
        starter_code=texts["starter.py"],
        reference_solution=texts["solution.py"],
    )
    return ExerciseContent(
        slug=slug, chapter_number=chapter_number, directory=directory, values=values, mistakes=mistakes,
        attempt_limit=attempt_limit, published=published,
    )  # fmt: skip


def course_content_read(*, directory: Path) -> CourseContent:
    """Read and validate a content directory; no database access.

    Raises ContentError listing every problem found, each with its file.
    """
    directory = Path(directory)
    problems = _Problems()
    if not directory.is_dir():
        problems.add(directory, "not a directory")
        problems.raise_if_any()

    course_path = directory / "course.toml"
    data = _read_toml(course_path, problems)
    course_values = _check_keys(data, _COURSE_KEYS, course_path, problems) if data is not None else None
    chapters: list[ChapterContent] = []
    if course_values is not None:
        raw_chapters = course_values.pop("chapters")
        if not isinstance(raw_chapters, list) or not raw_chapters:
            problems.add(course_path, "chapters must be a non-empty array of tables ([[chapters]])")
            raw_chapters = []
        for index, raw in enumerate(raw_chapters, start=1):
            where = f"chapters entry {index}: "
            if not isinstance(raw, dict):
                problems.add(course_path, f"{where}must be a table")
                continue
            checked = _check_keys(raw, _CHAPTER_KEYS, course_path, problems, where)
            if checked is None:
                continue
            if any(chapter.number == checked["number"] for chapter in chapters):
                problems.add(course_path, f"{where}chapter number {checked['number']} appears twice")
                continue
            chapters.append(ChapterContent(**checked))

    exercises: list[ExerciseContent] = []
    exercises_dir = directory / "exercises"
    if exercises_dir.is_dir():
        # With a broken course.toml every chapter would look unknown: say it once, there.
        chapter_numbers = {chapter.number for chapter in chapters} if course_values is not None else None
        # Dot-directories (editor or OS clutter) and __pycache__ are not exercises.
        for exercise_dir in sorted(exercises_dir.iterdir()):
            if exercise_dir.is_dir() and not exercise_dir.name.startswith((".", "__")):
                exercise = _exercise_read(exercise_dir, chapter_numbers, problems)
                if exercise is not None:
                    exercises.append(exercise)
        seen: dict[tuple[int, int], str] = {}
        for exercise in exercises:
            place = (exercise.chapter_number, exercise.values["position"])
            if place in seen:
                problems.add(
                    exercise.directory / "exercise.toml",
                    f"chapter {place[0]} position {place[1]} is also taken by {seen[place]!r}",
                )
            seen[place] = exercise.slug

    problems.raise_if_any()
    slug = course_values.pop("slug")
    return CourseContent(
        slug=slug,
        directory=directory,
        values=course_values,
        chapters=tuple(sorted(chapters, key=lambda chapter: chapter.number)),
        exercises=tuple(exercises),
    )


# --- Loading -------------------------------------------------------------------


def course_load_from_directory(
    *, directory: Path, dry_run: bool = False, overwrite: bool = False
) -> CourseLoadResult:
    """Create or update the course, its chapters and exercises from `directory`.

    A row changed in admin since the last load is kept (result.kept) unless
    `overwrite`. Idempotent: a second load with unchanged files writes nothing. The whole
    directory is validated first (ContentError, nothing written), then saved
    in one transaction. With dry_run the changes are computed and rolled back.
    Exercise slugs are global: a slug already used by another course's
    exercise is a ContentError, not a silent move.
    """
    content = course_content_read(directory=directory)
    with transaction.atomic():
        result = _course_content_save(content, overwrite=overwrite)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _course_content_save(content: CourseContent, *, overwrite: bool) -> CourseLoadResult:
    slugs = [exercise.slug for exercise in content.exercises]
    rows = ContentRows(
        [content_key(Course, content.slug)]
        + [content_key(Chapter, f"{content.slug}/{chapter.number}") for chapter in content.chapters]
        + [content_key(model, slug) for slug in slugs for model in (Exercise, Assignment)],
        overwrite=overwrite,
    )
    existing_course = Course.objects.filter(slug=content.slug).first()
    result = CourseLoadResult(  # course is set just below
        course=existing_course, chapter_count=len(content.chapters), exercise_count=len(content.exercises)
    )
    course = rows.load(
        Course,
        existing=existing_course,
        lookup={"slug": content.slug},
        values=content.values,
        key=content_key(Course, content.slug),
        label=f"course {content.slug}",
        result=result,
    )
    result.course = course

    existing_chapters = {chapter.number: chapter for chapter in Chapter.objects.filter(course=course)}
    chapters = {}
    for chapter in content.chapters:
        chapters[chapter.number] = rows.load(
            Chapter,
            existing=existing_chapters.get(chapter.number),
            lookup={"course": course, "number": chapter.number},
            values={"title_zh": chapter.title_zh, "title_en": chapter.title_en},
            key=content_key(Chapter, f"{content.slug}/{chapter.number}"),
            label=f"chapter {chapter.number}",
            result=result,
        )

    existing_exercises = {
        exercise.slug: exercise
        for exercise in Exercise.objects.filter(slug__in=slugs).select_related("chapter__course")
    }
    conflicts = [
        (
            exercise.directory / "exercise.toml",
            f"slug {exercise.slug!r} already belongs to course {other.chapter.course.slug!r}",
        )
        for exercise in content.exercises
        if (other := existing_exercises.get(exercise.slug)) is not None and other.chapter.course_id != course.pk
    ]
    if conflicts:
        raise ContentError(conflicts)  # inside the transaction: nothing stays written

    existing_assignments = {a.slug: a for a in Assignment.objects.filter(slug__in=slugs)}
    refused = []
    for exercise in content.exercises:
        values = exercise.values
        saved = rows.load(
            Exercise,
            existing=existing_exercises.get(exercise.slug),
            lookup={"slug": exercise.slug},
            values={"chapter": chapters[exercise.chapter_number], **values},
            key=content_key(Exercise, exercise.slug),
            label=f"exercise {exercise.slug}",
            result=result,
        )
        existing_assignment = existing_assignments.get(exercise.slug)
        assignment_values = {"course": course, "exercise": saved, "kind": Assignment.Kind.CODING,
                             "points": values["points"], "attempt_limit": exercise.attempt_limit}  # fmt: skip
        # Dates and late policy are the instructor's, set in admin: left alone; so is publication
        # unless the file says it.
        if exercise.published is not None:
            assignment_values["published"] = exercise.published
        rows.load(
            Assignment,
            existing=existing_assignment,
            lookup={"slug": exercise.slug},
            values=assignment_values,
            key=content_key(Assignment, exercise.slug),
            label=f"assignment {exercise.slug}",
            result=result,
            # Only a load that writes the assignment can publish it; a kept one stays as admin left it.
            before_write=lambda existing, exercise=exercise, values=assignment_values: refused.extend(
                _publication_refusals(exercise, existing, values)
            ),
        )
    if refused:
        raise ContentError(refused)  # inside the transaction: nothing stays written
    rows.save()
    return result


def _publication_refusals(exercise: ExerciseContent, existing: Assignment | None, values: dict) -> list[tuple[Path, str]]:
    """An exercise whose checks are known to be wrong is not published by a load either. Unlike
    admin, no self-check is required: loads run without the sandbox, and shipped exercises are
    graded by `check_exercises` and the test suite in CI (review.publishing says more)."""
    from review.publishing import exercise_publish_blockers

    will_publish = values.get("published", True if existing is None else existing.published)
    if not will_publish or (existing is not None and existing.published):
        return []
    return [(exercise.directory / "exercise.toml", blocker) for blocker in exercise_publish_blockers(exercise=values["exercise"])]
