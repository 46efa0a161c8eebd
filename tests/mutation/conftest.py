import pytest

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read, course_load_from_directory


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def unsaved_exercise():
    """A shipped exercise as an unsaved row: grading a mutant needs no database."""
    from grader.models import Exercise

    content = {found.slug: found for found in course_content_read(directory=SAMPLE_CONTENT_DIRECTORY).exercises}

    def make(slug, **overrides):
        found = content[slug]
        return Exercise(slug=found.slug, **{**found.values, **overrides})

    return make
