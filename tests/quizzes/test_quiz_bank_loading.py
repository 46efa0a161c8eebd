"""`manage.py seed_course` loads the quiz banks of content/quizzes: rows, assignments, idempotence, refusals."""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.models import Assignment, Chapter, Course
from courses.services import SAMPLE_CONTENT_DIRECTORY
from quizzes.bank import load_bank
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path):
    """A private copy of the sample course to break."""
    directory = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT_DIRECTORY, directory, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


def _seed(directory=SAMPLE_CONTENT_DIRECTORY):
    out = StringIO()
    call_command("seed_course", directory=directory, stdout=out)
    return out.getvalue().splitlines()


def test_every_quiz_of_the_bank_becomes_rows_with_its_assignment():
    _seed()

    bank = load_bank(SAMPLE_CONTENT_DIRECTORY / "quizzes")
    course = Course.objects.get(slug="llm-foundations")
    for quiz in bank:
        row = Quiz.objects.get(slug=quiz.slug)
        assert (row.course, row.chapter.number, row.title_zh, row.title_en) == (
            course, quiz.chapter, quiz.title.zh, quiz.title.en,
        )  # fmt: skip
        questions = list(row.questions.order_by("position"))
        assert [q.key for q in questions] == [item.id for item in quiz.items]
        # The stored question gives back the very item of the file.
        assert [q.to_item() for q in questions] == list(quiz.items)
        assignment = Assignment.objects.get(slug=quiz.slug)
        assert (assignment.kind, assignment.quiz, assignment.course) == (Assignment.Kind.QUIZ, row, course)
        assert assignment.points == Decimal(quiz.points.numerator) / quiz.points.denominator


def test_a_second_run_changes_nothing_and_says_so():
    first = _seed()
    assert first[1] == (
        "llm-foundations: 2 quizzes · 测验, 64 questions · 题 — 68 created · 新建, 0 updated · 更新, 0 kept · 保留, "
        "0 unchanged · 未变"
    )
    stamps = dict(Quiz.objects.values_list("slug", "updated_at"))

    second = _seed()

    assert second[1].endswith("0 created · 新建, 0 updated · 更新, 0 kept · 保留, 68 unchanged · 未变")
    assert dict(Quiz.objects.values_list("slug", "updated_at")) == stamps


def _seed_args(*args, directory=SAMPLE_CONTENT_DIRECTORY):
    out = StringIO()
    call_command("seed_course", *args, directory=directory, stdout=out)
    return out.getvalue().splitlines()


KEPT = (
    "kept: edited in admin since the last load; --overwrite takes the files' version · "
    "已保留：上次加载后在管理后台修改过；--overwrite 以文件为准"
)


def test_a_question_edited_in_admin_is_kept_and_named_the_rest_left_alone():
    _seed()
    question = Question.objects.get(key="c1-deep-blue-weak-ai")
    # As admin saves it: the whole row, one field changed.
    question.prompt_en, question.points = "Edited in admin", Decimal("2")
    question.full_clean()
    question.save()
    Assignment.objects.filter(slug="chapter-1-quiz").update(attempt_limit=3, published=False)
    Quiz.objects.filter(slug="chapter-1-quiz").update(answers_shown=Quiz.AnswersShown.AFTER_CLOSE)

    lines = _seed()

    assert f"  question chapter-1-quiz/c1-deep-blue-weak-ai: {KEPT}: points, prompt_en" in lines
    assert lines[-1].endswith("0 created · 新建, 0 updated · 更新, 1 kept · 保留, 67 unchanged · 未变")
    question.refresh_from_db()
    assert (question.prompt_en, question.points) == ("Edited in admin", Decimal("2"))
    assignment = Assignment.objects.get(slug="chapter-1-quiz")
    assert (assignment.attempt_limit, assignment.published) == (3, False)
    assert Quiz.objects.get(slug="chapter-1-quiz").answers_shown == Quiz.AnswersShown.AFTER_CLOSE
    # Kept on every later run too, and said again: nothing is updated.
    assert f"  question chapter-1-quiz/c1-deep-blue-weak-ai: {KEPT}: points, prompt_en" in _seed()


