"""`manage.py check_exercises`: every reference solution earns full marks, every known mistake is caught."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grader.exercise_verification import exercise_check_mistakes, exercise_check_reference
from grader.models import Exercise, new_seed


class Command(BaseCommand):
    help = (
        "Grade each exercise's reference solution (it must earn full marks) and the known-wrong solutions in "
        "content/exercises/<slug>/mistakes/ (each must lose points and be named). Exits 1 if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="exercises to check (default: all)")
        parser.add_argument("--seeds", type=int, default=3, help="how many random seeds to try the reference on")
        parser.add_argument(
            "--content-dir",
            default=str(settings.BASE_DIR / "content" / "exercises"),
            help="where the known-wrong solutions live, one folder per exercise slug",
        )

    def handle(self, *args, slugs, seeds, content_dir, **options):
        exercises = Exercise.objects.order_by("slug")
        if slugs:
            exercises = exercises.filter(slug__in=slugs)
            missing = set(slugs) - set(exercises.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown exercise(s): {', '.join(sorted(missing))}")
        failures = 0
        for exercise in exercises:
            checks = [exercise_check_reference(exercise=exercise, seeds=[new_seed() for _ in range(seeds)])]
            mistakes_dir = Path(content_dir) / exercise.slug / "mistakes"
            if mistakes_dir.is_dir():
                checks.append(exercise_check_mistakes(exercise=exercise, directory=mistakes_dir))
            problems = [problem for check in checks for problem in check.problems]
            runs = sum(check.runs for check in checks)
            if problems:
                failures += 1
                self.stdout.write(self.style.ERROR(f"FAIL {exercise.slug} ({runs} gradings)"))
                for problem in problems:
                    self.stdout.write(f"     {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"ok   {exercise.slug} ({runs} gradings)"))
        if failures:
            raise CommandError(f"{failures} exercise(s) failed their checks")
