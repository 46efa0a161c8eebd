"""End to end over loopback: the tool served by a real HTTP server, a real Celery worker and beat on Redis,
and the emulated LMS (lti1p3platform) on its own port, fetching our keyset from the tool as a real LMS does.

Nothing leaves 127.0.0.1. Every wait is bounded.
"""

import os
import re
import shutil
import time
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from grades.models import GradeChange
from grades.services import excusal_set, grade_override, grade_recompute
from lti.models import AgsScoreOutbox, LtiIdentity, LtiResourceLink
from lti_platform import INSTRUCTOR, EmulatedLms, http_launch
from quizzes.models import QuizAttempt
from tests.integration.conftest import FAST_ENV, CeleryStack, wait_for
from tests.stack import database_url, redis_ensure_up

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

State = AgsScoreOutbox.State

# On top of the grading pipeline's fast settings: quick retries, a sweeper every second.
AGS_FAST_ENV = {
    "LTI_AGS_RETRY_BASE": "0.2",
    "LTI_AGS_RETRY_MAX": "1",
    "LTI_AGS_SWEEP_INTERVAL": "1",
    "LTI_AGS_LOST_AFTER": "1",
    "LTI_SERVICE_TIMEOUT": "2",
    "LTI_AGS_SENDING_STALE_AFTER": "15",
}


@pytest.fixture(scope="module")
def ags_stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real worker and beat on this test database and our Redis db (fails, never skips, without them)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"] or not settings.REDIS_URL:
        pytest.fail("these tests need DATABASE_URL=postgres://… and REDIS_URL=redis://… (make test sets them)")
    if shutil.which("redis-server") is None:
        pytest.fail("these tests need redis-server on PATH")
    redis_ensure_up()
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    workdir = tmp_path_factory.mktemp("ags-celery")
    env = {
        **os.environ, **FAST_ENV, **AGS_FAST_ENV, "DATABASE_URL": database_url(db), "REDIS_URL": settings.REDIS_URL,
        "BEAT_SCHEDULE_PATH": str(workdir / "celerybeat-schedule"), "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    env.pop("DATABASE_URL_FILE", None)
    stack = CeleryStack(env, workdir)
    try:
        stack.start_beat()
        stack.start_worker()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def live_lms(live_server):
    platform = EmulatedLms(tool_keyset_url=live_server.url + "/lti/jwks/")
    yield platform
    platform.close()


@pytest.fixture
def placed(ags_stack, live_server, live_lms, quiz_assignment, django_user_model):
    """The quiz placed in the LMS, and a learner who launched it over HTTP."""
    from lti.models import PlatformDeployment, PlatformRegistration

    registration = PlatformRegistration.objects.create(
        name="Emulated LMS", issuer=live_lms.issuer, client_id=live_lms.client_id, auth_login_url=live_lms.auth_login_url,
        auth_token_url=live_lms.token_url, keyset_url=live_lms.keyset_url, course=quiz_assignment.course,
    )  # fmt: skip
    PlatformDeployment.objects.create(registration=registration, deployment_id=live_lms.deployment_id)
    lineitem = live_lms.add_lineitem(resource_id=quiz_assignment.slug, score_maximum=8)
    browser = requests.Session()
    target = live_server.url + "/quizzes/lti-quiz/"
    response, _ = http_launch(browser, live_server.url, live_lms, target=target,
                              extra=live_lms.placement_claims(lineitem_url=lineitem))
    assert response.status_code == 302 and response.headers["Location"] == "/quizzes/lti-quiz/", response.text[:500]
    teacher = django_user_model.objects.create_user(username="teacher", password="x")
    return {"student": LtiIdentity.objects.get().user, "assignment": quiz_assignment, "teacher": teacher,
            "registration": registration, "browser": browser}


def _attempt(placed, score):
    QuizAttempt.objects.create(quiz=placed["assignment"].quiz, user=placed["student"], score=Decimal(score),
                               max_score=Decimal(4), submitted_at=timezone.now())
    grade_recompute(student=placed["student"], assignment=placed["assignment"], cause=GradeChange.Cause.GRADED)


def _override(placed, score):
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(score),
                   actor=placed["teacher"], reason="checked by hand")


def _settled():
    return not AgsScoreOutbox.objects.filter(state__in=[State.PENDING, State.SENDING]).exists()


