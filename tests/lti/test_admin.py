"""LTI admin pages are a site administrator's: a superuser sees them, an instructor or student does not."""

import pytest

from courses.models import Enrollment
from lti.keys import tool_key_generate
from lti.models import PlatformRegistration

pytestmark = pytest.mark.django_db

PAGES = ["/admin/lti/platformregistration/", "/admin/lti/platformregistration/add/", "/admin/lti/toolkey/"]


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


@pytest.fixture
def instructor_staff(django_user_model, sample_course):
    user = django_user_model.objects.create_user(username="irene", password="x", is_staff=True)
    Enrollment.objects.create(user=user, course=sample_course, role=Enrollment.Role.INSTRUCTOR)
    return user


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_opens_the_lti_pages(client, superuser, registration, page):
    client.force_login(superuser)
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_an_instructor_with_admin_access_does_not(client, instructor_staff, registration, page):
    client.force_login(instructor_staff)
    assert client.get(page).status_code == 403


def test_the_lti_section_is_not_listed_for_an_instructor(client, instructor_staff):
    client.force_login(instructor_staff)
    assert "/admin/lti/" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, page):
    response = client.get(page)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_instructor_cannot_add_a_registration(client, instructor_staff, sample_course):
    client.force_login(instructor_staff)
    response = client.post("/admin/lti/platformregistration/add/", {
        "name": "Mine", "issuer": "https://lms.example.org", "client_id": "c", "auth_login_url": "https://lms.example.org/a",
        "auth_token_url": "https://lms.example.org/t", "keyset_url": "https://lms.example.org/k", "course": sample_course.pk,
        "is_active": "on",
    })
    assert response.status_code == 403
    assert not PlatformRegistration.objects.exists()


def test_a_superuser_adds_a_registration_with_its_deployment(client, superuser, sample_course):
    client.force_login(superuser)
    response = client.post("/admin/lti/platformregistration/add/", {
        "name": "Moodle", "issuer": "https://moodle.example.org", "client_id": "abc",
        "auth_login_url": "https://moodle.example.org/auth", "auth_token_url": "https://moodle.example.org/token",
        "keyset_url": "https://moodle.example.org/jwks", "course": sample_course.pk, "is_active": "on",
        "deployments-TOTAL_FORMS": "1", "deployments-INITIAL_FORMS": "0", "deployments-0-deployment_id": "7",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = PlatformRegistration.objects.get()
    assert list(registration.deployments.values_list("deployment_id", flat=True)) == ["7"]


def test_the_key_page_never_shows_the_private_key(client, superuser):
    key = tool_key_generate()
    client.force_login(superuser)
    for page in ["/admin/lti/toolkey/", f"/admin/lti/toolkey/{key.pk}/change/"]:
        response = client.get(page)
        assert response.status_code == 200
        body = response.content.decode()
        assert "PRIVATE" not in body and key.private_pem.splitlines()[1] not in body


def test_the_rotate_action_makes_a_new_current_key_and_keeps_the_old_one_published(client, superuser):
    old = tool_key_generate()
    client.force_login(superuser)
    response = client.post("/admin/lti/toolkey/", {"action": "rotate_key", "_selected_action": [old.pk]})
    assert response.status_code == 302
    kids = [key["kid"] for key in client.get("/lti/jwks/").json()["keys"]]
    assert len(kids) == 2 and kids[1] == old.kid and kids[0] != old.kid


def test_an_instructor_cannot_run_the_rotate_action(client, instructor_staff):
    old = tool_key_generate()
    client.force_login(instructor_staff)
    response = client.post("/admin/lti/toolkey/", {"action": "rotate_key", "_selected_action": [old.pk]})
    assert response.status_code == 403
    assert [key["kid"] for key in client.get("/lti/jwks/").json()["keys"]] == [old.kid]
