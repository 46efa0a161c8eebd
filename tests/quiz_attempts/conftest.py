"""A course with one quiz holding every question type, its assignment, and people around it.

alice and bob study the course, stranger studies another one, teacher
teaches it and ta assists in it.
"""

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from courses.models import Assignment, Chapter, Course, Enrollment
from quizzes.models import Quiz

# The item builders of the pure quiz tests (tests/quizzes/quiz_items.py) serve here too.
sys.path.append(str(Path(__file__).resolve().parent.parent / "quizzes"))

from quiz_attempt_helpers import ITEMS, question_create  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

@pytest.fixture
def course(db):
    return Course.objects.create(slug="quiz-course", title_en="Quizzes", title_zh="测验课")


@pytest.fixture
def quiz(course):
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="第一")
    quiz = Quiz.objects.create(course=course, chapter=chapter, slug="quiz-one", title_en="Quiz one", title_zh="测验一")
    for position, item in enumerate(ITEMS):
        question_create(quiz, item, position)
    return quiz


@pytest.fixture
def assignment(quiz):
    return Assignment.objects.create(
        course=quiz.course, slug=quiz.slug, kind=Assignment.Kind.QUIZ, quiz=quiz, points=Decimal("10")
    )


def _person(username, course, role=Enrollment.Role.STUDENT):
    user = get_user_model().objects.create_user(username=username, password=username)
    Enrollment.objects.create(user=user, course=course, role=role)
    return user


@pytest.fixture
def alice(course):
    return _person("alice", course)


@pytest.fixture
def bob(course):
    return _person("bob", course)


@pytest.fixture
def stranger(db):
    other = Course.objects.create(slug="other-course", title_en="Other", title_zh="其他")
    return _person("stranger", other)


@pytest.fixture
def teacher(course):
    return _person("teacher", course, Enrollment.Role.INSTRUCTOR)


@pytest.fixture
def ta(course):
    return _person("ta", course, Enrollment.Role.TEACHING_ASSISTANT)

