"""`manage.py seed_course`: load the sample course from content/ (run by every `make install`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.content_rows import EDITED, UNRECORDED
from courses.services import SAMPLE_CONTENT_DIRECTORY, ContentError, course_load_from_directory
from quizzes.bank import BankError
from quizzes.bank_loading import quiz_bank_load

_KEPT = {
    EDITED: (
        "kept: edited in admin since the last load; --overwrite takes the files' version · "
        "已保留：上次加载后在管理后台修改过；--overwrite 以文件为准"
    ),
    UNRECORDED: (
        "kept: differs from the files and no earlier load is recorded; --overwrite takes the files' version · "
        "已保留：与文件不同且没有上次加载的记录；--overwrite 以文件为准"
    ),
}


class Command(BaseCommand):
    help = (
        "Create or update a course, its chapters and exercises from a content directory (default: the sample "
        "course in content/), and the quizzes in its quizzes/ folder (*.toml), each with its assignment. "
        "Run by every `make install`, `make run` and deploy, so it never undoes an instructor's work: each load "
        "records what it wrote to each row, and the next one updates from the files only the rows still as it "
        "left them (so content shipped in a release arrives). A row changed in admin since the last load is kept "
        "and named in the output with the fields changed; so is a row that differs from the files when no load "
        "recorded it (loaded before this record existed). --overwrite takes the files' version for every row; "
        "--dry-run reports everything and writes nothing. Left alone: an assignment's dates, late policy and "
        "publication (unless the file sets it), enrollments, submissions, and anything not in the files; nothing "
        "is deleted. A second run with unchanged files writes nothing. "
        "A bad file aborts the whole load (nothing is written) with an error naming the file. "
        "从内容目录（默认 content/ 中的示例课程）创建或更新课程、章节、练习和测验。每次 make install、make run "
        "和部署都会运行，因此不会撤销教师的修改：每次加载都记录写入每一行的内容，下次只按文件更新仍保持上次加载结果的行"
        "（发布版本中的内容更新照常生效）；上次加载后在管理后台修改过的行会保留，并在输出中列出改动的字段；"
        "没有加载记录且与文件不同的行（在此记录出现之前加载的）同样保留。--overwrite 一律以文件为准；"
        "--dry-run 报告全部结果但不写入。作业的日期、迟交规则和发布状态（文件未指定时）、选课记录、提交以及文件之外的内容"
        "不受影响，也不会删除任何内容。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=SAMPLE_CONTENT_DIRECTORY,
            help="Content directory holding course.toml, exercises/ and quizzes/ (default: the project's content/).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would be created, updated or kept, then roll back. · 试运行：只报告，不写入。",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Take the files' version even for rows changed in admin since the last load. · 以文件为准，覆盖管理后台的修改。",
        )

    def handle(self, *args, directory, dry_run, overwrite, verbosity, **options):
        quiz_directory = directory / "quizzes"
        try:
            # One transaction: a broken quiz bank leaves the course as it was, too.
            with transaction.atomic():
                result = course_load_from_directory(directory=directory, overwrite=overwrite)
                quizzes = (
                    quiz_bank_load(directory=quiz_directory, course=result.course, overwrite=overwrite)
                    if quiz_directory.is_dir()
                    else None
                )
                if dry_run:
                    transaction.set_rollback(True)
        except (ContentError, BankError) as exc:
            raise CommandError(f"Content not loaded · 内容未导入:\n{exc}") from None

        if verbosity == 0:
            return
        would = "would be " if dry_run else ""
        updated = {**result.updated, **(quizzes.updated if quizzes else {})}
        for label, fields in updated.items():
            self.stdout.write(f"  {label}: {would}overwritten from the files · 已按文件覆盖: {', '.join(fields)}")
        for label, kept in {**result.kept, **(quizzes.kept if quizzes else {})}.items():
            self.stdout.write(f"  {label}: {_KEPT[kept.reason]}: {', '.join(kept.fields)}")
        counts = (
            f"{len(result.created)} {would}created · 新建, {len(result.updated)} {would}updated · 更新, "
            f"{len(result.kept)} kept · 保留, {result.unchanged} unchanged · 未变"
        )
        line = (
            f"{result.course.slug}: {result.chapter_count} chapters · 章, "
            f"{result.exercise_count} exercises · 练习 — {counts}"
        )
        line = f"{'[dry run · 试运行] ' if dry_run else ''}{line}"
        self.stdout.write(self.style.SUCCESS(line) if result.changed and not dry_run else line)
        if quizzes is not None:
            counts = (
                f"{len(quizzes.created)} {would}created · 新建, {len(quizzes.updated)} {would}updated · 更新, "
                f"{len(quizzes.kept)} kept · 保留, {quizzes.unchanged} unchanged · 未变"
            )
            line = (
                f"{'[dry run · 试运行] ' if dry_run else ''}{result.course.slug}: {quizzes.quiz_count} quizzes · 测验, "
                f"{quizzes.question_count} questions · 题 — {counts}"
            )
            self.stdout.write(self.style.SUCCESS(line) if quizzes.changed and not dry_run else line)
