"""The known-wrong solutions an exercise ships: files in its content folder, not rows.

Mutation reports grade them; a reference check's fingerprint covers them, so a
check made before one was added or changed is out of date.
"""

from pathlib import Path


def exercise_content_directory(*, exercise) -> Path | None:
    """The exercise's folder in the shipped content, where its mutants.toml and known-wrong solutions are."""
    from courses.services import SAMPLE_CONTENT_DIRECTORY

    directory = SAMPLE_CONTENT_DIRECTORY / "exercises" / exercise.slug
    return directory if directory.is_dir() else None


def exercise_known_wrong_solutions(*, exercise) -> list[tuple[str, str, str]]:
    """(file name, mistake named, code) of each known-wrong solution the exercise ships, by file name."""
    from grader.exercise_validation import mistake_declared

    directory = exercise_content_directory(exercise=exercise)
    if directory is None or not (directory / "mistakes").is_dir():
        return []
    rows = []
    for path in sorted((directory / "mistakes").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        rows.append((path.name, mistake_declared(code) or "", code))
    return rows
