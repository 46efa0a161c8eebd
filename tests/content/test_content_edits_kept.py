"""What an instructor changes in admin survives the next `seed_course` (every install, run and deploy).

A row still as the last load left it takes the files' new values; a row changed
since is kept and named with the fields changed; --overwrite takes the files'.
"""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from courses.content_rows import EDITED, UNRECORDED, KeptRow
from courses.models import Assignment, Chapter, ContentFingerprint
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise

pytestmark = pytest.mark.django_db

KEPT_EDITED = (
    "kept: edited in admin since the last load; --overwrite takes the files' version · "
    "已保留：上次加载后在管理后台修改过；--overwrite 以文件为准"
)
KEPT_UNRECORDED = (
    "kept: differs from the files and no earlier load is recorded; --overwrite takes the files' version · "
    "已保留：与文件不同且没有上次加载的记录；--overwrite 以文件为准"
)


@pytest.fixture
def content(tmp_path):
    """A private copy of the sample course to change, as a release would."""
    directory = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, directory, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


def _edit_file(content, slug, name, old, new):
    path = content / "exercises" / slug / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _seed(*args, directory):
    out = StringIO()
    call_command("seed_course", *args, directory=directory, stdout=out)
    return out.getvalue().splitlines()


def _exercise_rows():
    return list(Exercise.objects.order_by("pk").values())


def test_an_exercise_edited_in_the_admin_form_is_kept_by_seed_course_and_named(admin_client, content):
    _seed(directory=content)
    exercise = Exercise.objects.get(slug="softmax")
    form = {name: getattr(exercise, name) for name in (
        "slug", "position", "title_zh", "title_en", "statement_zh", "statement_en", "starter_code",
        "reference_solution", "check_suite", "cpu_limit_seconds", "wall_limit_seconds", "memory_limit_mb",
    )}  # fmt: skip
    form.update(chapter=exercise.chapter_id, required_functions='["softmax"]', check_params='{"hidden": 4}',
                points="12", statement_en="Edited in admin.")  # fmt: skip
    response = admin_client.post(reverse("admin:grader_exercise_change", args=[exercise.pk]), form)
    assert response.status_code == 302, response.content.decode()[-2000:]

    lines = _seed(directory=content)

    assert f"  exercise softmax: {KEPT_EDITED}: check_params, points, statement_en" in lines
    assert "0 created · 新建, 0 updated · 更新, 1 kept · 保留, 24 unchanged · 未变" in lines[-2]
    exercise.refresh_from_db()
    assert (exercise.statement_en, exercise.check_params, exercise.points) == ("Edited in admin.", {"hidden": 4}, 12)


def test_a_release_changes_a_row_nobody_edited_and_not_one_an_instructor_edited(content):
    course_load_from_directory(directory=content)
    Exercise.objects.filter(slug="softmax").update(check_params={"hidden": 4})
    _edit_file(content, "softmax", "statement.en.md", "softmax", "SOFTMAX")
    _edit_file(content, "perplexity", "statement.en.md", "Background", "BACKGROUND")

    result = course_load_from_directory(directory=content)

    # perplexity was as the last load left it: the release arrives.
    assert result.updated == {"exercise perplexity": ["statement_en"]}
    assert "BACKGROUND" in Exercise.objects.get(slug="perplexity").statement_en
    # softmax was edited: kept whole (the release's statement does not arrive either), the edit named.
    assert result.kept == {"exercise softmax": KeptRow(EDITED, ["check_params"])}
    softmax = Exercise.objects.get(slug="softmax")
    assert softmax.check_params == {"hidden": 4} and "SOFTMAX" not in softmax.statement_en

    result = course_load_from_directory(directory=content, overwrite=True)

    assert result.updated == {"exercise softmax": ["check_params", "statement_en"]} and result.kept == {}
    softmax.refresh_from_db()
    assert softmax.check_params == {} and "SOFTMAX" in softmax.statement_en


def test_an_edit_undone_in_admin_lets_the_files_through_again(content):
    course_load_from_directory(directory=content)
    Exercise.objects.filter(slug="softmax").update(points=3)
    _edit_file(content, "softmax", "statement.zh.md", "softmax", "SOFTMAX")
    assert "exercise softmax" in course_load_from_directory(directory=content).kept

    Exercise.objects.filter(slug="softmax").update(points=10)  # back to what the last load wrote
    result = course_load_from_directory(directory=content)

    assert result.updated == {"exercise softmax": ["statement_zh"]} and result.kept == {}


