"""The pages a newcomer opens first: the catalogue and an exercise's statement."""

import pytest

from courses.models import Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory
from grader.models import Exercise


@pytest.fixture
def sample_course(db):
    return course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course


@pytest.fixture
def student_client(client, sample_course, django_user_model):
    student = django_user_model.objects.create_user(username="student", password="-")
    Enrollment.objects.create(user=student, course=sample_course, role=Enrollment.Role.STUDENT)
    client.force_login(student)
    return client


def test_home_lists_every_exercise_in_english(student_client):
    client = student_client
    response = client.get("/?lang=en")
    assert response.status_code == 200
    page = response.content.decode()
    for exercise in Exercise.objects.all():
        assert exercise.title_en in page
        assert f"/exercises/{exercise.slug}/" in page


def test_home_in_chinese_from_the_browser_language(client, sample_course):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "第 2 章" in page
    assert Exercise.objects.get(slug="softmax").title_zh in page


def test_home_query_count_does_not_grow_with_exercises(client, sample_course, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/")


def test_home_without_a_course_says_what_to_do(client, db):
    assert "make install" in client.get("/?lang=en").content.decode()


def test_exercise_page_renders_the_statement(student_client):
    client = student_client
    response = client.get("/exercises/softmax/?lang=en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Background</h2>" in page
    assert "def softmax(x, axis=-1):" in page
    zh = client.get("/exercises/softmax/?lang=zh").content.decode()
    assert Exercise.objects.get(slug="softmax").title_zh in zh


def test_a_statement_cannot_inject_script(student_client):
    client = student_client
    Exercise.objects.filter(slug="softmax").update(statement_en="Hi <script>alert(1)</script> <img src=x onerror=alert(1)>")
    page = client.get("/exercises/softmax/?lang=en").content.decode()
    assert "<script>alert" not in page
    assert "onerror" not in page


def test_unknown_exercise_is_404(student_client):
    assert student_client.get("/exercises/nope/").status_code == 404


def test_tex_math_is_shown_as_written_not_as_emphasis():
    from grader.markdown_render import markdown_to_safe_html

    rendered = markdown_to_safe_html("For $x_i$ and $y_j$:\n\n$$\\sum_{j} e^{x_j}$$\n\n```python\nprice = '$5 and $6'\n```\n")
    assert "<code>x_i</code>" in rendered or 'class="math">x_i<' in rendered
    assert "<em>" not in rendered
    assert "\\sum_{j} e^{x_j}" in rendered
    assert "price = '$5 and $6'" in rendered.replace("&#x27;", "'").replace("&#39;", "'")
