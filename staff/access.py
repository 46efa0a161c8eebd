"""Who may open a course's staff pages: its instructors and teaching assistants.

The one access function every staff view uses. Anyone else (a student, an
instructor of another course, a stranger) finds no such course: 404, the
same answer as for a slug that does not exist, so the pages reveal nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from courses.models import Course, Enrollment
from courses.selectors import STAFF_ROLES


@dataclass(frozen=True)
class StaffedCourse:
    course: Course
    role: str  # Enrollment.Role.INSTRUCTOR or TEACHING_ASSISTANT; INSTRUCTOR for a superuser


def course_get_for_staff(*, user: AbstractBaseUser, slug: str) -> StaffedCourse:
    """The course `slug` if `user` is on its teaching staff (or a superuser); Http404 otherwise. One query."""
    if not user.is_authenticated:
        raise Http404
    if user.is_superuser:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise Http404
        return StaffedCourse(course, Enrollment.Role.INSTRUCTOR)
    enrollment = (
        Enrollment.objects.filter(user_id=user.pk, course__slug=slug, role__in=STAFF_ROLES)
        .select_related("course")
        .first()
    )
    if enrollment is None:
        raise Http404
    return StaffedCourse(enrollment.course, enrollment.role)
