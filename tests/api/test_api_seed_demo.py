"""manage.py seed_demo: demo logins for the sample course, and only with DEBUG on."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from courses.models import Course, Enrollment

User = get_user_model()


@pytest.fixture
def sample_course(db):
    return Course.objects.create(slug="llm-foundations", title_en="Foundations of LLMs", title_zh="大语言模型基础")


def _enrolled(course):
    return {(e.user.username, e.role) for e in Enrollment.objects.filter(course=course).select_related("user")}


def test_it_works(sample_course, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--students", "3")

    assert _enrolled(sample_course) == {
        ("teacher", "instructor"),
        ("student1", "student"),
        ("student2", "student"),
        ("student3", "student"),
    }
    for username in ("teacher", "student1", "student3"):
        assert User.objects.get(username=username).check_password(username)
    out = capsys.readouterr().out
    assert "student3" in out and "teacher" in out and "password = username" in out


def test_a_rerun_is_idempotent(sample_course, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--students", "2")
    student = User.objects.get(username="student1")
    student.set_password("changed")
    student.save()
    Enrollment.objects.filter(user__username="teacher").update(role="student")

    call_command("seed_demo", "--students", "2")

    assert User.objects.count() == 3
    assert Enrollment.objects.count() == 3
    assert User.objects.get(username="student1").check_password("student1")
    assert ("teacher", "instructor") in _enrolled(sample_course)


def test_it_is_refused_without_debug(sample_course, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--students", "2")
    assert not User.objects.exists()


def test_it_needs_the_sample_course(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_course"):
        call_command("seed_demo", "--students", "2")
    assert not User.objects.exists()
