"""Launches into quizzes and exercises: the target link's path or a custom parameter names the assignment."""

import pytest

from courses.models import Assignment, Enrollment
from lti.models import ConsumedNonce, LtiIdentity
from lti_platform import INSTRUCTOR, launch

pytestmark = pytest.mark.django_db


def _refused(response, reason):
    assert response.status_code in (400, 403, 404), response.status_code
    assert f"<small>{reason}</small>" in response.content.decode()
    assert not LtiIdentity.objects.exists() and not ConsumedNonce.objects.exists()


def test_a_learner_lands_on_the_quiz_the_target_link_names(client, platform, registration, quiz_assignment):
    response, _ = launch(client, platform, target="http://testserver/quizzes/lti-quiz/")
    assert response.status_code == 302 and response["Location"] == "/quizzes/lti-quiz/"
    assert Enrollment.objects.get(user=LtiIdentity.objects.get().user).role == Enrollment.Role.STUDENT


@pytest.mark.parametrize(("custom", "location"), [
    ({"assignment": "lti-quiz"}, "/quizzes/lti-quiz/"),
    ({"quiz": "lti-quiz"}, "/quizzes/lti-quiz/"),
    ({"assignment": "attention"}, "/exercises/attention/"),
    ({"exercise": "attention"}, "/exercises/attention/"),
])  # fmt: skip
def test_a_custom_parameter_wins_over_the_target_link(client, platform, registration, quiz_assignment, custom, location):
    response, _ = launch(client, platform, target="http://testserver/somewhere/else/", custom=custom)
    assert response.status_code == 302 and response["Location"] == location


def test_an_unpublished_quiz_is_refused_to_a_learner_but_opened_by_an_instructor(client, platform, registration,
                                                                                 quiz_assignment):
    Assignment.objects.filter(pk=quiz_assignment.pk).update(published=False)
    response, _ = launch(client, platform, target="http://testserver/quizzes/lti-quiz/")
    _refused(response, "no_target")
    response, _ = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,), target="http://testserver/quizzes/lti-quiz/")
    assert response.status_code == 302 and response["Location"] == "/quizzes/lti-quiz/"


@pytest.mark.parametrize("target", [
    "http://testserver/exercises/lti-quiz/",  # a quiz's slug under the exercises' path
    "http://testserver/quizzes/attention/",  # and the other way round
    "http://testserver/quizzes/no-such-quiz/",
])  # fmt: skip
def test_a_target_of_the_wrong_kind_or_none_is_refused(client, platform, registration, quiz_assignment, target):
    response, _ = launch(client, platform, target=target)
    _refused(response, "no_target")


def test_a_quiz_of_another_course_is_refused(client, platform, registration):
    from courses.models import Course
    from quizzes.models import Quiz

    other = Course.objects.create(slug="other", title_en="Other", title_zh="其他")
    quiz = Quiz.objects.create(course=other, slug="other-quiz", title_en="Q", title_zh="测")
    Assignment.objects.create(course=other, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz)
    response, _ = launch(client, platform, target="http://testserver/quizzes/other-quiz/")
    _refused(response, "no_target")
