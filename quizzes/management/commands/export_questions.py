"""`manage.py export_questions --quiz SLUG --format gift|moodle-xml [--output FILE]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importing import FORMATS, quiz_questions_export
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Write a quiz's questions as GIFT or Moodle XML, to stdout or --output; import_questions reads them back."

    def add_arguments(self, parser):
        parser.add_argument("--quiz", required=True, help="the quiz's slug")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", help="a file to write instead of stdout")

    def handle(self, *args, quiz, format, output, **options):
        found = Quiz.objects.filter(slug=quiz).first()
        if found is None:
            raise CommandError(f"no quiz with the slug {quiz!r}")
        text = quiz_questions_export(quiz=found, format=format)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror or error}") from None
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
