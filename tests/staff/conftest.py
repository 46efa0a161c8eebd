"""Two courses: alpha (the one under test) and beta (another course); see staff_world."""

import pytest

from staff_world import add_students, make_course


@pytest.fixture
def alpha(db):
    world = make_course("alpha")
    add_students(world, 3)
    return world


@pytest.fixture
def beta(db):
    world = make_course("beta")
    add_students(world, 2)
    return world
