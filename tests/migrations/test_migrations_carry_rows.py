"""The migrations to runs, assignments and grades carry today's rows over, on a database with data.

The database is taken back to the schema before them (MigrationExecutor),
filled the way the old code filled it, and migrated forward again.
"""

from decimal import Decimal

import pytest

from tests.migrations.schema import latest_nodes, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("courses", "0001_initial"), ("grader", "0002_test_result_name_zh"), ("grades", None)]


@pytest.fixture
def old_apps(schema_back_to):
    return schema_back_to(BEFORE)


def _old_rows(apps):
    User = apps.get_model("auth", "User")
    Course, Chapter, Enrollment = (apps.get_model("courses", n) for n in ("Course", "Chapter", "Enrollment"))
    Exercise, Submission, TestResult = (apps.get_model("grader", n) for n in ("Exercise", "Submission", "TestResult"))
    course = Course.objects.create(slug="old", title_en="Old", title_zh="旧")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    common = {"chapter": chapter, "title_en": "x", "title_zh": "x", "statement_en": "x", "statement_zh": "x",
              "reference_solution": "x", "required_functions": ["softmax"], "check_suite": "softmax"}  # fmt: skip
    open_ex = Exercise.objects.create(slug="old-open", points=10, attempt_limit=3, **common)
    closed_ex = Exercise.objects.create(slug="old-closed", points=5, is_open=False, **common)
    alice, bob = (User.objects.create(username=name) for name in ("alice", "bob"))
    for user in (alice, bob):
        Enrollment.objects.create(user=user, course=course)

    def submission(user, exercise, status, score=None, attempts=1):
        return Submission.objects.create(
            user=user, exercise=exercise, code="x", code_sha256="0" * 64, seed=42, status=status, score=score,
            max_score=None if score is None else Decimal(exercise.points), feedback_en="fb", feedback_zh="反馈",
            attempts=attempts,
        )  # fmt: skip

    graded = submission(alice, open_ex, "graded", Decimal("6"), attempts=2)
    better = submission(alice, open_ex, "graded", Decimal("8"))
    for position in (1, 2):
        TestResult.objects.create(submission=graded, position=position, name=f"case {position}", name_zh=f"用例 {position}",
                                  hidden=False, passed=True, points=3, max_points=5)  # fmt: skip
    submission(bob, open_ex, "queued", attempts=0)
    submission(bob, closed_ex, "internal_error")
    return {"graded": graded.pk, "better": better.pk}


def test_every_row_is_carried_over(old_apps):
    ids = _old_rows(old_apps)
    migrate_to(latest_nodes())

    from courses.models import Assignment
    from grader.models import GradingRun, Submission, TestResult
    from grades.models import Grade, GradeChange

    # Each exercise became an assignment holding its attempt limit and its availability.
    open_a, closed_a = Assignment.objects.get(slug="old-open"), Assignment.objects.get(slug="old-closed")
    assert (open_a.attempt_limit, open_a.points, open_a.is_closed) == (3, Decimal("10"), False)
    assert (closed_a.points, closed_a.is_closed) == (Decimal("5"), True)

    # Each submission got one run with its result, claims and test rows.
    assert GradingRun.objects.count() == Submission.objects.count() == 4
    graded = Submission.objects.get(pk=ids["graded"])
    run = graded.current_run
    assert (run.status, run.score, run.claim_count, run.seed, run.suite_version) == ("graded", Decimal("6"), 2, 42, "legacy")
    assert list(TestResult.objects.filter(run=run).values_list("position", "name_en", "name_zh")) == [
        (1, "case 1", "用例 1"), (2, "case 2", "用例 2"),
    ]  # fmt: skip
    assert all(s.current_run.submission_id == s.pk for s in Submission.objects.select_related("current_run"))

    # Each student with submissions got a grade per assignment, as the policy says.
    grades = {(g.user.username, g.assignment.slug): g for g in Grade.objects.select_related("user", "assignment")}
    assert set(grades) == {("alice", "old-open"), ("bob", "old-open"), ("bob", "old-closed")}
    best = grades["alice", "old-open"]
    assert (best.score, best.state, best.source_submission_id) == (Decimal("8.000"), "graded", ids["better"])
    assert grades["bob", "old-open"].state == "pending"
    assert grades["bob", "old-closed"].state == "not_submitted"  # our failure is no grade
    sequences = sorted(GradeChange.objects.values_list("sequence", flat=True))
    assert len(set(sequences)) == 3 and sorted(g.sequence for g in grades.values()) == sequences

    # The sequence goes on from there for the next change.
    from grades.sequence import grade_sequence_next

    assert grade_sequence_next() > max(sequences)
