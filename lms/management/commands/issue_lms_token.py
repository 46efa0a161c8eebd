from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from lms.tokens import LmsTokenInvalid, lms_scopes_parse, lms_token_issue


class Command(BaseCommand):
    help = (
        "Issue an LMS token for one course with the given scopes (grades:read, roster:read, assignments:read). "
        "The token is printed once, alone on the last line; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="The course's slug.")
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. grades:read,roster:read")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="Days until it expires (default: never).")
        parser.add_argument("--name", default="", help="Who uses it (default: 'issued by manage.py').")

    def handle(self, *args, course, scopes, expires, name, **options):
        try:
            target = Course.objects.get(slug=course)
        except Course.DoesNotExist:
            raise CommandError(f"There is no course '{course}'. · 没有课程“{course}”。") from None
        try:
            issued = lms_token_issue(
                course=target,
                scopes=lms_scopes_parse(scopes),
                name=name or "issued by manage.py",
                expires_in_days=expires,
            )
        except LmsTokenInvalid as exc:
            raise CommandError(f"{exc.message} · {exc.message_zh}") from None
        row = issued.row
        expiry = row.expires_at.isoformat() if row.expires_at else "never"
        self.stdout.write(
            f"LMS token {row.pk} for {target.slug}, scopes {','.join(row.scopes)}, expires {expiry}. "
            "It is shown only now: store it as a secret."
        )
        self.stdout.write(issued.token)
