"""Who may open /exercises/<slug>/: published exercises of one's own courses; a course's instructors see all of it.

Everyone else gets the same 404 as for a slug that does not exist.
"""

import pytest

from courses.models import Assignment, Course, Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise
from grader.selectors import exercise_get_visible, exercises_visible_to


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def other_course(db):
    return Course.objects.create(slug="other", title_zh="其他课程", title_en="Other course")


def _member(django_user_model, course, username, role=Enrollment.Role.STUDENT):
    user = django_user_model.objects.create_user(username=username, password="-")
    Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def alice(django_user_model, sample_course):
    """A student of the sample course."""
    return _member(django_user_model, sample_course, "alice")


@pytest.fixture
def charlie(django_user_model, other_course):
    """A student of another course."""
    return _member(django_user_model, other_course, "charlie")


@pytest.fixture
def irene(django_user_model, sample_course):
    """An instructor of the sample course."""
    return _member(django_user_model, sample_course, "irene", Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def closed(sample_course):
    Assignment.objects.filter(exercise__slug="attention").update(published=False)
    return "attention"


def _status(client, user, slug):
    if user is not None:
        client.force_login(user)
    return client.get(f"/exercises/{slug}/").status_code


def test_an_enrolled_student_opens_a_published_exercise(client, alice):
    assert _status(client, alice, "softmax") == 200


def test_an_enrolled_student_does_not_see_an_unpublished_one(client, alice, closed):
    assert _status(client, alice, closed) == 404


def test_a_student_of_another_course_sees_nothing(client, charlie, closed):
    assert _status(client, charlie, "softmax") == 404
    assert _status(client, charlie, closed) == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, sample_course, closed):
    # Whether the exercise exists or not: the same answer, which names nothing.
    for slug in ("softmax", closed, "no-such-exercise"):
        response = client.get(f"/exercises/{slug}/")
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next=/exercises/{slug}/"


def test_an_instructor_sees_published_and_unpublished_exercises_of_the_course(client, irene, closed):
    assert _status(client, irene, "softmax") == 200
    assert _status(client, irene, closed) == 200


def test_an_instructor_of_another_course_sees_nothing(client, django_user_model, other_course, sample_course):
    teacher = _member(django_user_model, other_course, "otto", Enrollment.Role.INSTRUCTOR)
    assert _status(client, teacher, "softmax") == 404


def test_the_404_is_the_same_as_for_a_slug_that_does_not_exist(client, alice, closed):
    client.force_login(alice)
    hidden = client.get(f"/exercises/{closed}/")
    missing = client.get("/exercises/no-such-exercise/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_selector_answers_as_the_page_does(alice, charlie, irene, closed):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    assert exercise_get_visible(user=alice, slug="softmax").chapter.course.slug == "llm-foundations"
    for user, slug in [(alice, closed), (charlie, "softmax"), (AnonymousUser(), "softmax"), (alice, "bad\x00slug")]:
        with pytest.raises(Http404):
            exercise_get_visible(user=user, slug=slug)
    assert closed in set(exercises_visible_to(user=irene).values_list("slug", flat=True))
    assert closed not in set(exercises_visible_to(user=alice).values_list("slug", flat=True))


def test_the_catalogue_links_only_what_the_visitor_may_open(client, alice, closed):
    anonymous_page = client.get("/?lang=en").content.decode()
    client.force_login(alice)
    student_page = client.get("/?lang=en").content.decode()

    assert "/exercises/softmax/" not in anonymous_page
    assert "/exercises/softmax/" in student_page
    assert f"/exercises/{closed}/" not in student_page
    # The syllabus itself is public: titles are listed for everyone.
    assert Exercise.objects.get(slug="softmax").title_en in anonymous_page

