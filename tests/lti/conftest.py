import pytest
from django.core.cache import cache

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from lti.models import PlatformDeployment, PlatformRegistration
from lti_platform import KeysetServer, TestPlatform


@pytest.fixture(scope="session")
def keyset_server():
    server = KeysetServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # nonces and cached keysets live in the cache; each test starts without them
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def platform(keyset_server):
    lms = TestPlatform(keyset_url=keyset_server.url)
    keyset_server.jwks = lms.public_jwks()
    return lms


@pytest.fixture
def registration(platform, sample_course):
    registration = PlatformRegistration.objects.create(
        name="Test LMS",
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=f"{platform.issuer}/token",
        keyset_url=platform.keyset_url,
        course=sample_course,
    )
    PlatformDeployment.objects.create(registration=registration, deployment_id=platform.deployment_id)
    return registration
