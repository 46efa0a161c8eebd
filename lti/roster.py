"""NRPS roster sync: the LMS context's members become local accounts and enrollments with their roles.

Idempotent: an identity is found by (issuer, sub), a user made once, an
enrollment's role set to what the LMS says now. Members the LMS marks
Inactive or Deleted are left as they are here (their grades stay), and
members with no role we know are skipped; both are counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses.models import Enrollment
from lti.adapter import nrps_member_pages
from lti.models import LtiContext, LtiIdentity
from lti.roles import lti_course_role
from lti.services import lti_username, profile_from_claims


class RosterUnavailable(Exception):
    pass


@dataclass
class RosterSyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    pages: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _member_apply(*, issuer: str, course_id: int, member: dict, result: RosterSyncResult) -> None:
    sub = member.get("user_id")
    role = lti_course_role(roles=member.get("roles") if isinstance(member.get("roles"), list) else [])
    if not isinstance(sub, str) or not sub or len(sub) > 255 or role is None or member.get("status", "Active") != "Active":
        result.skipped += 1
        return
    profile = profile_from_claims(
        given_name=str(member.get("given_name") or ""), family_name=str(member.get("family_name") or ""),
        name=str(member.get("name") or ""), email=str(member.get("email") or ""),
    )  # fmt: skip
    User = get_user_model()
    with transaction.atomic():
        identity = LtiIdentity.objects.select_related("user").filter(issuer=issuer, sub=sub).first()
        if identity is None:
            user = User(username=lti_username(issuer=issuer, sub=sub), **profile)
            user.set_unusable_password()  # this account signs in only through its LMS
            user.save()
            LtiIdentity.objects.create(user=user, issuer=issuer, sub=sub)
            created = True
        else:
            user, created = identity.user, False
            changed = [name for name, value in profile.items() if value and getattr(user, name) != value]
            for name in changed:
                setattr(user, name, profile[name])
            if changed:
                user.save(update_fields=changed)
        enrollment, new_enrollment = Enrollment.objects.get_or_create(
            user=user, course_id=course_id, defaults={"role": role}
        )
        role_changed = not new_enrollment and enrollment.role != role
        if role_changed:
            Enrollment.objects.filter(pk=enrollment.pk).update(role=role)
    if created:
        result.created += 1
    elif new_enrollment or role_changed or changed:
        result.updated += 1
    else:
        result.unchanged += 1


def lti_roster_sync(*, context_pk: int) -> RosterSyncResult:
    """Read every page of the context's membership service; raises RosterUnavailable when it has none."""
    context = LtiContext.objects.select_related("deployment__registration").get(pk=context_pk)
    if not context.memberships_url:
        raise RosterUnavailable("This context's launches carried no membership service URL.")
    registration = context.deployment.registration
    result = RosterSyncResult()
    for members in nrps_member_pages(registration=registration, memberships_url=context.memberships_url):
        result.pages += 1
        for member in members:
            _member_apply(issuer=registration.issuer, course_id=registration.course_id, member=member, result=result)
    LtiContext.objects.filter(pk=context.pk).update(roster_synced_at=timezone.now())
    return result
