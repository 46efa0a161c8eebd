"""LTI 1.3 launches from an in-process LMS whose keyset the tool fetches over loopback.

A good launch creates the account, the enrollment and a session and lands on
the exercise; every refused launch answers with the bilingual page and a 4xx
and leaves no user, identity, enrollment or spent nonce behind.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from jwcrypto.jwk import JWK

from courses.models import Assignment, Course, Enrollment
from lti.models import ConsumedNonce, LtiIdentity
from lti.services import lti_username
from lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, launch, login

pytestmark = pytest.mark.django_db

User = get_user_model()


def _counts():
    return (User.objects.count(), LtiIdentity.objects.count(), Enrollment.objects.count(),
            ConsumedNonce.objects.count())


def _assert_refused(response, status, reason, before):
    assert response.status_code == status, response.content[:800]
    page = response.content.decode()
    assert "This LMS launch was refused" in page and "此次 LMS 启动被拒绝" in page
    assert f"<small>{reason}</small>" in page
    assert "_auth_user_id" not in response.wsgi_request.session
    assert _counts() == before


def test_a_learner_launch_creates_account_enrollment_and_session_and_lands_on_the_exercise(client, platform, registration):
    response, _ = launch(client, platform)
    assert response.status_code == 302
    assert response["Location"] == "/exercises/attention/"
    identity = LtiIdentity.objects.get()
    user = identity.user
    assert (identity.issuer, identity.sub) == (platform.issuer, "student-42")
    assert user.username == lti_username(issuer=platform.issuer, sub="student-42")
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name, user.email) == ("Lin", "Wei", "lin.wei@example.edu")
    enrollment = Enrollment.objects.get(user=user)
    assert (enrollment.course, enrollment.role) == (registration.course, Enrollment.Role.STUDENT)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/exercises/attention/").status_code == 200


def test_a_second_launch_reuses_the_account_and_updates_the_name(client, platform, registration):
    launch(client, platform)
    client.logout()
    response, _ = launch(client, platform, extra={"given_name": "Lina"})
    assert response.status_code == 302
    assert User.objects.filter(username__startswith="lti-").count() == 1
    assert User.objects.get(username__startswith="lti-").first_name == "Lina"
    assert ConsumedNonce.objects.count() == 2


def test_the_custom_parameter_names_the_exercise(client, platform, registration):
    response, _ = launch(client, platform, target="http://testserver/lti/launch/", custom={"exercise": "softmax"})
    assert response["Location"] == "/exercises/softmax/"


def test_a_claim_cannot_choose_the_username(client, platform, registration, django_user_model):
    admin = django_user_model.objects.create_superuser(username="admin", password="x")
    response, _ = launch(client, platform, sub="admin", extra={"preferred_username": "admin", "name": "admin"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) != admin.pk
    assert LtiIdentity.objects.get().user.username.startswith("lti-")


def test_an_instructor_launch_gets_the_instructor_role(client, platform, registration):
    Assignment.objects.filter(exercise__slug="attention").update(published=False)  # instructors open unpublished work too
    response, _ = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR, LEARNER))
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=LtiIdentity.objects.get().user)
    assert enrollment.role == Enrollment.Role.INSTRUCTOR
    assert client.get("/exercises/attention/").status_code == 200


@pytest.mark.parametrize("roles", [(TEACHING_ASSISTANT,), (INSTRUCTOR, TEACHING_ASSISTANT), ("TeachingAssistant",)])
def test_a_teaching_assistant_launch_gets_the_ta_role(client, platform, registration, roles):
    # Canvas sends a TA the Instructor role beside the TeachingAssistant sub-role: the sub-role decides
    response, _ = launch(client, platform, sub="ta-1", roles=roles)
    assert response.status_code == 302
    assert Enrollment.objects.get(user=LtiIdentity.objects.get().user).role == Enrollment.Role.TEACHING_ASSISTANT


def test_a_bad_signature_is_refused(client, platform, registration):
    before = _counts()
    forger = JWK.generate(kty="RSA", size=2048)
    response, _ = launch(client, platform, signing_key=forger)
    _assert_refused(response, 403, "bad_signature", before)


def test_an_unknown_issuer_is_refused_at_login(client, platform, registration):
    params = platform.login_params(target_link_uri="http://testserver/exercises/attention/")
    params["iss"] = "https://evil.example.com"
    _assert_refused(client.post("/lti/login/", params), 403, "unknown_registration", _counts())


def test_an_unknown_client_id_is_refused_at_login(client, platform, registration):
    params = platform.login_params(target_link_uri="http://testserver/exercises/attention/")
    params["client_id"] = "someone-else"
    _assert_refused(client.post("/lti/login/", params), 403, "unknown_registration", _counts())


def test_an_unknown_issuer_in_the_id_token_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, extra={"iss": "https://evil.example.com"})
    _assert_refused(response, 403, "unknown_registration", before)


def test_an_unknown_client_id_in_the_id_token_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, extra={"aud": "someone-else"})
    _assert_refused(response, 403, "unknown_registration", before)


def test_an_inactive_registration_is_refused(client, platform, registration):
    registration.is_active = False
    registration.save()
    params = platform.login_params(target_link_uri="http://testserver/exercises/attention/")
    _assert_refused(client.post("/lti/login/", params), 403, "unknown_registration", _counts())


def test_an_unknown_deployment_is_refused_and_not_created(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, deployment_id="deployment-nobody-registered")
    _assert_refused(response, 403, "unknown_deployment", before)
    assert list(registration.deployments.values_list("deployment_id", flat=True)) == [platform.deployment_id]


def test_a_replayed_launch_is_refused(client, platform, registration):
    response, data = launch(client, platform)
    assert response.status_code == 302
    client.logout()
    before = _counts()
    _assert_refused(client.post("/lti/launch/", data), 403, "replayed_nonce", before)


def test_a_nonce_the_tool_never_issued_is_refused(client, platform, registration):
    _, state = login(client, platform)
    before = _counts()
    id_token = platform.id_token(nonce="made-up-by-the-attacker", target_link_uri="http://testserver/exercises/attention/")
    _assert_refused(client.post("/lti/launch/", {"id_token": id_token, "state": state}), 403, "bad_nonce", before)


def test_an_expired_id_token_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, expires_in=-120)
    _assert_refused(response, 403, "expired", before)


def test_a_launch_without_state_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, state="")
    _assert_refused(response, 400, "no_state", before)


def test_a_state_that_does_not_match_the_cookie_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, state="state-forged")
    _assert_refused(response, 403, "bad_state", before)


def test_a_launch_from_another_browser_is_refused(client, platform, registration):
    nonce, state = login(client, platform)
    id_token = platform.id_token(nonce=nonce, target_link_uri="http://testserver/exercises/attention/")
    before = _counts()
    _assert_refused(Client().post("/lti/launch/", {"id_token": id_token, "state": state}), 403, "bad_state", before)


@pytest.mark.parametrize("target", [
    "http://testserver/exercises/no-such-exercise/",
    "http://testserver/somewhere/else/",
])
def test_a_target_that_names_no_exercise_is_refused(client, platform, registration, target):
    before = _counts()
    response, _ = launch(client, platform, target=target)
    _assert_refused(response, 404, "no_target", before)


def test_an_unpublished_exercise_is_refused_to_a_learner(client, platform, registration):
    Assignment.objects.filter(exercise__slug="attention").update(published=False)
    before = _counts()
    response, _ = launch(client, platform)
    _assert_refused(response, 404, "no_target", before)


def test_an_exercise_of_another_course_is_refused(client, platform, registration):
    other = Course.objects.create(slug="other", title_zh="其他", title_en="Other")
    registration.course = other
    registration.save()
    before = _counts()
    response, _ = launch(client, platform)
    _assert_refused(response, 404, "no_target", before)


def test_a_launch_with_no_supported_role_is_refused(client, platform, registration):
    before = _counts()
    response, _ = launch(client, platform, roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",))
    _assert_refused(response, 403, "unsupported_role", before)


def test_a_launch_without_id_token_is_refused(client, platform, registration):
    _, state = login(client, platform)
    _assert_refused(client.post("/lti/launch/", {"state": state}), 400, "bad_message", _counts())


def test_a_login_without_its_parameters_is_refused(client, registration):
    _assert_refused(client.get("/lti/login/"), 400, "bad_login", _counts())


def test_the_launch_accepts_only_post(client, registration):
    assert client.get("/lti/launch/").status_code == 405


def test_the_platform_keyset_is_fetched_once_and_cached(client, platform, registration, keyset_server):
    asked = keyset_server.requests
    launch(client, platform)
    client.logout()
    launch(client, platform, sub="student-43")
    assert keyset_server.requests - asked == 1


def test_an_unreachable_platform_keyset_is_a_502_that_creates_nothing(client, platform, registration):
    registration.keyset_url = "http://127.0.0.1:9/jwks"  # the discard port: nothing listens
    registration.save()
    before = _counts()
    response, _ = launch(client, platform)
    _assert_refused(response, 502, "keyset_unavailable", before)
