"""A course with one quiz holding every question type, its assignment, and people around it.

alice and bob study the course, stranger studies another one, teacher
teaches it and ta assists in it.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from courses.models import Assignment, Chapter, Course, Enrollment
from quizzes.item_codec import item_body
from quizzes.models import Question, Quiz
from quizzes.parameterised import draw

from quiz_items import cloze, matching, multiple, numeric, parameterised, short, single, true_false

ITEMS = (single(), multiple(), true_false(), numeric(), short(), parameterised(), matching(), cloze())


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def question_create(quiz, item, position):
    return Question.objects.create(
        quiz=quiz, position=position, key=item.id, type=item.type, section=item.section,
        points=Decimal(item.points.numerator) / item.points.denominator,
        prompt_zh=item.prompt.zh, prompt_en=item.prompt.en,
        explanation_zh=item.explanation.zh, explanation_en=item.explanation.en, body=item_body(item),
    )  # fmt: skip


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


def right_responses(seed):
    """Every question of ITEMS answered right, for an attempt with `seed`."""
    return {
        "single": "a", "multiple": ["a", "b"], "tf": "true", "numeric": "14", "short": "relu",
        "param": f"{draw(parameterised(), seed).answer:.6f}", "match": {"1": "1", "2": "2", "3": "3"},
        "cloze": {"1": "ReLU", "2": "14", "3": "a"},
    }  # fmt: skip
