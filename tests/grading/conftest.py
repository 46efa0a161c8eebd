import pytest

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def exercise(sample_course):
    from grader.models import Exercise

    return lambda slug: Exercise.objects.get(slug=slug)
