"""The regrade request page in words a teacher understands: which submissions, how many, how far it has got."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses.models import Chapter, Course, Enrollment
from grader.models import Exercise, RegradeRequest

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def regrade_and_teacher():
    course = Course.objects.create(slug="alpha", title_en="Alpha", title_zh="甲")
    chapter = Chapter.objects.create(course=course, number=1, title_en="One", title_zh="一")
    exercise = Exercise.objects.create(
        slug="alpha-softmax", chapter=chapter, title_en="Softmax", title_zh="软最大",
        statement_zh="题目", statement_en="Statement",
        reference_solution="def softmax(x):\n    return x\n", required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    teacher = User.objects.create_user(username="alpha-teacher", is_staff=True)
    Enrollment.objects.create(user=teacher, course=course, role=Enrollment.Role.INSTRUCTOR)
    regrade = RegradeRequest.objects.create(exercise=exercise, scope="exercise alpha-softmax", total=4, requested_by=teacher)
    return regrade, teacher


@pytest.mark.parametrize(
    ("language", "shown", "gone"),
    [
        ("en", ["Submissions covered", "Which submissions", "How many submissions this request queued to be graded again.",
                "Regraded so far / covered"], ["Total", "What was asked, in words."]),
        ("zh-hans", ["涵盖的提交数", "涉及的提交", "此请求排队重新评分的提交数量。", "已重新评分 / 涵盖的提交数"],
         ["Total", "What was asked", "Submissions covered"]),
    ],
)  # fmt: skip
def test_the_regrade_request_page_says_what_its_numbers_count(client, regrade_and_teacher, language, shown, gone):
    regrade, teacher = regrade_and_teacher
    client.force_login(teacher)
    page = client.get(
        reverse("admin:grader_regraderequest_change", args=[regrade.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    for text in shown:
        assert text in page, text
    for text in gone:
        assert text not in page, text
    assert "0 / 4" in page  # nothing regraded yet of the four covered


def test_the_regrade_request_list_heads_its_progress_column_plainly(client, regrade_and_teacher):
    _regrade, teacher = regrade_and_teacher
    client.force_login(teacher)
    page = client.get(reverse("admin:grader_regraderequest_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已重新评分 / 涵盖的提交数" in page and "重新评分请求" in page
    assert "Done / total" not in page