def test_an_edit_the_files_later_agree_with_is_simply_unchanged(content):
    course_load_from_directory(directory=content)
    Exercise.objects.filter(slug="softmax").update(points=Decimal("12.5"))
    _edit_file(content, "softmax", "exercise.toml", "points = 10", "points = 12.5")

    result = course_load_from_directory(directory=content)

    assert result.kept == {} and result.updated == {"assignment softmax": ["points"]}
    # From now on it is as the files say: a later release's change arrives.
    _edit_file(content, "softmax", "exercise.toml", "points = 12.5", "points = 15")
    result = course_load_from_directory(directory=content)
    assert result.updated == {"exercise softmax": ["points"], "assignment softmax": ["points"]}


def test_an_assignment_setting_changed_in_admin_is_kept(content):
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="ngram").update(attempt_limit=5)
    Chapter.objects.filter(number=1).update(title_en="Renamed in admin")

    result = course_load_from_directory(directory=content)

    assert result.kept == {
        "assignment ngram": KeptRow(EDITED, ["attempt_limit"]),
        "chapter 1": KeptRow(EDITED, ["title_en"]),
    }
    assert Assignment.objects.get(slug="ngram").attempt_limit == 5
    assert Chapter.objects.get(number=1).title_en == "Renamed in admin"


def test_rows_loaded_before_fingerprints_are_recorded_when_equal_and_kept_when_not(content):
    """Nobody recorded what an earlier load wrote: a row equal to the files is taken as loaded;
    one that differs may hold an instructor's edit, so it is kept and said so."""
    course_load_from_directory(directory=content)
    ContentFingerprint.objects.all().delete()  # as the migration leaves a course loaded before it
    Exercise.objects.filter(slug="softmax").update(title_en="Edited before the upgrade")

    lines = _seed(directory=content)

    assert f"  exercise softmax: {KEPT_UNRECORDED}: title_en" in lines
    assert "0 created · 新建, 0 updated · 更新, 1 kept · 保留, 24 unchanged · 未变" in lines[-2]
    assert Exercise.objects.get(slug="softmax").title_en == "Edited before the upgrade"
    # The equal rows are now recorded, so the next release reaches them.
    assert ContentFingerprint.objects.filter(key__startswith="grader.exercise:").count() == 10
    _edit_file(content, "softmax", "statement.en.md", "softmax", "SOFTMAX")
    _edit_file(content, "perplexity", "statement.en.md", "Background", "BACKGROUND")
    result = course_load_from_directory(directory=content)
    assert result.updated == {"exercise perplexity": ["statement_en"]}
    assert result.kept == {"exercise softmax": KeptRow(UNRECORDED, ["title_en", "statement_en"])}

    course_load_from_directory(directory=content, overwrite=True)
    assert course_load_from_directory(directory=content).unchanged == 25


def test_a_dry_run_reports_what_it_would_keep_and_writes_nothing(content):
    course_load_from_directory(directory=content)
    Exercise.objects.filter(slug="softmax").update(points=3)
    _edit_file(content, "perplexity", "statement.en.md", "Background", "BACKGROUND")
    rows, fingerprints = _exercise_rows(), list(ContentFingerprint.objects.order_by("pk").values())

    lines = _seed("--dry-run", directory=content)

    assert "  exercise perplexity: would be overwritten from the files · 已按文件覆盖: statement_en" in lines
    assert f"  exercise softmax: {KEPT_EDITED}: points" in lines
    assert lines[-2].startswith("[dry run · 试运行] ") and "1 would be updated · 更新, 1 kept · 保留" in lines[-2]
    lines = _seed("--dry-run", "--overwrite", directory=content)
    assert "  exercise softmax: would be overwritten from the files · 已按文件覆盖: points" in lines
    assert _exercise_rows() == rows
    assert list(ContentFingerprint.objects.order_by("pk").values()) == fingerprints


def test_a_kept_assignment_is_not_published_by_the_files(content):
    """The file's `published` is a field it writes like any other: once an instructor has
    unpublished the assignment since, the row is kept unpublished."""
    toml = content / "exercises" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "published = true\n", encoding="utf-8")
    course_load_from_directory(directory=content)
    Assignment.objects.filter(slug="softmax").update(published=False)

    result = course_load_from_directory(directory=content)

    assert result.kept == {"assignment softmax": KeptRow(EDITED, ["published"])}
    assert not Assignment.objects.get(slug="softmax").published


def test_a_second_run_after_keeping_writes_nothing(content, django_assert_max_num_queries):
    course_load_from_directory(directory=content)
    Exercise.objects.filter(slug="softmax").update(points=3)
    course_load_from_directory(directory=content)
    fingerprints = list(ContentFingerprint.objects.order_by("pk").values())

    with django_assert_max_num_queries(7):  # reads only
        result = course_load_from_directory(directory=content)

    assert (result.created, result.updated, result.unchanged) == ([], {}, 24)
    assert list(ContentFingerprint.objects.order_by("pk").values()) == fingerprints