def test_overwrite_takes_the_files_version_of_an_edited_question():
    _seed()
    Question.objects.filter(key="c1-deep-blue-weak-ai").update(prompt_en="Edited in admin")

    lines = _seed_args("--overwrite")

    assert "  question chapter-1-quiz/c1-deep-blue-weak-ai: overwritten from the files · 已按文件覆盖: prompt_en" in lines
    assert Question.objects.get(key="c1-deep-blue-weak-ai").prompt_en.startswith("The chess program Deep Blue")
    # What --overwrite wrote is now what the last load wrote: the next run leaves it unchanged.
    assert _seed()[-1].endswith("0 updated · 更新, 0 kept · 保留, 68 unchanged · 未变")


def test_a_question_changed_in_the_files_and_not_in_admin_is_updated(content):
    _seed(content)
    path = content / "quizzes" / "chapter-1-quiz.toml"
    bank = load_bank(content / "quizzes")
    prompt = next(item for item in bank[0].items if item.id == "c1-deep-blue-weak-ai").prompt.en
    text = path.read_text(encoding="utf-8")
    assert text.count(prompt) == 1
    path.write_text(text.replace(prompt, "Shipped in a release."), encoding="utf-8")

    lines = _seed(content)

    assert "  question chapter-1-quiz/c1-deep-blue-weak-ai: overwritten from the files · 已按文件覆盖: prompt_en" in lines
    assert Question.objects.get(key="c1-deep-blue-weak-ai").prompt_en == "Shipped in a release."
    assert _seed(content)[-1].endswith("0 updated · 更新, 0 kept · 保留, 68 unchanged · 未变")


def test_a_dry_run_reports_an_edited_question_and_writes_nothing(content):
    _seed(content)
    Question.objects.filter(key="c1-deep-blue-weak-ai").update(prompt_en="Edited in admin")
    before = list(Question.objects.order_by("pk").values())

    lines = _seed_args("--dry-run", "--overwrite", directory=content)

    overwritten = "would be overwritten from the files · 已按文件覆盖: prompt_en"
    assert f"  question chapter-1-quiz/c1-deep-blue-weak-ai: {overwritten}" in lines
    assert list(Question.objects.order_by("pk").values()) == before
    lines = _seed_args("--dry-run", directory=content)
    assert f"  question chapter-1-quiz/c1-deep-blue-weak-ai: {KEPT}: prompt_en" in lines
    assert lines[-1].startswith("[dry run · 试运行] ")
    assert list(Question.objects.order_by("pk").values()) == before


def test_a_broken_item_stops_the_load_naming_file_and_item_and_nothing_is_written(content):
    path = content / "quizzes" / "chapter-2-quiz.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('type = "true_false"', 'type = "true_or_false"', 1), encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        _seed(content)

    message = str(caught.value)
    assert str(path) in message and "item " in message and "true_or_false" in message
    assert not (Course.objects.exists() or Quiz.objects.exists() or Question.objects.exists()
                or Assignment.objects.exists())  # fmt: skip


def test_a_broken_bank_leaves_an_earlier_load_untouched(content):
    _seed(content)
    before = list(Question.objects.order_by("pk").values())
    path = content / "quizzes" / "chapter-1-quiz.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[items]]\nid = \"half\"\n", encoding="utf-8")
    Course.objects.filter(slug="llm-foundations").update(title_en="Renamed in admin")

    with pytest.raises(CommandError, match="half"):
        _seed(content)

    assert list(Question.objects.order_by("pk").values()) == before
    assert Course.objects.get().title_en == "Renamed in admin"  # the course load was rolled back too


def test_a_quiz_in_a_chapter_the_course_lacks_is_refused(content):
    path = content / "quizzes" / "chapter-2-quiz.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("chapter = 2", "chapter = 9", 1), encoding="utf-8")

    with pytest.raises(CommandError, match="chapter 9 is not a chapter"):
        _seed(content)

    assert not Quiz.objects.exists() and not Chapter.objects.exists()


def test_a_slug_taken_by_another_course_s_quiz_is_refused(content):
    other = Course.objects.create(slug="other", title_en="Other", title_zh="其他")
    Quiz.objects.create(course=other, slug="chapter-1-quiz", title_en="Theirs", title_zh="他们的")

    with pytest.raises(CommandError, match="already belongs to another course"):
        _seed(content)

    assert Quiz.objects.get(slug="chapter-1-quiz").title_en == "Theirs"
    assert not Question.objects.exists()
