"""Fixtures that take the test database back to an older schema (tests.migrations.schema)."""

import pytest

from tests.migrations.schema import latest_nodes, migrate_to


@pytest.fixture
def schema_back_to():
    """`schema_back_to(targets)` gives the apps of that older state; every app is migrated forward after the test."""
    moved = []

    def back_to(targets):
        moved.append(targets)
        return migrate_to(targets)

    yield back_to
    if moved:
        migrate_to(latest_nodes())


@pytest.fixture
def one_app_back_to(schema_back_to):
    """`one_app_back_to(app, migration)`: that app just before a migration, every other app as it is now."""

    def back_to(app, migration):
        return schema_back_to([(app, migration)] + [node for node in latest_nodes() if node[0] != app])

    return back_to
