"""Loading a content directory: idempotent, all-or-nothing, and loud about bad files."""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from courses.content_rows import EDITED, KeptRow
from courses.models import Assignment, Chapter, ContentFingerprint, Course
from courses.services import (
    SAMPLE_CONTENT_DIRECTORY,
    ContentError,
    course_content_read,
    course_load_from_directory,
)
from grader.models import Exercise

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Course.objects.values_list("id", "slug")),
        sorted(Chapter.objects.values_list("id", "course_id", "number")),
        sorted(Exercise.objects.values_list("id", "slug", "chapter_id")),
    )


def _nothing_imported():
    return not (Course.objects.exists() or Chapter.objects.exists() or Exercise.objects.exists())


@pytest.fixture
def content(tmp_path):
    """A private copy of the sample course to break."""
    directory = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, directory, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


def test_it_loads_the_sample_course():
    result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)

    course = Course.objects.get(slug="llm-foundations")
    assert result.course == course
    assert course.title_zh == "大语言模型基础"
    assert list(course.chapters.values_list("number", "title_en")) == [
        (1, "Foundations of large models"),
        (2, "LLMs and generative AI"),
    ]
    assert Exercise.objects.filter(chapter__course=course).count() == 11
    softmax = Exercise.objects.get(slug="softmax")
    assert softmax.chapter.number == 2
    assert softmax.required_functions == ["softmax"]
    assert softmax.check_suite == "softmax"
    assert softmax.check_params == {}
    assert softmax.points == Decimal("10")
    assert (softmax.cpu_limit_seconds, softmax.wall_limit_seconds, softmax.memory_limit_mb) == (2.0, 5.0, 512)
    # The attempt limit and the window are the assignment's, one per exercise.
    assignment = softmax.assignment
    assert (assignment.course, assignment.slug, assignment.points) == (course, "softmax", Decimal("10"))
    assert assignment.attempt_limit is None and not assignment.is_closed
    assert "def softmax(x, axis=-1):" in softmax.reference_solution
    assert "raise NotImplementedError" in softmax.starter_code
    assert softmax.statement_zh.startswith("## ")
    assert Exercise.objects.get(slug="cosine-similarity").chapter.number == 1
    # The course, its chapters, and each exercise with its assignment.
    assert len(result.created) == 1 + 2 + 11 * 2 and not result.updated


def test_loading_twice_is_idempotent(django_assert_max_num_queries):
    course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    before = _snapshot()

    # Nothing changed: a few reads (the rows, and what the last load wrote to them) and no writes,
    # whatever the number of exercises.
    with django_assert_max_num_queries(7):
        result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)

    assert _snapshot() == before
    assert not result.changed
    assert result.unchanged == 1 + 2 + 11 * 2


def test_an_edit_made_since_the_last_load_is_kept_and_named_the_rest_left_alone(content):
    course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)
    Exercise.objects.filter(slug="softmax").update(points=3, title_en="edited in admin")
    closes_at = timezone.now()
    Assignment.objects.filter(slug="softmax").update(closes_at=closes_at, published=False)

    result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY)

    softmax = Exercise.objects.get(slug="softmax")
    assert result.updated == {}
    assert result.kept == {"exercise softmax": KeptRow(EDITED, ["title_en", "points"])}
    assert (softmax.points, softmax.title_en) == (Decimal("3"), "edited in admin")
    # The window and publication are the instructor's call, not the files'.
    assert (softmax.assignment.closes_at, softmax.assignment.published) == (closes_at, False)

    result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY, overwrite=True)

    softmax.refresh_from_db()
    assert result.updated == {"exercise softmax": ["title_en", "points"]} and result.kept == {}
    assert (softmax.points, softmax.title_en) == (Decimal("10"), "The softmax function")
    assert (softmax.assignment.closes_at, softmax.assignment.published) == (closes_at, False)


def test_a_changed_file_updates_only_what_changed(content):
    course_load_from_directory(directory=content)
    before = _snapshot()
    toml = content / "exercises" / "perplexity" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("points = 10", "points = 12.5") + "attempt_limit = 3\n")

    result = course_load_from_directory(directory=content)

    assert _snapshot() == before
    assert result.updated == {"exercise perplexity": ["points"], "assignment perplexity": ["points", "attempt_limit"]}
    perplexity = Exercise.objects.get(slug="perplexity")
    assert (perplexity.points, perplexity.assignment.points, perplexity.assignment.attempt_limit) == (
        Decimal("12.5"),
        Decimal("12.5"),
        3,
    )


def test_dry_run_writes_nothing():
    result = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY, dry_run=True)

    assert len(result.created) == 1 + 2 + 11 * 2
    assert _nothing_imported()


def test_an_unknown_key_names_the_file_and_imports_nothing(content):
    toml = content / "exercises" / "layer-norm" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "pionts = 3\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        course_load_from_directory(directory=content)

    assert str(toml) in str(caught.value)
    assert "unknown key 'pionts'" in str(caught.value)
    assert _nothing_imported()


def test_a_missing_statement_names_the_file_and_imports_nothing(content):
    missing = content / "exercises" / "attention" / "statement.en.md"
    missing.unlink()

    with pytest.raises(ContentError) as caught:
        course_load_from_directory(directory=content)

    assert caught.value.problems == [(missing, "missing file")]
    assert _nothing_imported()