def test_graded_regraded_override_and_excused_each_reach_the_lms_in_order(placed, live_lms, ags_stack):
    _attempt(placed, "2")
    live_lms.wait_for_scores(1, timeout=20)
    QuizAttempt.objects.update(score=Decimal(3))
    grade_recompute(student=placed["student"], assignment=placed["assignment"], cause=GradeChange.Cause.REGRADED)
    live_lms.wait_for_scores(2, timeout=20)
    _override(placed, "7.5")
    live_lms.wait_for_scores(3, timeout=20)
    excusal_set(student=placed["student"], assignment=placed["assignment"], excused=True, actor=placed["teacher"])
    accepted = live_lms.wait_for_scores(4, timeout=20)
    assert [post["score"].get("scoreGiven") for post in accepted] == [4.0, 6.0, 7.5, None], ags_stack.tail("worker")
    assert all(post["score"]["userId"] == "student-42" and post["score"]["scoreMaximum"] == 8.0 for post in accepted)
    assert all(post["score"]["gradingProgress"] == "FullyGraded" for post in accepted)
    stamps = [post["score"]["timestamp"] for post in accepted]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert all(re.match(r".*\.\d{3}Z$", stamp) for stamp in stamps)
    wait_for(_settled, timeout=10, message="every row sent")
    assert AgsScoreOutbox.objects.filter(state=State.SENT).count() == 4
    assert len(live_lms.score_posts) == 4  # each sent once
    # each worker process (two here) asks for a token once and keeps it until it expires
    assert 1 <= live_lms.token_requests <= int(FAST_ENV["WORKER_CONCURRENCY"])


def test_the_lms_down_then_up_gets_the_score_exactly_once(placed, live_lms, ags_stack):
    live_lms.down = True
    _attempt(placed, "4")
    wait_for(lambda: AgsScoreOutbox.objects.filter(attempts__gte=3).exists(), timeout=20, message="three tries")
    assert live_lms.score_posts == []
    live_lms.down = False
    accepted = live_lms.wait_for_scores(1, timeout=20)
    assert [post["score"]["scoreGiven"] for post in accepted] == [8.0]
    wait_for(_settled, timeout=10, message="the row sent")
    time.sleep(2.5)  # retries and sweeps that might still be in the air
    assert len(live_lms.score_posts) == 1 and AgsScoreOutbox.objects.get().state == State.SENT


def test_quick_changes_never_deliver_an_older_score_after_a_newer_one(placed, live_lms):
    _attempt(placed, "1")
    for score in ("3", "5", "7"):
        _override(placed, score)
    wait_for(_settled, timeout=20, message="every row settled")
    accepted = [post for post in live_lms.score_posts if post["status"] in (200, 201)]
    assert accepted and accepted[-1]["score"]["scoreGiven"] == 7.0
    stamps = [post["score"]["timestamp"] for post in accepted]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert all(post["status"] != 409 for post in live_lms.score_posts)  # no older one ever arrived after a newer
    states = set(AgsScoreOutbox.objects.values_list("state", flat=True))
    assert states <= {State.SENT, State.SUPERSEDED}


def test_a_score_whose_message_was_lost_is_sent_by_the_sweeper(placed, live_lms):
    _attempt(placed, "2")
    live_lms.wait_for_scores(1, timeout=20)
    sent = AgsScoreOutbox.objects.get()
    # as if written by a change whose message Redis lost: pending, due long ago, no message anywhere
    lost = AgsScoreOutbox.objects.create(
        resource_link=sent.resource_link, user=sent.user, grade_change=sent.grade_change,
        score={**sent.score, "scoreGiven": 5.0, "timestamp": "2099-01-01T00:00:00.000Z"},
        next_attempt_at=timezone.now() - timezone.timedelta(minutes=1),
    )  # fmt: skip
    accepted = live_lms.wait_for_scores(2, timeout=20)
    assert accepted[-1]["score"]["scoreGiven"] == 5.0
    wait_for(lambda: AgsScoreOutbox.objects.get(pk=lost.pk).state == State.SENT, timeout=10, message="swept row sent")


