"""What an accepted launch does: find the assignment, the account, the enrollment, and spend the nonce.

A resource-link launch lands on a quiz or an exercise and records where the
LMS wants its scores (the AGS endpoint) for that placement; a deep-linking
launch lets an instructor pick assignments to place. Every check that can
refuse runs before the first write, and the writes share one transaction, so a
refused launch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, slug_re, validate_email
from django.db import IntegrityError, transaction

from courses.models import Assignment, Enrollment
from lti.adapter import LaunchClaims, LaunchRefused
from lti.models import ConsumedNonce, LtiContext, LtiIdentity, LtiResourceLink, PlatformDeployment, PlatformRegistration
from lti.roles import lti_course_role

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

# /exercises/<slug>/ or /quizzes/<slug>/: the kind the path names, and the slug
_TARGET_PATH = re.compile(r"^/(exercises|quizzes)/([-a-zA-Z0-9_]+)/?$")
_KIND_OF_PATH = {"exercises": Assignment.Kind.CODING, "quizzes": Assignment.Kind.QUIZ}
# custom parameters a placement may carry; `assignment` is what deep linking writes
_KIND_OF_CUSTOM = {"assignment": None, "exercise": Assignment.Kind.CODING, "quiz": Assignment.Kind.QUIZ}


def launch_role(*, roles: tuple[str, ...]) -> str:
    """The course role for the launch's LTI roles; refused when it has none we know."""
    role = lti_course_role(roles=roles)
    if role is None:
        raise LaunchRefused("unsupported_role", ", ".join(roles)[:200])
    return role


def launch_target(*, claims: LaunchClaims) -> tuple[str, str | None]:
    """The slug the launch names and the kind it expects (None: either).

    A custom parameter (`assignment`, `exercise` or `quiz`) wins over the
    target_link_uri's path (/exercises/<slug>/ or /quizzes/<slug>/).
    """
    for name, kind in _KIND_OF_CUSTOM.items():
        value = claims.custom.get(name)
        if value:
            return str(value), kind
    match = _TARGET_PATH.match(urlsplit(claims.target_link_uri).path)
    if match is None:
        raise LaunchRefused("no_target", claims.target_link_uri[:200])
    return match.group(2), _KIND_OF_PATH[match.group(1)]


def _launch_assignment(*, registration: PlatformRegistration, slug: str, kind: str | None, role: str) -> Assignment:
    """The assignment if it is in the registration's course, of the expected kind, and the role may open it."""
    if not slug_re.match(slug):
        raise LaunchRefused("no_target", slug[:200])
    assignments = Assignment.objects.filter(slug=slug, course_id=registration.course_id)
    if kind is not None:
        assignments = assignments.filter(kind=kind)
    if role == Enrollment.Role.STUDENT:
        # the rule of grader.selectors.exercises_visible_to, which needs an account we have not made yet
        assignments = assignments.filter(published=True)
    assignment = assignments.select_related("exercise", "quiz").first()
    if assignment is None:
        raise LaunchRefused("no_target", slug)
    return assignment


_url_valid = URLValidator(schemes=["http", "https"])


def _service_url(value) -> str:
    """A service URL from a claim, or "" for anything that is not one (it is stored, then called by a worker)."""
    if not isinstance(value, str) or len(value) > 500:
        return ""
    try:
        _url_valid(value)
    except ValidationError:
        return ""
    return value


