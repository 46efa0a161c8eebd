"""`manage.py regrade (--submission ID | --exercise SLUG [--student USERNAME] [--outdated]) [--dry-run] [--json]`."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from grader.models import Exercise, Submission
from grader.services.regrades import regrade_request_create, regrade_scope


class Command(BaseCommand):
    help = (
        "Grade submissions again with the exercise's current checks, behind live submissions: one submission, "
        "one student's on an exercise, a whole exercise, or (--outdated) those graded under older checks. "
        "Asking twice while a regrade is pending grades once. 重新评分：排在学生的实时提交之后。"
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--submission", type=int, help="one submission, by id")
        which.add_argument("--exercise", help="every graded submission of this exercise (slug)")
        parser.add_argument("--student", help="with --exercise: only this student's (username)")
        parser.add_argument("--outdated", action="store_true", help="with --exercise: only those graded under older checks")
        parser.add_argument("--reason", default="", help="why, shown to staff with the progress")
        parser.add_argument("--dry-run", action="store_true", help="say how many it covers; queue nothing")
        parser.add_argument("--json", action="store_true", help='print one object: {"submissions": N, "queued": M, ...}')

    def handle(self, *args, submission, exercise, student, outdated, reason, dry_run, **options):
        if submission is not None and (student or outdated):
            raise CommandError("--student and --outdated go with --exercise · --student 与 --outdated 需配合 --exercise 使用")
        if submission is not None:
            found = Submission.objects.select_related("exercise").filter(pk=submission).first()
            if found is None:
                raise CommandError(f"no submission {submission} · 不存在编号为 {submission} 的提交")
            target = found.exercise
            scope = f"submission {submission}"
        else:
            target = Exercise.objects.filter(slug=exercise).first()
            if target is None:
                raise CommandError(f"no exercise {exercise!r} · 不存在练习 {exercise!r}")
            scope = f"exercise {target.slug}"
        user = None
        if student:
            user = get_user_model().objects.filter(username=student).first()
            if user is None:
                raise CommandError(f"no user {student!r} · 不存在用户 {student!r}")
            scope += f", student {student}"
        if outdated:
            scope += ", graded under older checks"
        plan = regrade_request_create(
            submissions=regrade_scope(exercise=target, submission_id=submission, student=user, outdated=outdated),
            exercise=target,
            scope=scope,
            requested_by=None,
            reason=reason or "manage.py regrade",
            dry_run=dry_run,
        )
        result = {
            "submissions": plan.submissions,
            "queued": plan.queued,
            "dry_run": dry_run,
            "regrade_request": plan.request.pk if plan.request else None,
            "scope": scope,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        verb = "would cover" if dry_run else "covers"
        self.stdout.write(
            f"{scope}: {verb} {plan.submissions} submission(s), {plan.queued} queued for regrading"
            f" · 涉及 {plan.submissions} 份提交，{plan.queued} 份已排队重新评分"
            + (f" (request #{plan.request.pk})" if plan.request else "")
        )
