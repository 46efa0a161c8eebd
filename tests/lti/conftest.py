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


# --- The emulated LMS (lti1p3platform over loopback) and a course placed in it ---------


@pytest.fixture
def lms():
    from lti_platform import EmulatedLms

    platform = EmulatedLms()
    yield platform
    platform.close()


@pytest.fixture
def lms_registration(lms, sample_course):
    registration = PlatformRegistration.objects.create(
        name="Emulated LMS", issuer=lms.issuer, client_id=lms.client_id, auth_login_url=lms.auth_login_url,
        auth_token_url=lms.token_url, keyset_url=lms.keyset_url, course=sample_course,
    )  # fmt: skip
    PlatformDeployment.objects.create(registration=registration, deployment_id=lms.deployment_id)
    return registration


@pytest.fixture
def quiz_assignment(sample_course):
    from courses.models import Assignment
    from quizzes.models import Quiz

    quiz = Quiz.objects.create(course=sample_course, slug="lti-quiz", title_en="Attention quiz", title_zh="注意力测验")
    return Assignment.objects.create(course=sample_course, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz, points=8)
