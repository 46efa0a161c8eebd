"""Taking the test database back to an older schema, filling it as the old code did, and forward again."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate to `targets` ((app, migration or None) pairs); the apps of that state (None: the app unmigrated)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
