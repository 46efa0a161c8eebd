"""The reference checks found by the fingerprint migration: kept, but out of date for publishing.

Nobody recorded what an old check checked, so it cannot vouch for the exercise
as it is now; an assignment already published stays published.
"""

import pytest

from tests.migrations.schema import latest_nodes, migrate_to
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("grader", "0005_test_result_visible_data")


@pytest.fixture
def old_apps(one_app_back_to):
    # Every other app as it is now; grader just before the fingerprint.
    return one_app_back_to(*BEFORE)


def test_old_checks_are_kept_out_of_date_and_publication_made_stays(old_apps):
    Course, Chapter, Assignment = (old_apps.get_model("courses", n) for n in ("Course", "Chapter", "Assignment"))
    Exercise, ReferenceCheck = (old_apps.get_model("grader", n) for n in ("Exercise", "ReferenceCheck"))
    course = Course.objects.create(slug="old", title_en="Old", title_zh="旧")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    common = {"chapter": chapter, "title_en": "x", "title_zh": "x", "statement_en": "x", "statement_zh": "x",
              "reference_solution": "def softmax(x, axis=-1):\n    return x\n", "required_functions": ["softmax"],
              "check_suite": "softmax"}  # fmt: skip
    ids = {}
    for slug, published in (("old-live", True), ("old-draft", False)):
        exercise = Exercise.objects.create(slug=slug, **common)
        Assignment.objects.create(course=course, slug=slug, exercise=exercise, points=10, published=published)
        ids[slug] = ReferenceCheck.objects.create(exercise=exercise, status="passed", runs=3).pk

    migrate_to(latest_nodes())

    from courses.models import Assignment as NewAssignment
    from grader.models import ReferenceCheck as NewCheck

    checks = NewCheck.objects.filter(pk__in=ids.values())
    assert sorted(checks.values_list("status", "runs", "fingerprint")) == [("passed", 3, "unknown")] * 2
    # Published before: still published, and still editable.
    live = NewAssignment.objects.get(slug="old-live")
    assert live.published
    live.full_clean()
    # Not yet published: its old check no longer lets it be.
    draft = NewAssignment.objects.get(slug="old-draft")
    draft.published = True
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "out of date" in str(refused.value.message_dict["published"])