def _placement_record(*, registration: PlatformRegistration, claims: LaunchClaims, assignment: Assignment) -> None:
    """Where this placement's scores go: the context (and its roster service) and the link's AGS endpoint."""
    if not claims.context_id or not claims.resource_link_id:
        return
    deployment = PlatformDeployment.objects.get(registration=registration, deployment_id=claims.deployment_id)
    context, _ = LtiContext.objects.get_or_create(deployment=deployment, context_id=claims.context_id[:255])
    changed = {
        name: value
        for name, value in (("title", claims.context_title[:255]), ("memberships_url", _service_url(claims.memberships_url)))
        if value and getattr(context, name) != value
    }
    if changed:
        LtiContext.objects.filter(pk=context.pk).update(**changed)
    endpoint = claims.ags_endpoint
    scopes = endpoint.get("scope")
    LtiResourceLink.objects.update_or_create(
        context=context,
        resource_link_id=claims.resource_link_id[:255],
        defaults={
            "assignment": assignment,
            "lineitems_url": _service_url(endpoint.get("lineitems")),
            "lineitem_url": _service_url(endpoint.get("lineitem")),
            "ags_scopes": [str(scope)[:200] for scope in scopes][:20] if isinstance(scopes, list) else [],
        },
    )


def lti_username(*, issuer: str, sub: str) -> str:
    """A username no claim can choose: a hash of issuer and sub, so 'admin' in a claim is just a name."""
    return "lti-" + hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:20]


def profile_from_claims(*, given_name: str, family_name: str, name: str, email: str) -> dict:
    """first_name, last_name and email for a user, from what an LMS says of them (a launch or a roster)."""
    first, last = given_name, family_name
    if not first and not last and name:
        first = name
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    return {"first_name": first[:150], "last_name": last[:150], "email": email[:254]}


def _account_for(*, claims: LaunchClaims):
    identity = LtiIdentity.objects.select_related("user").filter(issuer=claims.issuer, sub=claims.sub).first()
    profile = profile_from_claims(
        given_name=claims.given_name, family_name=claims.family_name, name=claims.name, email=claims.email
    )
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


@dataclass(frozen=True)
class LaunchAccepted:
    user: object
    assignment: Assignment | None  # a resource-link launch's target
    deep_linking: dict | None  # a deep-linking launch's settings, for the picking page


def lti_launch_accept(*, claims: LaunchClaims) -> LaunchAccepted:
    """The local user for a validated launch, enrolled with the launch's role; and what the launch is for.

    Raises LaunchRefused (nothing written) for another message type, an
    unsupported role, a target that is not a visible assignment of the
    registration's course, a deep-linking launch by anyone but an instructor,
    or a nonce already spent.
    """
    if claims.message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LaunchRefused("unsupported_message", claims.message_type[:100])
    if not claims.sub:
        raise LaunchRefused("bad_message", "anonymous launch (no sub)")
    registration = PlatformRegistration.objects.get(pk=claims.registration_id)
    role = launch_role(roles=claims.roles)
    assignment = deep_linking = None
    if claims.message_type == DEEP_LINKING_REQUEST:
        if role != Enrollment.Role.INSTRUCTOR:
            raise LaunchRefused("not_instructor", role)
        return_url = _service_url(claims.deep_linking.get("deep_link_return_url"))
        if not return_url:
            raise LaunchRefused("bad_message", "deep linking without a deep_link_return_url")
        deep_linking = {
            "registration_id": registration.pk,
            "course_id": registration.course_id,
            "deployment_id": claims.deployment_id,
            "settings": {
                "deep_link_return_url": return_url,
                "accept_multiple": claims.deep_linking.get("accept_multiple", True) not in (False, "false"),
                **({"data": claims.deep_linking["data"]} if "data" in claims.deep_linking else {}),
            },
        }
    else:
        slug, kind = launch_target(claims=claims)
        assignment = _launch_assignment(registration=registration, slug=slug, kind=kind, role=role)
    with transaction.atomic():
        try:
            with transaction.atomic():  # the first write: a replay stops here, before any account is touched
                ConsumedNonce.objects.create(issuer=claims.issuer, nonce=claims.nonce)
        except IntegrityError as exc:
            raise LaunchRefused("replayed_nonce", "") from exc
        user = _account_for(claims=claims)
        Enrollment.objects.update_or_create(user=user, course_id=registration.course_id, defaults={"role": role})
        if assignment is not None:
            _placement_record(registration=registration, claims=claims, assignment=assignment)
    return LaunchAccepted(user=user, assignment=assignment, deep_linking=deep_linking)
