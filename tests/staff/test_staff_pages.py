"""The staff pages of a course (gradebook, analytics, their CSVs), for the course's instructor,
its teaching assistant, another course's instructor, a student and a stranger."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff_world import add_students
from staff.tables import TABLE_NAMES

pytestmark = pytest.mark.django_db


def _pages(slug):
    yield reverse("staff:gradebook", args=[slug])
    yield reverse("staff:gradebook-csv", args=[slug])
    yield reverse("staff:analytics", args=[slug])
    for name in TABLE_NAMES:
        yield reverse("staff:analytics-csv", args=[slug, name])


PAGES = list(range(3 + len(TABLE_NAMES)))


def _page(slug, index):
    return list(_pages(slug))[index]


@pytest.mark.parametrize("index", PAGES)
@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_the_course_s_teaching_staff_open_every_page(client, alpha, beta, index, who):
    client.force_login(getattr(alpha, who))
    response = client.get(_page(alpha.course.slug, index))
    assert response.status_code == 200
    body = response.content.decode()
    assert "beta" not in body


@pytest.mark.parametrize("index", PAGES)
def test_another_course_s_instructor_finds_no_such_page(client, alpha, beta, index):
    client.force_login(beta.instructor)
    assert client.get(_page(alpha.course.slug, index)).status_code == 404
    # Not even a slug that exists tells them more than one that does not.
    assert client.get(_page("no-such-course", index)).status_code == 404


@pytest.mark.parametrize("index", PAGES)
def test_a_student_of_the_course_finds_no_such_page(client, alpha, beta, index):
    client.force_login(alpha.students[0])
    assert client.get(_page(alpha.course.slug, index)).status_code == 404


@pytest.mark.parametrize("index", PAGES)
def test_a_visitor_who_is_not_signed_in_finds_no_such_page(client, alpha, index):
    assert client.get(_page(alpha.course.slug, index)).status_code == 404


def test_an_unknown_analytics_table_is_not_found(client, alpha):
    client.force_login(alpha.instructor)
    assert client.get(reverse("staff:analytics-csv", args=[alpha.course.slug, "passwords"])).status_code == 404


def test_the_teaching_list_shows_the_staffed_courses_only(client, alpha, beta):
    client.force_login(alpha.ta)
    body = client.get(reverse("staff:course-list")).content.decode()
    assert reverse("staff:gradebook", args=[alpha.course.slug]) in body
    assert "beta" not in body
    client.force_login(alpha.students[0])
    body = client.get(reverse("staff:course-list")).content.decode()
    # (The page's header names the student, whose username starts with the course's slug.)
    assert reverse("staff:gradebook", args=[alpha.course.slug]) not in body


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("index", PAGES)
def test_each_page_costs_the_same_queries_for_three_students_or_nine(client, alpha, index):
    client.force_login(alpha.ta)
    url = _page(alpha.course.slug, index)
    client.get(url)  # the session is loaded and cached alike for both counts
    small = _count_queries(client, url)
    add_students(alpha, 6, start=10)
    assert _count_queries(client, url) == small


EXPECTED_QUERIES = {"gradebook": 6, "analytics": 12}


@pytest.mark.parametrize("page", EXPECTED_QUERIES)
def test_the_query_count_of_the_big_pages(client, alpha, page, django_assert_num_queries):
    client.force_login(alpha.instructor)
    url = reverse(f"staff:{page}", args=[alpha.course.slug])
    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        assert client.get(url).status_code == 200


def test_the_gradebook_shows_scores_late_and_excused_with_links_to_the_history(client, alpha):
    from courses.models import Excusal
    from grades.models import Grade
    from grades.services import grade_recompute

    on_time, mistaken, late = alpha.students
    Excusal.objects.create(assignment=alpha.quiz_assignment, user=mistaken)
    grade_recompute(student=mistaken, assignment=alpha.quiz_assignment, cause="excused")
    client.force_login(alpha.ta)
    response = client.get(reverse("staff:gradebook", args=[alpha.course.slug]))
    rows = {row.student.username: cells for row, cells in response.context["rows"]}
    # Columns by slug (grades.gradebook): the quiz, then the exercise.
    assert [cell.text for cell in rows[on_time.username]] == ["2", "10"]
    assert [cell.css for cell in rows[mistaken.username]] == ["excused", "graded"]
    assert rows[mistaken.username][0].text == "EX"
    # Late by two hours: one day's 10% off the full marks.
    assert (rows[late.username][1].text, rows[late.username][1].css) == ("9", "late")
    grade = Grade.objects.get(user=late, assignment=alpha.coding)
    assert rows[late.username][1].url == reverse("admin:grades_grade_change", args=[grade.pk])
    body = response.content.decode()
    assert reverse("admin:grades_grade_change", args=[grade.pk]) in body
    assert f'id="student-{late.username}"' in body
    # The TA follows the link to the grade's history.
    history = client.get(rows[late.username][1].url)
    assert history.status_code == 200
    change = grade.changes.last()
    assert str(change.sequence) in history.content.decode()


def test_the_canvas_csv(client, alpha):
    from courses.models import Excusal
    from grades.services import grade_recompute

    Excusal.objects.create(assignment=alpha.quiz_assignment, user=alpha.students[1])
    grade_recompute(student=alpha.students[1], assignment=alpha.quiz_assignment, cause="excused")
    client.force_login(alpha.instructor)
    response = client.get(reverse("staff:gradebook-csv", args=[alpha.course.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="alpha-course-gradebook.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # The LMS's builder (grades.gradebook), so both downloads are the same file.
    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "alpha quiz (alpha-quiz)", "alpha softmax (alpha-softmax)",
    ]  # fmt: skip
    assert rows[1] == ["Points Possible", "", "", "", "", "2", "10"]
    by_name = {row[0]: row for row in rows[2:]}
    assert by_name["alpha-course-s00"][5:] == ["2", "10"]
    assert by_name["alpha-course-s01"][5:] == ["EX", "5"]
    assert by_name["alpha-course-s02"][5:] == ["0", "9"]
    assert len(rows) == 2 + 3


def test_the_analytics_tables(client, alpha):
    client.force_login(alpha.instructor)

    def table(name):
        response = client.get(reverse("staff:analytics-csv", args=[alpha.course.slug, name]))
        return list(csv.reader(io.StringIO(response.content.decode())))[1:]

    scores = {(row[0], int(row[2])): int(row[4]) for row in table("score-distribution")}
    # softmax: 10/10, 5/10 and 9/10 (late); the quiz: 2/2, 1/2, 0/2.
    assert scores[("alpha-softmax", 90)] == 2 and scores[("alpha-softmax", 50)] == 1
    assert sum(count for (slug, _), count in scores.items() if slug == "alpha-softmax") == 3
    assert scores[("alpha-quiz", 90)] == 1 and scores[("alpha-quiz", 50)] == 1 and scores[("alpha-quiz", 0)] == 1

    questions = {row[1]: row for row in table("quiz-questions")}
    # q1 earned by 2 of 3; upper (s00, 2/2) minus lower (s02, 0/2): 1 − 0.
    assert questions["q1"][2:] == ["3", "0.667", "1.000"]
    assert questions["q2"][2:] == ["3", "0.333", "1.000"]

    # Latest run of each of 4 submissions: "large inputs" failed in 2, by the known mistake.
    assert table("tests-failed") == [["alpha-softmax", "large inputs", "2", "4"]]
    assert table("known-mistakes") == [["alpha-softmax", "no_max_subtraction", "2", "4"]]

    # s00: 3 h from the first try to full marks; s02: right away; s01 never.
    assert table("time-to-full-marks") == [["alpha-softmax", "3", "2", "0.00", "0.75", "1.50", "2.25", "3.00"]]


def test_the_analytics_page_draws_every_plot_with_a_title_a_description_and_its_table(client, alpha):
    client.force_login(alpha.ta)
    body = client.get(reverse("staff:analytics", args=[alpha.course.slug])).content.decode()
    for chart_id in ("scores-alpha-softmax", "scores-alpha-quiz", "questions-alpha-quiz", "tests-alpha-softmax",
                     "mistakes-alpha-softmax", "time-to-full"):  # fmt: skip
        assert f'id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in body
        assert f'<title id="{chart_id}-title">' in body and f'<desc id="{chart_id}-desc">' in body
    for name in TABLE_NAMES:
        assert f'id="table-{name}"' in body
        assert reverse("staff:analytics-csv", args=[alpha.course.slug, name]) in body


def test_the_pages_speak_chinese(client, alpha):
    client.force_login(alpha.ta)
    body = client.get(reverse("staff:gradebook", args=[alpha.course.slug]) + "?lang=zh").content.decode()
    assert "成绩册" in body
    body = client.get(reverse("staff:analytics", args=[alpha.course.slug]) + "?lang=zh").content.decode()
    assert "分数分布" in body


def test_the_course_s_admin_page_links_to_its_staff_pages(client, alpha):
    client.force_login(alpha.ta)
    body = client.get(reverse("admin:courses_course_change", args=[alpha.course.pk])).content.decode()
    assert reverse("staff:gradebook", args=[alpha.course.slug]) in body
    assert reverse("staff:analytics", args=[alpha.course.slug]) in body



@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_every_admin_page_links_to_the_teaching_pages(client, alpha, who):
    # Signed in to admin, a newcomer found the gradebook and analytics only inside a course's page.
    client.force_login(getattr(alpha, who))
    for url in (reverse("admin:index"), reverse("admin:courses_assignment_changelist")):
        body = client.get(url).content.decode()
        assert f'<a id="staff-pages-link" href="{reverse("staff:course-list")}">' in body, url

def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client, alpha):
    student = alpha.students[0]
    student.first_name, student.last_name = "=HYPERLINK(\"http://evil\")", ""
    student.save()
    client.force_login(alpha.instructor)
    response = client.get(reverse("staff:gradebook-csv", args=[alpha.course.slug]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert "'=HYPERLINK(\"http://evil\")" in [row[0] for row in rows[2:]]
