"""`manage.py seed_course`: load the sample course from content/ (run by every `make install`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.services import SAMPLE_CONTENT_DIRECTORY, ContentError, course_load_from_directory
from quizzes.bank import BankError
from quizzes.bank_loading import quiz_bank_load


class Command(BaseCommand):
    help = (
        "Create or update a course, its chapters and exercises from a content directory (default: the sample "
        "course in content/). The files are the source of truth for that course: every field they define is set "
        "from them on each run, so an edit made in admin to such a field of this course is overwritten — each "
        "overwritten field is named in the output; use --dry-run to see them first. To keep a change, make it in "
        "the files. Left alone: whether an exercise is open, enrollments, submissions, and any chapter, exercise "
        "or course not in the files; nothing is deleted. A second run with unchanged files writes nothing. "
        "The quizzes in its quizzes/ folder (*.toml) are loaded into that course the same way, each with its "
        "assignment (whose dates, attempt limit and publication are left to admin). "
        "A bad file aborts the whole load (nothing is written) with an error naming the file. "
        "从内容目录（默认 content/ 中的示例课程）创建或更新课程、章节、练习和测验。文件是该课程的唯一来源："
        "文件中定义的字段每次都会被覆盖（输出中会列出被覆盖的字段，可先用 --dry-run 查看）；"
        "练习是否开放、选课记录以及文件之外的内容不受影响，也不会删除任何内容。"
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
            help="Validate and report what would be created or overwritten, then roll back.",
        )

    def handle(self, *args, directory, dry_run, verbosity, **options):
        quiz_directory = directory / "quizzes"
        try:
            # One transaction: a broken quiz bank leaves the course as it was, too.
            with transaction.atomic():
                result = course_load_from_directory(directory=directory)
                quizzes = quiz_bank_load(directory=quiz_directory, course=result.course) if quiz_directory.is_dir() else None
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
        counts = (
            f"{len(result.created)} {would}created · 新建, {len(result.updated)} {would}updated · 更新, "
            f"{result.unchanged} unchanged · 未变"
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
                f"{quizzes.unchanged} unchanged · 未变"
            )
            line = (
                f"{'[dry run · 试运行] ' if dry_run else ''}{result.course.slug}: {quizzes.quiz_count} quizzes · 测验, "
                f"{quizzes.question_count} questions · 题 — {counts}"
            )
            self.stdout.write(self.style.SUCCESS(line) if quizzes.changed and not dry_run else line)
