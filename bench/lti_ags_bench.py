#!/usr/bin/env python3
"""`make bench`: how soon a grade change reaches an LMS over LTI AGS.

It starts a real Celery worker on PostgreSQL + Redis (DATABASE_URL, REDIS_URL;
`make bench` points them at a database and Redis db of its own) and the
emulated LMS of tests/lti/lti_platform.py (lti1p3platform's token endpoint and
AGS score service on 127.0.0.1), places a quiz of the sample course in it, then
measures, from the moment grade_override returns (the change is committed) to
the moment the LMS has taken the score:

  idle   60 changes one after another (each waits for its score);
  burst  40 students' grades changed at once.

Target: p95 ≤ 1 s in both. Exits non-zero when missed or when a score is
lost or duplicated. Everything binds to 127.0.0.1; every wait is bounded; the
worker is stopped however the run ends.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load_bench import ensure_database, setup_django  # noqa: E402 - needs ROOT on sys.path
from tests.stack import Stack, percentile  # noqa: E402

TARGET_P95_SECONDS = 1.0
IDLE_CHANGES = 60
BURST_STUDENTS = 40
QUIZ_SLUG = "bench-ags-quiz"


def log(message: str) -> None:
    print(message, flush=True)


def prepare(lms):
    """The quiz placed in the LMS, students who launched it, the LMS trusting our keys; stale rows removed."""
    from django.contrib.auth import get_user_model

    from courses.models import Assignment, Course, Enrollment
    from grades.models import Grade
    from lti.keys import tool_jwks, tool_key_current
    from lti.models import AgsScoreOutbox, LtiContext, LtiIdentity, LtiResourceLink, PlatformDeployment, PlatformRegistration
    from quizzes.models import Quiz

    course = Course.objects.get(slug="llm-foundations")
    quiz, _ = Quiz.objects.get_or_create(course=course, slug=QUIZ_SLUG, defaults={"title_en": "Bench", "title_zh": "基准"})
    assignment, _ = Assignment.objects.get_or_create(
        slug=QUIZ_SLUG, defaults={"course": course, "kind": Assignment.Kind.QUIZ, "quiz": quiz, "points": 10}
    )
    registration, _ = PlatformRegistration.objects.update_or_create(
        issuer=lms.issuer, client_id=lms.client_id,
        defaults={"name": "Bench LMS", "auth_login_url": lms.auth_login_url, "auth_token_url": lms.token_url,
                  "keyset_url": lms.keyset_url, "course": course},
    )  # fmt: skip
    deployment, _ = PlatformDeployment.objects.get_or_create(registration=registration, deployment_id=lms.deployment_id)
    context, _ = LtiContext.objects.get_or_create(deployment=deployment, context_id="context-1")
    lineitem = lms.add_lineitem(resource_id=QUIZ_SLUG, score_maximum=10)
    LtiResourceLink.objects.update_or_create(
        context=context, resource_link_id="link-1",
        defaults={"assignment": assignment, "lineitem_url": lineitem, "lineitems_url": lms.lineitems_url(),
                  "ags_scopes": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]},
    )  # fmt: skip
    AgsScoreOutbox.objects.filter(resource_link__context=context).delete()
    Grade.objects.filter(assignment=assignment).delete()  # a run starts from no grade, so every change is one
    students = []
    for number in range(BURST_STUDENTS):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-ags-{number}")
        Enrollment.objects.get_or_create(user=user, course=course)
        LtiIdentity.objects.get_or_create(issuer=lms.issuer, sub=f"bench-sub-{number}", defaults={"user": user})
        students.append(user)
    teacher, _ = get_user_model().objects.get_or_create(username="bench-ags-teacher")
    tool_key_current()  # made now if this database has none, so the keyset handed to the LMS holds it
    lms.trust_tool_keys(tool_jwks())
    return assignment, students, teacher


def change(assignment, student, teacher, score) -> float:
    """One committed grade change; the wall-clock time it was stored."""
    from grades.services import grade_override

    grade_override(student=student, assignment=assignment, score=Decimal(score), actor=teacher, reason="bench")
    return time.time()


def arrival(lms, sub: str, score: float, timeout: float = 30.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lms.lock:
            for post in lms.score_posts:
                if post["score"].get("userId") == sub and post["score"].get("scoreGiven") == score and post["status"] < 300:
                    return post["received_at"]
            lms.score_arrived.wait(0.05)
    raise RuntimeError(f"no score {score} for {sub} within {timeout} s")


def summary(name: str, seconds: list[float]) -> float:
    p95 = percentile(seconds, 95)
    log(f"{name:5} n={len(seconds)}  p50 {percentile(seconds, 50) * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  "
        f"max {max(seconds) * 1000:.0f} ms")  # fmt: skip
    return p95


def main() -> int:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} must be set (make bench sets it)")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DEBUG", "0")
    ensure_database(os.environ["DATABASE_URL"])
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([*manage, "seed_course"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    setup_django()
    import redis
    from django.conf import settings

    from tests.lti.lti_platform import EmulatedLms

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    lms = EmulatedLms(issuer="https://bench-lms.example.edu", client_id="bench-client")
    assignment, students, teacher = prepare(lms)
    logdir = Path(tempfile.mkdtemp(prefix="lti-ags-bench-"))
    stack = Stack({**os.environ, "PYTHONUNBUFFERED": "1"}, logdir)
    failures = []
    try:
        stack.start_worker("worker", node=f"ags-bench-{uuid.uuid4().hex[:6]}")
        # warm-up: the worker's first token and connections
        change(assignment, students[0], teacher, "1.000")
        arrival(lms, "bench-sub-0", 1.0)
        idle = []
        for number in range(IDLE_CHANGES):
            score = 2 + number % 8 + (number // 8) / 100  # a new score each time
            stored = change(assignment, students[0], teacher, f"{score:.3f}")
            idle.append(arrival(lms, "bench-sub-0", round(score, 3)) - stored)
        stored_at = {}
        for number, student in enumerate(students):
            stored_at[number] = change(assignment, student, teacher, "9.500")
        burst = [arrival(lms, f"bench-sub-{number}", 9.5) - stored_at[number] for number in range(len(students))]
        for name, seconds in (("idle", idle), ("burst", burst)):
            if summary(name, seconds) > TARGET_P95_SECONDS:
                failures.append(f"{name} p95 above {TARGET_P95_SECONDS} s")
        time.sleep(1.0)  # anything still in the air arrives now
        with lms.lock:
            accepted = [post for post in lms.score_posts if post["status"] < 300]
            refused = [post for post in lms.score_posts if post["status"] >= 300]
        expected = 1 + IDLE_CHANGES + len(students)
        log(f"scores taken by the LMS: {len(accepted)} of {expected} changes; refused or duplicate: {len(refused)}; "
            f"token requests: {lms.token_requests}")  # fmt: skip
        if len(accepted) != expected or refused:
            failures.append("a score was lost or sent twice")
    finally:
        stack.stop()
        lms.close()
    log(f"target: p95 ≤ {TARGET_P95_SECONDS * 1000:.0f} ms from the stored change to the LMS: "
        + ("met" if not failures else "MISSED: " + "; ".join(failures)))  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