def test_a_bad_file_leaves_an_earlier_load_untouched(content):
    course_load_from_directory(directory=content)
    before = _snapshot()
    toml = content / "exercises" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("points = 10", 'points = "ten"'), encoding="utf-8")
    (content / "exercises" / "ngram" / "solution.py").write_text("def ngram_probability(:\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        course_load_from_directory(directory=content)

    # Every problem is reported, each with its own file.
    message = str(caught.value)
    assert f"{toml}: points must be a number, not a string" in message
    assert f"{content / 'exercises' / 'ngram' / 'solution.py'}: Syntax error at line 1" in message
    assert _snapshot() == before
    assert Exercise.objects.get(slug="softmax").points == Decimal("10")
    assert ContentFingerprint.objects.count() == 25  # what the first load wrote, nothing of the failed one


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ('check_params = {}', 'check_params = { no_such_param = 1 }', "check_params: unknown parameter"),
        ('check_suite = "softmax"', 'check_suite = "no-such-suite"', "Unknown check suite 'no-such-suite'"),
        ("memory_limit_mb = 512", "memory_limit_mb = true", "memory_limit_mb must be an integer, not a boolean"),
        ('required_functions = ["softmax"]', 'required_functions = ["soft max"]', "Not Python function names · 不是合法的 Python 函数名: 'soft max'"),
        ('required_functions = ["softmax"]', 'required_functions = ["softmax", "helper"]', "Does not define helper"),
        ("chapter = 2", "chapter = 7", "chapter 7 is not among the chapters"),
        ("position = 3", "position = 4", "chapter 2 position 4 is also taken by 'attention'"),
        ('slug = "softmax"', 'slug = "soft-max"', "differs from its directory name"),
        ("points = 10", "points = 0.001", "at most 2 decimals"),
        ("cpu_limit_seconds = 2", "", "missing key 'cpu_limit_seconds'"),
        ("points = 10", "points = [", "invalid TOML"),
    ],
)
def test_invalid_exercise_settings_are_refused(content, replace, by, expected):
    toml = content / "exercises" / "softmax" / "exercise.toml"
    text = toml.read_text(encoding="utf-8")
    assert replace in text
    toml.write_text(text.replace(replace, by), encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        course_content_read(directory=content)

    assert expected in str(caught.value)
    assert str(content / "exercises") in str(caught.value)


def test_a_mistake_without_its_id_is_refused(content):
    path = content / "exercises" / "softmax" / "mistakes" / "whole_array.py"
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        course_content_read(directory=content)

    assert caught.value.problems[0][0] == path
    assert "# mistake: <mistake_id>" in caught.value.problems[0][1]


def test_a_bad_course_file_is_refused(content):
    course_toml = content / "course.toml"
    course_toml.write_text(course_toml.read_text(encoding="utf-8").replace("number = 2", "number = 1"), encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        course_content_read(directory=content)

    assert f"{course_toml}: chapters entry 2: chapter number 1 appears twice" in str(caught.value)


def test_an_exercise_slug_of_another_course_is_not_taken_over(content):
    other = Course.objects.create(slug="other", title_zh="其他", title_en="Other")
    chapter = Chapter.objects.create(course=other, number=1, title_zh="一", title_en="One")
    Exercise.objects.create(
        slug="softmax", chapter=chapter, title_zh="x", title_en="x", statement_zh="x", statement_en="x",
        reference_solution="def softmax(x, axis=-1):\n    return x\n", required_functions=["softmax"],
        check_suite="softmax",
    )

    with pytest.raises(ContentError, match="slug 'softmax' already belongs to course 'other'"):
        course_load_from_directory(directory=content)

    assert not Course.objects.filter(slug="llm-foundations").exists()
    assert Exercise.objects.get(slug="softmax").chapter == chapter


def test_seed_course_prints_a_one_line_summary(content):
    out = StringIO()
    call_command("seed_course", directory=content, stdout=out)
    assert out.getvalue().splitlines() == [
        "llm-foundations: 2 chapters · 章, 11 exercises · 练习 — 25 created · 新建, 0 updated · 更新, 0 kept · 保留, "
        "0 unchanged · 未变",
        "llm-foundations: 2 quizzes · 测验, 64 questions · 题 — 68 created · 新建, 0 updated · 更新, 0 kept · 保留, "
        "0 unchanged · 未变",
    ]

    out = StringIO()
    call_command("seed_course", directory=content, stdout=out)
    assert "0 created · 新建, 0 updated · 更新, 0 kept · 保留, 25 unchanged · 未变" in out.getvalue()


def test_seed_course_names_what_it_keeps_and_with_overwrite_what_it_overwrites():
    call_command("seed_course", stdout=StringIO())
    Course.objects.filter(slug="llm-foundations").update(title_en="Renamed in admin")

    out = StringIO()
    call_command("seed_course", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "  course llm-foundations: kept: edited in admin since the last load; --overwrite takes the files' version · "
        "已保留：上次加载后在管理后台修改过；--overwrite 以文件为准: title_en"
    )
    assert "0 updated · 更新, 1 kept · 保留" in lines[1]
    assert Course.objects.get().title_en == "Renamed in admin"

    out = StringIO()
    call_command("seed_course", overwrite=True, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "  course llm-foundations: overwritten from the files · 已按文件覆盖: title_en"
    assert "1 updated · 更新, 0 kept · 保留" in lines[1]
    assert Course.objects.get().title_en == "Foundations of Large Language Models"


def test_seed_course_fails_with_the_file_name(content):
    (content / "exercises" / "softmax" / "starter.py").unlink()

    with pytest.raises(CommandError) as caught:
        call_command("seed_course", directory=content, stdout=StringIO())

    assert str(content / "exercises" / "softmax" / "starter.py") in str(caught.value)
    assert _nothing_imported()
