"""LTI 1.3 roles (core spec, appendix A.2) as this service's course roles: one rule for launches and rosters."""

from courses.models import Enrollment

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
# the short forms some platforms send beside the URIs
_TEACHING_ASSISTANT = {f"{_MEMBERSHIP}/Instructor#TeachingAssistant", "TeachingAssistant"}
_INSTRUCTOR = {f"{_MEMBERSHIP}#Instructor", "Instructor"}
_LEARNER = {f"{_MEMBERSHIP}#Learner", "Learner"}


def lti_course_role(*, roles) -> str | None:
    """TeachingAssistant -> ta, Instructor -> instructor, Learner -> student; None for anything else.

    A TA is checked first: platforms (Canvas among them) send a TA both the
    Instructor role and its TeachingAssistant sub-role, and the sub-role is
    the one that says what they may do.
    """
    given = {str(role) for role in roles}
    if given & _TEACHING_ASSISTANT:
        return Enrollment.Role.TEACHING_ASSISTANT
    if given & _INSTRUCTOR:
        return Enrollment.Role.INSTRUCTOR
    if given & _LEARNER:
        return Enrollment.Role.STUDENT
    return None
