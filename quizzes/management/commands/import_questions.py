"""`manage.py import_questions FILE --course SLUG --quiz SLUG [--format gift|moodle-xml] [--json]`.

All or nothing (quizzes.importing): a file with any problem imports nothing,
and the command lists every problem with its line or question and exits 1.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from quizzes.importing import EXTENSIONS, FORMATS, format_for_filename, quiz_questions_import

# What a question bank may weigh: far above any real one (1,000 questions of
# GIFT are about 300 KiB), low enough that a wrong file is refused at once.
MAX_FILE_BYTES = 20 * 1024 * 1024


# Bidirectional overrides reorder what a terminal shows; isprintable() lets them through.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown(text: str) -> str:
    """Text from the file as a terminal may show it: control and bidi characters as escapes."""
    return "".join(c if c in "\n\t" or (c.isprintable() and c not in _BIDI) else f"\\u{ord(c):04x}" for c in text)


class Command(BaseCommand):
    help = (
        "Import the questions of a GIFT or Moodle XML file into a course's quiz, creating the quiz (and its unpublished "
        "assignment, worth what its questions total) when missing; an existing quiz's assignment keeps its points. "
        "A question whose key is already in the quiz is updated. "
        "Any problem imports nothing and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the GIFT (.gift, .txt) or Moodle XML (.xml) file")
        parser.add_argument("--course", required=True, help="the course's slug")
        parser.add_argument("--quiz", required=True, help="the quiz's slug (created when missing)")
        parser.add_argument("--format", choices=FORMATS, help="instead of guessing from the file's extension")
        parser.add_argument("--json", action="store_true", help='print {"imported": N, "errors": [...], ...}')

    def handle(self, *args, file, course, quiz, format, **options):
        as_json = options["json"]
        path = Path(file)
        result = None
        errors = []
        format = format or format_for_filename(path.name)
        target = Course.objects.filter(slug=course).first()
        if format is None:
            errors.append(
                f"cannot tell the format from {path.name!r} (known extensions: {', '.join(EXTENSIONS)}): "
                "give --format gift or --format moodle-xml"
            )
        if target is None:
            errors.append(f"no course with the slug {course!r}")
        raw = None if errors else self._read(path, errors)
        if raw is not None:
            result = quiz_questions_import(course=target, quiz_slug=quiz, text=raw, format=format)
            errors = list(result.errors)
        if as_json:
            data = result.as_dict() if result is not None else {"imported": 0, "errors": errors}
            self.stdout.write(json.dumps(data, ensure_ascii=True))
        elif not errors:
            verb = "created with" if result.quiz_created else "now has"
            self.stdout.write(
                f"{result.imported} questions imported into {quiz} ({result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged); "
                f"the quiz {verb} {result.quiz.questions.count()} questions."
            )
            note = result.points_note()
            if note:
                self.stdout.write(f"{result.quiz.slug}: {note[0]}.")
            for note in result.skipped:
                self.stdout.write(f"skipped: {shown(note)}")
        if errors:
            if not as_json:
                for error in errors:
                    self.stderr.write(shown(error))
            raise CommandError(f"nothing imported: {len(errors)} problem(s)", returncode=1)

    def _read(self, path: Path, errors: list):
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                errors.append(f"{path.name} is {size} bytes; at most {MAX_FILE_BYTES} are imported")
                return None
            # Bytes: Moodle XML declares its own encoding; GIFT is decoded as UTF-8.
            return path.read_bytes()
        except OSError as error:
            errors.append(f"cannot read {path}: {error.strerror or error}")
            return None
