"""What an accepted launch does: find the exercise, the account, the enrollment, and spend the nonce.

Every check that can refuse runs before the first write, and the writes share
one transaction, so a refused launch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import slug_re, validate_email
from django.db import IntegrityError, transaction

from courses.models import Enrollment
from grader.models import Exercise
from lti.adapter import LaunchClaims, LaunchRefused
from lti.models import ConsumedNonce, LtiIdentity, PlatformRegistration

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"

# LTI 1.3 role URIs (core section A.2) and the short forms some platforms send.
_INSTRUCTOR_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    "Instructor",
}
_LEARNER_ROLES = {"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "Learner"}

_EXERCISE_PATH = re.compile(r"^/exercises/([-a-zA-Z0-9_]+)/?$")


def launch_role(*, roles: tuple[str, ...]) -> str:
    """Instructor or TA -> instructor (TAs teach with instructors' rights until a TA role exists), Learner -> student."""
    if _INSTRUCTOR_ROLES.intersection(roles):
        return Enrollment.Role.INSTRUCTOR
    if _LEARNER_ROLES.intersection(roles):
        return Enrollment.Role.STUDENT
    raise LaunchRefused("unsupported_role", ", ".join(roles)[:200])


def launch_target_slug(*, claims: LaunchClaims) -> str:
    """The exercise slug the launch names: the custom parameter `exercise`, else the target_link_uri's path."""
    custom = claims.custom.get("exercise")
    if custom:
        return str(custom)
    match = _EXERCISE_PATH.match(urlsplit(claims.target_link_uri).path)
    if match is None:
        raise LaunchRefused("no_target", claims.target_link_uri[:200])
    return match.group(1)


def _launch_exercise(*, registration: PlatformRegistration, slug: str, role: str) -> Exercise:
    """The exercise if it is in the registration's course and the launching role may open it."""
    if not slug_re.match(slug):
        raise LaunchRefused("no_target", slug[:200])
    exercises = Exercise.objects.filter(slug=slug, chapter__course_id=registration.course_id)
    if role == Enrollment.Role.STUDENT:
        # the same rule as grader.selectors.exercises_visible_to, which needs an account we have not made yet
        exercises = exercises.filter(assignment__published=True)
    exercise = exercises.first()
    if exercise is None:
        raise LaunchRefused("no_target", slug)
    return exercise


def lti_username(*, issuer: str, sub: str) -> str:
    """A username no claim can choose: a hash of issuer and sub, so 'admin' in a claim is just a name."""
    return "lti-" + hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:20]


def _profile(claims: LaunchClaims) -> dict:
    first, last = claims.given_name, claims.family_name
    if not first and not last and claims.name:
        first = claims.name
    email = claims.email
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    return {"first_name": first[:150], "last_name": last[:150], "email": email[:254]}


def _account_for(*, claims: LaunchClaims):
    identity = LtiIdentity.objects.select_related("user").filter(issuer=claims.issuer, sub=claims.sub).first()
    profile = _profile(claims)
    if identity is not None:
        user = identity.user
        changed = [name for name, value in profile.items() if value and getattr(user, name) != value]
        for name in changed:
            setattr(user, name, profile[name])
        if changed:
            user.save(update_fields=changed)
        return user
    user = get_user_model()(username=lti_username(issuer=claims.issuer, sub=claims.sub), **profile)
    user.set_unusable_password()  # this account signs in only through its LMS
    user.save()
    LtiIdentity.objects.create(user=user, issuer=claims.issuer, sub=claims.sub)
    return user


def lti_launch_accept(*, claims: LaunchClaims):
    """The local user for a validated resource-link launch, enrolled with the launch's role; and the exercise.

    Raises LaunchRefused (nothing written) for another message type, an
    unsupported role, a target that is not a visible exercise of the
    registration's course, or a nonce already spent.
    """
    if claims.message_type != RESOURCE_LINK_REQUEST:
        raise LaunchRefused("unsupported_message", claims.message_type[:100])
    if not claims.sub:
        raise LaunchRefused("bad_message", "anonymous launch (no sub)")
    registration = PlatformRegistration.objects.get(pk=claims.registration_id)
    role = launch_role(roles=claims.roles)
    exercise = _launch_exercise(registration=registration, slug=launch_target_slug(claims=claims), role=role)
    with transaction.atomic():
        try:
            with transaction.atomic():  # the first write: a replay stops here, before any account is touched
                ConsumedNonce.objects.create(issuer=claims.issuer, nonce=claims.nonce)
        except IntegrityError as exc:
            raise LaunchRefused("replayed_nonce", "") from exc
        user = _account_for(claims=claims)
        Enrollment.objects.update_or_create(user=user, course_id=registration.course_id, defaults={"role": role})
    return user, exercise