def test_a_deep_linking_answer_is_verified_by_the_lms_against_our_keyset(ags_stack, live_server, live_lms,
                                                                          quiz_assignment, settings):
    from lti.models import PlatformDeployment, PlatformRegistration

    # the picker is the instructor's session: its cookies are Secure, and this server speaks plain HTTP
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False

    registration = PlatformRegistration.objects.create(
        name="Emulated LMS", issuer=live_lms.issuer, client_id=live_lms.client_id, auth_login_url=live_lms.auth_login_url,
        auth_token_url=live_lms.token_url, keyset_url=live_lms.keyset_url, course=quiz_assignment.course,
    )  # fmt: skip
    PlatformDeployment.objects.create(registration=registration, deployment_id=live_lms.deployment_id)
    browser = requests.Session()
    response, _ = http_launch(browser, live_server.url, live_lms, target=live_server.url + "/lti/launch/",
                              sub="teacher-1", roles=(INSTRUCTOR,), extra=live_lms.deep_linking_claims())
    assert response.status_code == 302
    picker = live_server.url + response.headers["Location"]
    page = browser.get(picker, timeout=10)
    assert page.status_code == 200 and 'value="lti-quiz"' in page.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(picker, data={"csrfmiddlewaretoken": csrf, "assignment": ["lti-quiz", "attention"]},
                          headers={"Referer": picker}, timeout=10)
    assert answer.status_code == 200, answer.text[:500]
    action = re.search(r'action="([^"]+)"', answer.text.split('id="lti-deep-link-return"')[1]).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    verified = requests.post(action, data={"JWT": token}, timeout=10)  # the LMS fetches /lti/jwks/ to check it
    assert verified.status_code == 200, verified.text
    [placed] = live_lms.deep_link_returns
    assert {(item["lineItem"]["resourceId"], item["lineItem"]["scoreMaximum"]) for item in placed} == {
        ("lti-quiz", 8.0), ("attention", float(quiz_assignment.course.assignments.get(slug="attention").points)),
    }  # fmt: skip
    assert all(item["url"].startswith(live_server.url) for item in placed)


@pytest.mark.parametrize(("how", "status", "reason"), [
    ("bad_signature", 403, "bad_signature"),
    ("expired", 403, "expired"),
    ("no_state", 400, "no_state"),
    ("unknown_deployment", 403, "unknown_deployment"),
    ("replayed", 403, "replayed_nonce"),
])  # fmt: skip
def test_refusals_are_still_refused_over_http(placed, live_server, live_lms, how, status, reason):
    from jwcrypto.jwk import JWK

    browser = requests.Session()
    target = live_server.url + "/quizzes/lti-quiz/"
    options = {
        "bad_signature": {"signing_key": JWK.generate(kty="RSA", size=2048)},
        "expired": {"expires_in": -120},
        "no_state": {"state": ""},
        "unknown_deployment": {"deployment_id": "someone-else"},
        "replayed": {},
    }[how]
    response, form = http_launch(browser, live_server.url, live_lms, target=target, **options)
    if how == "replayed":
        assert response.status_code == 302
        response, _ = http_launch(browser, live_server.url, live_lms, target=target, replay=form)
    assert response.status_code == status, response.text[:500]
    assert f"<small>{reason}</small>" in response.text
    assert LtiIdentity.objects.count() == 1  # only the placement's learner, from the fixture
    assert LtiResourceLink.objects.count() == 1


def test_a_roster_sync_task_reads_every_page_on_the_worker(placed, live_lms):
    from courses.models import Enrollment
    from lti.models import LtiContext
    from lti.tasks import roster_sync
    from lti_platform import LEARNER, TEACHING_ASSISTANT

    LtiContext.objects.update(memberships_url=live_lms.memberships_url(limit=2))
    live_lms.members = [{"user_id": f"s-{n}", "roles": [LEARNER], "name": f"S {n}"} for n in range(4)]
    live_lms.members.append({"user_id": "ta-1", "roles": [TEACHING_ASSISTANT], "name": "T A"})
    roster_sync.delay(LtiContext.objects.get().pk)
    wait_for(lambda: LtiContext.objects.get().roster_synced_at is not None, timeout=20, message="the sync")
    roles = dict(Enrollment.objects.filter(user__lti_identities__sub__in=["s-0", "s-3", "ta-1"])
                 .values_list("user__lti_identities__sub", "role"))
    assert roles == {"s-0": "student", "s-3": "student", "ta-1": "ta"}
    assert LtiIdentity.objects.count() == 6  # the launcher and five members
