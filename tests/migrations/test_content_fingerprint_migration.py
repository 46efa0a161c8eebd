"""The content fingerprint migration, on a database where the sample course was loaded before it.

No load recorded what it wrote then: the first seed_course after the upgrade takes
the rows equal to the files as loaded, and keeps (and names) a row that differs,
which may hold an instructor's edit.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("courses", "0004_enrollment_sis_user_id_and_assignment_updated_at")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _seed():
    out = StringIO()
    call_command("seed_course", stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def loaded_before_the_migration():
    _seed()
    # Every other app as it is now; courses just before the fingerprints, its loaded rows kept.
    apps = _migrate([BEFORE] + [node for node in _latest() if node[0] != "courses"])
    try:
        yield apps
    finally:
        _migrate(_latest())


def test_rows_loaded_before_it_are_kept_when_edited_and_recorded_when_not(loaded_before_the_migration):
    old_apps = loaded_before_the_migration
    old_apps.get_model("grader", "Exercise").objects.filter(slug="softmax").update(title_en="Edited before the upgrade")
    old_apps.get_model("quizzes", "Question").objects.filter(key="c1-deep-blue-weak-ai").update(points=2)

    _migrate(_latest())

    from courses.models import ContentFingerprint
    from grader.models import Exercise
    from quizzes.models import Question

    assert not ContentFingerprint.objects.exists()
    lines = _seed()
    unrecorded = (
        "kept: differs from the files and no earlier load is recorded; --overwrite takes the files' version · "
        "已保留：与文件不同且没有上次加载的记录；--overwrite 以文件为准"
    )
    assert f"  exercise softmax: {unrecorded}: title_en" in lines
    assert f"  question chapter-1-quiz/c1-deep-blue-weak-ai: {unrecorded}: points" in lines
    assert "0 created · 新建, 0 updated · 更新, 1 kept · 保留, 24 unchanged · 未变" in lines[-2]
    assert "0 created · 新建, 0 updated · 更新, 1 kept · 保留, 67 unchanged · 未变" in lines[-1]
    assert Exercise.objects.get(slug="softmax").title_en == "Edited before the upgrade"
    assert Question.objects.get(key="c1-deep-blue-weak-ai").points == 2
    # Every row equal to the files is now recorded as loaded; the two kept ones are not.
    assert ContentFingerprint.objects.count() == 25 + 68 - 2
    assert _seed()[-2:] == lines[-2:]
