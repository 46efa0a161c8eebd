"""AGS grade push, in process: every grade change of a placed assignment becomes one score at the emulated LMS.

The tool's side runs here (launch through the test client, the send service
called directly); the LMS is lti1p3platform's AGS service over loopback, which
checks our OAuth2 assertion against our keyset and the bearer token's scope,
and refuses a score older than the last one it took.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Assignment
from grades.models import GradeChange
from grades.services import excusal_set, grade_override, grade_recompute
from lti.ags import ags_outbox_record, ags_outbox_send, ags_outbox_sweep
from lti.keys import tool_jwks
from lti.models import AgsScoreOutbox, LtiContext, LtiIdentity, LtiResourceLink
from lti_platform import INSTRUCTOR, launch
from quizzes.models import QuizAttempt

pytestmark = pytest.mark.django_db

State = AgsScoreOutbox.State
MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def placed(client, lms, lms_registration, quiz_assignment, django_user_model):
    """The quiz placed in the LMS with a line item, a student launched from it, and an instructor to act."""
    lineitem = lms.add_lineitem(resource_id=quiz_assignment.slug, score_maximum=8)
    response, _ = launch(client, lms, target="http://testserver/quizzes/lti-quiz/",
                         extra=lms.placement_claims(lineitem_url=lineitem))
    assert response.status_code == 302 and response["Location"] == "/quizzes/lti-quiz/"
    lms.trust_tool_keys(tool_jwks())
    student = LtiIdentity.objects.get(sub="student-42").user
    teacher = django_user_model.objects.create_user(username="teacher", password="x")
    return {"student": student, "assignment": quiz_assignment, "lineitem": lineitem, "teacher": teacher}


def _attempt(placed, score):
    QuizAttempt.objects.create(quiz=placed["assignment"].quiz, user=placed["student"], score=Decimal(score),
                               max_score=Decimal(4), submitted_at=timezone.now())
    return grade_recompute(student=placed["student"], assignment=placed["assignment"], cause=GradeChange.Cause.GRADED)


def _send_all():
    return [ags_outbox_send(outbox_id=row_id).outcome
            for row_id in AgsScoreOutbox.objects.filter(state=State.PENDING).values_list("id", flat=True)]


def test_the_launch_records_the_placement_and_its_ags_endpoint(placed, lms):
    link = LtiResourceLink.objects.select_related("context").get()
    assert (link.resource_link_id, link.assignment, link.lineitem_url) == ("link-1", placed["assignment"], placed["lineitem"])
    assert link.lineitems_url == lms.lineitems_url()
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
    assert (link.context.context_id, link.context.memberships_url) == ("context-1", lms.memberships_url())


def test_a_graded_attempt_reaches_the_lms_as_a_fully_graded_score(placed, lms):
    _attempt(placed, "3")
    row = AgsScoreOutbox.objects.get()
    assert row.state == State.PENDING and row.grade_change.cause == GradeChange.Cause.GRADED
    assert _send_all() == ["sent"]
    [post] = lms.score_posts
    score = post["score"]
    assert post["status"] == 201
    assert score["userId"] == "student-42"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (6.0, 8.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert MILLISECONDS.match(score["timestamp"])
    row.refresh_from_db()
    assert row.state == State.SENT and row.sent_at is not None and row.attempts == 1


@pytest.mark.parametrize("change", ["regraded", "override", "excused"])
def test_each_later_change_is_pushed_after_the_first(placed, lms, change):
    _attempt(placed, "2")
    assert _send_all() == ["sent"]
    if change == "regraded":
        QuizAttempt.objects.update(score=Decimal(4))
        grade_recompute(student=placed["student"], assignment=placed["assignment"], cause=GradeChange.Cause.REGRADED)
        expected = {"scoreGiven": 8.0, "gradingProgress": "FullyGraded"}
    elif change == "override":
        grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal("7.5"),
                       actor=placed["teacher"], reason="reviewed by hand")
        expected = {"scoreGiven": 7.5, "gradingProgress": "FullyGraded"}
    else:
        excusal_set(student=placed["student"], assignment=placed["assignment"], excused=True, actor=placed["teacher"])
        expected = {"comment": "Excused · 已免除", "gradingProgress": "FullyGraded"}
    assert _send_all() == ["sent"]
    first, second = lms.score_posts
    assert second["status"] == 200
    assert {name: second["score"].get(name) for name in expected} == expected
    if change == "excused":
        assert "scoreGiven" not in second["score"]
    assert second["score"]["timestamp"] > first["score"]["timestamp"]
    assert AgsScoreOutbox.objects.get(grade_change__cause=change).state == State.SENT


def test_a_submission_being_graded_is_pushed_as_pending(client, lms, lms_registration):
    from grader.models import Exercise
    from grader.services import submission_create

    exercise = Exercise.objects.get(slug="attention")
    lineitem = lms.add_lineitem(resource_id="attention", score_maximum=float(exercise.assignment.points))
    launch(client, lms, extra=lms.placement_claims(lineitem_url=lineitem))
    lms.trust_tool_keys(tool_jwks())
    submission_create(user=LtiIdentity.objects.get().user, exercise=exercise, code="def f():\n    return 1\n")
    assert _send_all() == ["sent"]
    [post] = lms.score_posts
    assert (post["score"]["activityProgress"], post["score"]["gradingProgress"]) == ("Submitted", "Pending")
    assert "scoreGiven" not in post["score"]


def test_the_lms_down_then_up_retries_with_backoff_and_takes_the_score_once(placed, lms, settings):
    settings.LTI_AGS_RETRY_BASE = 2.0
    _attempt(placed, "4")
    lms.down = True
    row_id = AgsScoreOutbox.objects.get().pk
    first = ags_outbox_send(outbox_id=row_id)
    second_try_at = AgsScoreOutbox.objects.get().next_attempt_at
    assert first.outcome == "retry" and 1.7 < first.retry_in < 2.3
    row = AgsScoreOutbox.objects.get()
    assert (row.state, row.attempts) == (State.PENDING, 1) and "503" in row.last_error
    assert second_try_at > timezone.now()
    second = ags_outbox_send(outbox_id=row_id)
    assert second.outcome == "retry" and 3.5 < second.retry_in < 4.5  # doubled
    lms.down = False
    assert ags_outbox_send(outbox_id=row_id).outcome == "sent"
    assert ags_outbox_send(outbox_id=row_id).outcome == "not_pending"  # a duplicate message sends nothing
    assert [post["status"] for post in lms.score_posts] == [201]


def test_two_quick_changes_send_only_the_latest(placed, lms):
    _attempt(placed, "1")
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(5),
                   actor=placed["teacher"], reason="second look")
    older, newer = AgsScoreOutbox.objects.order_by("id")
    assert (older.state, newer.state) == (State.SUPERSEDED, State.PENDING)
    assert newer.score["timestamp"] > older.score["timestamp"]
    assert ags_outbox_send(outbox_id=older.pk).outcome == "not_pending"
    assert ags_outbox_send(outbox_id=newer.pk).outcome == "sent"
    assert [post["score"]["scoreGiven"] for post in lms.score_posts] == [5.0]


def test_a_newer_score_waits_while_an_older_one_is_in_flight(placed, lms):
    _attempt(placed, "1")
    older = AgsScoreOutbox.objects.get()
    AgsScoreOutbox.objects.filter(pk=older.pk).update(state=State.SENDING, claimed_at=timezone.now())
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(6),
                   actor=placed["teacher"], reason="later")
    newer = AgsScoreOutbox.objects.get(state=State.PENDING)
    assert ags_outbox_send(outbox_id=newer.pk).outcome == "busy"
    assert lms.score_posts == []


def test_changes_in_the_same_millisecond_still_get_increasing_timestamps(placed, lms):
    _attempt(placed, "1")
    first = AgsScoreOutbox.objects.get()
    change = first.grade_change
    change.pk, change.sequence = None, change.sequence + 1000
    change.save()
    change.created_at = first.grade_change.created_at  # as if made in the same instant
    ags_outbox_record(change)
    second = AgsScoreOutbox.objects.order_by("-id").first()
    assert second.score["timestamp"] > first.score["timestamp"]


def test_a_refused_score_is_marked_failed_and_not_retried(placed, lms):
    LtiResourceLink.objects.update(lineitem_url=lms.lineitems_url() + "/999")
    _attempt(placed, "2")
    row = AgsScoreOutbox.objects.get()
    assert ags_outbox_send(outbox_id=row.pk).outcome == "failed"
    row.refresh_from_db()
    assert row.state == State.FAILED and row.last_error.startswith("404")


def test_the_access_token_is_cached_until_it_expires(placed, lms):
    _attempt(placed, "1")
    _send_all()
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(5),
                   actor=placed["teacher"], reason="again")
    _send_all()
    assert lms.token_requests == 1 and len(lms.score_posts) == 2


def test_a_token_the_lms_no_longer_accepts_is_dropped_and_asked_for_again(placed, lms):
    from django.core.cache import cache

    _attempt(placed, "1")
    _send_all()
    from lti.adapter import _token_cache_key

    cache.set(_token_cache_key(LtiResourceLink.objects.get().context.deployment.registration,
                               ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]), "not-a-token")
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(3),
                   actor=placed["teacher"], reason="again")
    row = AgsScoreOutbox.objects.get(state=State.PENDING)
    assert ags_outbox_send(outbox_id=row.pk).outcome == "retry"  # 401: the LMS refused the token
    assert ags_outbox_send(outbox_id=row.pk).outcome == "sent"  # a new token
    assert lms.token_requests == 2


def test_a_student_who_never_came_from_the_lms_gets_no_score_row(placed, django_user_model):
    other = django_user_model.objects.create_user(username="local", password="x")
    QuizAttempt.objects.create(quiz=placed["assignment"].quiz, user=other, score=Decimal(2), max_score=Decimal(4),
                               submitted_at=timezone.now())
    grade_recompute(student=other, assignment=placed["assignment"], cause=GradeChange.Cause.GRADED)
    assert not AgsScoreOutbox.objects.filter(user=other).exists()


def test_an_assignment_in_no_lms_costs_one_query(sample_course, django_user_model, django_assert_num_queries):
    assignment = Assignment.objects.get(slug="attention")
    user = django_user_model.objects.create_user(username="plain", password="x")
    grade = grade_recompute(student=user, assignment=assignment, cause=GradeChange.Cause.GRADED)
    excusal_set(student=user, assignment=assignment, excused=True, actor=None)
    change = grade.changes.order_by("-sequence").first()
    with django_assert_num_queries(1):
        ags_outbox_record(change)
    assert not AgsScoreOutbox.objects.exists()


def test_the_sweeper_takes_back_a_dead_workers_row_and_resends_overdue_ones(placed, lms, settings):
    settings.LTI_AGS_SENDING_STALE_AFTER = 60
    settings.LTI_AGS_LOST_AFTER = 30
    _attempt(placed, "1")
    row = AgsScoreOutbox.objects.get()
    long_ago = timezone.now() - timedelta(minutes=5)
    AgsScoreOutbox.objects.filter(pk=row.pk).update(state=State.SENDING, claimed_at=long_ago, next_attempt_at=long_ago)
    first = ags_outbox_sweep()
    assert first.taken_back == 1 and first.resend == []  # due again from now on
    AgsScoreOutbox.objects.filter(pk=row.pk).update(next_attempt_at=long_ago)
    assert ags_outbox_sweep().resend == [row.pk]
    assert ags_outbox_send(outbox_id=row.pk).outcome == "sent"


def test_a_dead_workers_row_is_superseded_when_a_newer_change_waits(placed, lms):
    _attempt(placed, "1")
    older = AgsScoreOutbox.objects.get()
    AgsScoreOutbox.objects.filter(pk=older.pk).update(state=State.SENDING, claimed_at=timezone.now() - timedelta(hours=1))
    grade_override(student=placed["student"], assignment=placed["assignment"], score=Decimal(6),
                   actor=placed["teacher"], reason="later")
    ags_outbox_sweep()
    older.refresh_from_db()
    assert older.state == State.SUPERSEDED
    assert AgsScoreOutbox.objects.filter(state=State.PENDING).count() == 1


def test_an_instructor_launch_records_the_placement_too(client, lms, lms_registration, quiz_assignment):
    lineitem = lms.add_lineitem(resource_id="lti-quiz", score_maximum=8)
    response, _ = launch(client, lms, sub="teacher-9", roles=(INSTRUCTOR,), target="http://testserver/quizzes/lti-quiz/",
                         extra=lms.placement_claims(lineitem_url=lineitem, resource_link_id="link-7"))
    assert response.status_code == 302
    assert LtiResourceLink.objects.get().resource_link_id == "link-7"
    assert LtiContext.objects.count() == 1


def test_a_token_the_lms_refuses_keeps_the_score_waiting_until_our_key_is_on_file(placed, lms):
    from jwcrypto.jwk import JWK

    lms.trust_tool_keys({"keys": [JWK.generate(kty="RSA", size=2048).export_public(as_dict=True)]})
    _attempt(placed, "3")
    row = AgsScoreOutbox.objects.get()
    result = ags_outbox_send(outbox_id=row.pk)
    row.refresh_from_db()
    assert result.outcome == "retry" and row.state == State.PENDING and "token request refused: 400" in row.last_error
    lms.trust_tool_keys(tool_jwks())
    assert ags_outbox_send(outbox_id=row.pk).outcome == "sent"
