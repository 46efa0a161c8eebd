"""`manage.py check_exercises`: every reference solution earns full marks, every known mistake is caught."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grader.exercise_verification import exercise_check_mistakes, exercise_check_reference
from grader.models import Exercise, new_seed

# With --mutants: are the checks strong enough? Mutants of each reference must be caught.
from grader.mutation.equivalents import EquivalentsError, equivalents_read
from grader.mutation.runner import MINIMUM_SCORE, MUTATION_SEED, exercise_mutation_report


class Command(BaseCommand):
    help = (
        "Grade each exercise's reference solution (it must earn full marks) and the known-wrong solutions in "
        "content/exercises/<slug>/mistakes/ (each must lose points and be named). With --mutants, also grade the "
        "mutants of each reference: the mutation score (killed / mutants not marked equivalent in mutants.toml) "
        f"must be at least {MINIMUM_SCORE:.0%}. Exits 1 if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="exercises to check (default: all)")
        parser.add_argument("--seeds", type=int, default=3, help="how many random seeds to try the reference on")
        parser.add_argument(
            "--content-dir",
            default=str(settings.BASE_DIR / "content" / "exercises"),
            help="where the known-wrong solutions and mutants.toml live, one folder per exercise slug",
        )
        parser.add_argument("--mutants", action="store_true", help="also grade the mutants of each reference solution")
        parser.add_argument("--mutation-seed", type=int, default=MUTATION_SEED, help="the seed every mutant is graded with")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object per exercise, one per line")

    def handle(self, *args, slugs, seeds, content_dir, mutants, mutation_seed, as_json, **options):
        exercises = Exercise.objects.order_by("slug")
        if slugs:
            exercises = exercises.filter(slug__in=slugs)
            missing = set(slugs) - set(exercises.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown exercise(s): {', '.join(sorted(missing))}")
        failures = 0
        for exercise in exercises:
            result = self._check(exercise, Path(content_dir) / exercise.slug, seeds, mutants, mutation_seed)
            failures += not result["ok"]
            self.stdout.write(_json_line(result) if as_json else self._text(result))
        if failures:
            raise CommandError(f"{failures} exercise(s) failed their checks")

    def _check(self, exercise, exercise_dir: Path, seeds: int, mutants: bool, mutation_seed: int) -> dict:
        checks = [exercise_check_reference(exercise=exercise, seeds=[new_seed() for _ in range(seeds)])]
        mistakes_dir = exercise_dir / "mistakes"
        if mistakes_dir.is_dir():
            checks.append(exercise_check_mistakes(exercise=exercise, directory=mistakes_dir))
        problems = [problem for check in checks for problem in check.problems]
        result = {"slug": exercise.slug, "ok": True, "runs": sum(check.runs for check in checks), "problems": problems}
        if mutants:
            try:
                equivalents = equivalents_read(exercise_dir=exercise_dir)
            except EquivalentsError as exc:
                problems.append(str(exc))
            else:
                report = exercise_mutation_report(exercise=exercise, equivalents=equivalents, seed=mutation_seed)
                result["runs"] += report.total - report.count("equivalent")
                result["mutants"] = report.as_dict()
                if report.score < MINIMUM_SCORE:
                    problems.append(
                        f"mutation score {report.score:.1%} is below {MINIMUM_SCORE:.0%}: "
                        f"{report.count('survived')} mutant(s) survived; add a check that kills each, "
                        "or mark it in mutants.toml with the reason it is equivalent"
                    )
        result["ok"] = not problems
        return result

    def _text(self, result: dict) -> str:
        mark = self.style.SUCCESS("ok  ") if result["ok"] else self.style.ERROR("FAIL")
        lines = [f"{mark} {result['slug']} ({result['runs']} gradings)"]
        lines += [f"     {problem}" for problem in result["problems"]]
        mutation = result.get("mutants")
        if mutation:
            lines.append(
                f"     mutants: {mutation['total']} total, {mutation['killed']} killed, {mutation['survived']} survived, "
                f"{mutation['equivalent']} equivalent, {mutation['errors']} errors; "
                f"mutation score {mutation['score']:.1%} (seed {mutation['seed']})"
            )
            for survivor in mutation["survivors"]:
                lines.append(f"     survived {survivor['id']}: {survivor['description']}")
                lines += ["         " + line for line in survivor["diff"].splitlines()]
            for errored in mutation["errored"]:
                lines.append(f"     error    {errored['id']}: {errored['description']}: {errored['reason']}")
            if mutation["stale_marks"]:
                lines.append(f"     mutants.toml marks ids no mutant has any more: {', '.join(mutation['stale_marks'])}")
        return "\n".join(lines)


def _json_line(result: dict) -> str:
    return json.dumps(result, sort_keys=True)
