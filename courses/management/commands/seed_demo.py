"""Demo accounts for trying the service locally: never in production.

Every password equals its username, so the command refuses to run unless
DEBUG is on. Running it again resets the passwords and enrollments it manages
and creates nothing twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.models import Course, Enrollment

SAMPLE_COURSE_SLUG = "llm-foundations"


class Command(BaseCommand):
    help = "Create demo logins student1..N (password = username) and `teacher`, enrolled in the sample course. DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=5, help="How many students (default 5).")
        parser.add_argument("--course", default=SAMPLE_COURSE_SLUG, help=f"Course slug (default {SAMPLE_COURSE_SLUG}).")

    def handle(self, *args, students, course, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts whose password is their username; it runs only with DEBUG on. "
                "seed_demo 创建的账号密码与用户名相同，只能在 DEBUG 模式下运行。"
            )
        if students < 0:
            raise CommandError("--students must be 0 or more.")
        try:
            the_course = Course.objects.get(slug=course)
        except Course.DoesNotExist:
            raise CommandError(
                f"There is no course '{course}'. Run `manage.py seed_course` first. "
                f"课程“{course}”不存在，请先运行 `manage.py seed_course`。"
            ) from None

        logins = [("teacher", Enrollment.Role.INSTRUCTOR)]
        logins += [(f"student{number}", Enrollment.Role.STUDENT) for number in range(1, students + 1)]
        with transaction.atomic():
            for username, role in logins:
                self._account_ensure(username=username, role=role, course=the_course)

        self._coding_submissions_seed(course=the_course, usernames=[name for name, role in logins if role == Enrollment.Role.STUDENT])
        attempts = self._quiz_attempts_ensure(course=the_course, usernames=[u for u, r in logins if r == Enrollment.Role.STUDENT])

        self.stdout.write(f"Demo logins for {the_course.slug} (password = username):")
        for username, role in logins:
            self.stdout.write(f"  {username:<12} {role}")

    def _coding_submissions_seed(self, *, course: Course, usernames: list[str]) -> None:
        """Graded coding submissions for the demo students (right, known mistakes, late): see courses.demo_coding."""
        from courses.demo_coding import demo_coding_submissions_seed

        students = list(get_user_model().objects.filter(username__in=usernames).order_by("username"))
        made = demo_coding_submissions_seed(course=course, students=students)
        self.stdout.write(f"{made} demo submissions graded · 已评分演示提交 {made} 份")
    def _quiz_attempts_ensure(self, *, course: Course, usernames: list[str]) -> int:
        # Submitted through the quiz services, as a student's page would: grades follow.
        from quizzes.demo import demo_quiz_attempts_ensure

        students = list(get_user_model().objects.filter(username__in=usernames))
        students.sort(key=lambda user: usernames.index(user.username))
        made = demo_quiz_attempts_ensure(course=course, students=students)
        if made:
            self.stdout.write(f"Quiz attempts submitted for the demo students · 演示学生的测验作答: {made}")
        return made

    @staticmethod
    def _account_ensure(*, username: str, role: str, course: Course) -> None:
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(username)
        user.is_active = True
        # The demo instructor uses admin, scoped to the courses they teach (courses.admin_scoping).
        user.is_staff = role == Enrollment.Role.INSTRUCTOR
        user.save()
        # A rerun also fixes a role changed by hand since: the demo is what it says.
        Enrollment.objects.update_or_create(user=user, course=course, defaults={"role": role})
