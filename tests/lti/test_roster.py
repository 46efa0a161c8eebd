"""NRPS roster sync against lti1p3platform's membership service, paged through its `next` links."""

import pytest

from courses.models import Enrollment
from lti.models import LtiContext, LtiIdentity
from lti.roster import RosterUnavailable, lti_roster_sync
from lti.services import lti_username
from lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, launch

pytestmark = pytest.mark.django_db


def _member(sub, *roles, status="Active", **extra):
    return {"user_id": sub, "roles": list(roles), "status": status, "name": f"Name {sub}", **extra}


@pytest.fixture
def context(client, lms, lms_registration):
    """A context known from one learner's launch, whose roster service pages 2 members at a time."""
    launch(client, lms, extra=lms.placement_claims(memberships_limit=2))
    from lti.keys import tool_jwks

    lms.trust_tool_keys(tool_jwks())
    return LtiContext.objects.get()


def _roles(lms):
    return {
        identity.sub: Enrollment.objects.get(user=identity.user, course=lms_course()).role
        for identity in LtiIdentity.objects.select_related("user")
    }


def lms_course():
    from courses.models import Course

    return Course.objects.get(slug="llm-foundations")


def test_every_page_is_read_and_each_role_mapped(lms, context):
    lms.members = [
        _member("student-42", LEARNER, given_name="Lin", family_name="Wei"),  # as the launch said: unchanged
        _member("s-2", LEARNER, given_name="Mei", family_name="Chen", email="mei@example.edu"),
        _member("t-1", INSTRUCTOR),
        _member("ta-1", INSTRUCTOR, TEACHING_ASSISTANT),
        _member("s-3", "Learner"),
    ]
    result = lti_roster_sync(context_pk=context.pk)
    assert result.pages == 3  # 2 + 2 + 1, through two `next` links
    assert (result.created, result.updated, result.unchanged, result.skipped) == (4, 0, 1, 0)
    assert _roles(lms) == {"student-42": "student", "s-2": "student", "t-1": "instructor", "ta-1": "ta", "s-3": "student"}
    mei = LtiIdentity.objects.get(sub="s-2").user
    assert (mei.username, mei.first_name, mei.last_name, mei.email) == (
        lti_username(issuer=lms.issuer, sub="s-2"), "Mei", "Chen", "mei@example.edu",
    )  # fmt: skip
    assert not mei.has_usable_password()
    context.refresh_from_db()
    assert context.roster_synced_at is not None


def test_a_second_sync_changes_nothing_and_a_role_change_is_followed(lms, context):
    lms.members = [_member("s-2", LEARNER), _member("t-1", INSTRUCTOR)]
    lti_roster_sync(context_pk=context.pk)
    counts = (LtiIdentity.objects.count(), Enrollment.objects.count())
    again = lti_roster_sync(context_pk=context.pk)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (LtiIdentity.objects.count(), Enrollment.objects.count()) == counts
    lms.members = [_member("s-2", TEACHING_ASSISTANT), _member("t-1", INSTRUCTOR)]
    assert lti_roster_sync(context_pk=context.pk).updated == 1
    assert _roles(lms)["s-2"] == "ta"


def test_inactive_members_and_unknown_roles_are_skipped(lms, context):
    lms.members = [
        _member("gone", LEARNER, status="Inactive"),
        _member("observer", "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"),
        _member("s-2", LEARNER),
    ]
    result = lti_roster_sync(context_pk=context.pk)
    assert (result.created, result.skipped) == (1, 2)
    assert not LtiIdentity.objects.filter(sub__in=["gone", "observer"]).exists()


def test_the_lms_down_leaves_the_roster_as_it_was(lms, context):
    from lti.adapter import ServiceUnavailable

    lms.members = [_member("s-2", LEARNER)]
    lms.down = True
    before = (LtiIdentity.objects.count(), Enrollment.objects.count())
    with pytest.raises(ServiceUnavailable):
        lti_roster_sync(context_pk=context.pk)
    assert (LtiIdentity.objects.count(), Enrollment.objects.count()) == before


def test_a_context_without_a_membership_service_says_so(context):
    LtiContext.objects.update(memberships_url="")
    with pytest.raises(RosterUnavailable):
        lti_roster_sync(context_pk=context.pk)


# --- the admin action ------------------------------------------------------------------


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


def test_a_superuser_starts_a_sync_from_the_context_page(client, context, superuser):
    client.force_login(superuser)
    assert client.get("/admin/lti/lticontext/").status_code == 200
    assert client.get(f"/admin/lti/lticontext/{context.pk}/change/").status_code == 200
    response = client.post("/admin/lti/lticontext/", {"action": "sync_roster", "_selected_action": [context.pk]},
                           follow=True)
    assert "Roster sync started for 1 context(s)" in response.content.decode()


@pytest.mark.parametrize("role", [Enrollment.Role.INSTRUCTOR, Enrollment.Role.TEACHING_ASSISTANT, Enrollment.Role.STUDENT])
def test_course_staff_and_students_cannot_see_contexts_or_the_outbox(client, context, django_user_model, role):
    user = django_user_model.objects.create_user(username=f"u-{role}", password="x", is_staff=True)
    Enrollment.objects.create(user=user, course=lms_course(), role=role)
    client.force_login(user)
    for page in ("/admin/lti/lticontext/", f"/admin/lti/lticontext/{context.pk}/change/", "/admin/lti/agsscoreoutbox/"):
        assert client.get(page).status_code == 403
    response = client.post("/admin/lti/lticontext/", {"action": "sync_roster", "_selected_action": [context.pk]})
    assert response.status_code == 403


def test_the_outbox_page_is_read_only_for_a_superuser(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/lti/agsscoreoutbox/").status_code == 200
    assert client.get("/admin/lti/agsscoreoutbox/add/").status_code == 403


def test_a_next_page_in_a_link_header_is_followed_with_its_case_kept():
    from lti.adapter import _next_link

    headers = {"Content-Type": "application/json",
               "link": '<https://lms.example.edu/api/Members?Page=2&Token=AbC>; rel="next", <https://x/1>; rel="first"'}
    assert _next_link(headers) == "https://lms.example.edu/api/Members?Page=2&Token=AbC"
    assert _next_link({"Link": '<https://x/1>; rel="first"'}) is None
    assert _next_link({}) is None
