"""Deep linking: an instructor's deep-linking launch, the picker, and the signed answer the LMS verifies.

The LMS side is lti1p3platform's deep-linking response check (our signature
against our keyset, the message type, the content item types) plus the
claims it leaves to the platform (issuer, audience, deployment).
"""

import jwt
import pytest
import requests
from django.test import Client

from courses.models import Assignment, Enrollment
from lti.keys import tool_jwks
from lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def picker(client, lms, lms_registration, quiz_assignment):
    """An instructor's deep-linking launch: the picker's URL in their browser."""
    response, _ = launch(client, lms, sub="teacher-1", roles=(INSTRUCTOR,), target="http://testserver/lti/launch/",
                         extra=lms.deep_linking_claims())
    assert response.status_code == 302 and response["Location"].startswith("/lti/deep-link/")
    return response["Location"]


def _answer(client, picker, *slugs):
    return client.post(picker, {"assignment": list(slugs)})


def _form_fields(page: str) -> tuple[str, str]:
    import re

    action = re.search(r'<form id="lti-deep-link-return" method="post" action="([^"]+)"', page).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    return action, token


def test_the_picker_lists_the_published_quizzes_and_exercises(client, picker):
    Assignment.objects.filter(slug="causal-mask").update(published=False)
    page = client.get(picker).content.decode()
    assert 'value="lti-quiz"' in page and 'value="attention"' in page
    assert 'value="causal-mask"' not in page
    assert "Attention quiz · 注意力测验" in page and "Place assignments in your LMS" in page and "在 LMS 中放置作业" in page


def test_the_answer_places_each_pick_with_a_line_item_and_the_lms_verifies_it(client, lms, picker):
    response = _answer(client, picker, "lti-quiz", "attention")
    assert response.status_code == 200
    assert lms.url in response["Content-Security-Policy"]  # the form may post to the LMS, and only there
    action, token = _form_fields(response.content.decode())
    assert action == lms.url + "/deep-link-return"
    lms.trust_tool_keys(tool_jwks())
    verified = requests.post(action, data={"JWT": token}, timeout=5)
    assert verified.status_code == 200, verified.text
    [placed] = lms.deep_link_returns
    by_resource = {item["lineItem"]["resourceId"]: item for item in placed}
    assert set(by_resource) == {"lti-quiz", "attention"}
    quiz = by_resource["lti-quiz"]
    assert quiz["type"] == "ltiResourceLink"
    assert quiz["url"] == "http://testserver/quizzes/lti-quiz/"
    assert quiz["custom"] == {"assignment": "lti-quiz"}
    assert quiz["lineItem"]["scoreMaximum"] == 8.0 and quiz["lineitem_url"]
    assert by_resource["attention"]["lineItem"]["scoreMaximum"] == float(Assignment.objects.get(slug="attention").points)
    assert quiz["data"] == "opaque-42"  # the request's data comes back
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["iss"] == lms.client_id and claims["aud"] == [lms.issuer]


def test_the_lms_refuses_an_answer_signed_by_another_key(client, lms, picker):
    from jwcrypto.jwk import JWK

    _, token = _form_fields(_answer(client, picker, "lti-quiz").content.decode())
    lms.trust_tool_keys({"keys": [{**JWK.generate(kty="RSA", size=2048).export_public(as_dict=True),
                                   "kid": jwt.get_unverified_header(token)["kid"], "alg": "RS256"}]})
    assert requests.post(lms.url + "/deep-link-return", data={"JWT": token}, timeout=5).status_code == 400
    assert lms.deep_link_returns == []


def test_a_request_is_answered_once(client, picker):
    assert _answer(client, picker, "attention").status_code == 200
    assert client.get(picker).status_code == 404


def test_a_pick_outside_the_course_is_refused_with_nothing_sent(client, picker):
    Assignment.objects.filter(slug="causal-mask").update(published=False)
    for slugs in (["no-such"], ["causal-mask"], ["attention", "no-such"]):
        response = _answer(client, picker, *slugs)
        assert response.status_code == 400
        assert "Not an assignment of this course" in response.content.decode()
        assert "lti-deep-link-return" not in response.content.decode()
    assert client.get(picker).status_code == 200  # still open


def test_a_classmate_instructor_a_student_and_a_stranger_cannot_open_it(picker, django_user_model, sample_course):
    from courses.models import Course

    def browser(username, course=None, role=Enrollment.Role.INSTRUCTOR):
        user = django_user_model.objects.create_user(username=username, password="x")
        if course is not None:
            Enrollment.objects.create(user=user, course=course, role=role)
        other = Client()
        other.force_login(user)
        return other

    other_course = Course.objects.create(slug="other", title_en="O", title_zh="他")
    for other in (browser("co-teacher", sample_course), browser("student", sample_course, Enrollment.Role.STUDENT),
                  browser("elsewhere", other_course), browser("nobody"), Client()):
        assert other.get(picker).status_code == 404
        assert other.post(picker, {"assignment": ["attention"]}).status_code == 404


def test_the_picker_closes_if_the_instructor_no_longer_teaches_the_course(client, picker):
    Enrollment.objects.filter(role=Enrollment.Role.INSTRUCTOR).update(role=Enrollment.Role.STUDENT)
    assert client.get(picker).status_code == 404


@pytest.mark.parametrize("roles", [(LEARNER,), (TEACHING_ASSISTANT,)])
def test_a_deep_linking_launch_by_a_learner_or_ta_is_refused(client, lms, lms_registration, roles):
    response, _ = launch(client, lms, roles=roles, extra=lms.deep_linking_claims())
    assert response.status_code == 403
    assert "<small>not_instructor</small>" in response.content.decode()
    assert "_auth_user_id" not in client.session
