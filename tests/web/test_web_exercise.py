"""The coding page: statement, editor, submit and precheck, live status, tests, heatmap, history; who sees what."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from courses.models import Assignment
from grader.models import Exercise, Submission, TestResult
from grader.services import submission_create
from web.models import Precheck

from web_helpers import grade_pending

CODE = "import numpy as np\n\ndef scaled_dot_product_attention(q, k, v, mask=None):\n    return q, q\n"
HOSTILE = 'x = "</script><script>alert(1)</script>"\ny = "{{ 7|add:1 }} {% now \'Y\' %}"\n' + CODE
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def attention(sample_course):
    return Exercise.objects.get(slug="attention")


def test_the_page_shows_the_statement_the_editor_and_the_terms_before_submitting(as_user, alice, attention):
    assignment = Assignment.objects.get(slug="attention")
    assignment.due_at = timezone.now() + timedelta(days=3)
    assignment.late_penalty_per_day = 20
    assignment.late_penalty_cap = 60
    assignment.attempt_limit = 5
    assignment.save()
    page = as_user(alice).get("/exercises/attention/?lang=en").content.decode()
    assert '<pre class="math">' in page  # rendered by KaTeX in the browser
    assert '<textarea id="id_code" name="code"' in page
    assert "def scaled_dot_product_attention(q, k, v, mask=None):" in page  # the starter code
    assert assignment.due_at.strftime("%Y-%m-%d %H:%M") in page
    assert "20% per day or part of a day late, at most 60%" in page
    assert "0 of 5 used" in page
    assert page.index("Late penalty") < page.index('name="code"')
    for script in ("htmx.min.js", "katex.min.js", "math.js", "codemirror.js", "python.js", "exercise.js"):
        assert f"/static/web/" in page and script in page
    assert "<style" not in page and " style=" not in page and "<script>" not in page


def test_the_page_in_chinese(as_user, alice, attention):
    page = as_user(alice).get("/exercises/attention/?lang=zh").content.decode()
    assert attention.title_zh in page
    assert "运行公开测试" in page and "你的代码" in page and "提交次数" in page


def test_submit_without_javascript_redirects_and_the_page_shows_it_pending(as_user, alice, attention):
    client = as_user(alice)
    response = client.post("/exercises/attention/submit/", {"code": CODE})
    assert response.status_code == 302 and response["Location"] == "/exercises/attention/#result"
    submission = Submission.objects.get(user=alice)
    assert submission.code == CODE
    page = client.get("/exercises/attention/?lang=en").content.decode()
    assert f'hx-get="/exercises/attention/submissions/{submission.pk}/"' in page
    assert "1 used (no limit)" in page


def test_submit_with_htmx_returns_a_fragment_that_polls_until_graded(as_user, alice, attention):
    client = as_user(alice)
    fragment = client.post("/exercises/attention/submit/?lang=en", {"code": CODE}, **HTMX).content.decode()
    submission = Submission.objects.get(user=alice)
    assert "<html" not in fragment
    assert 'hx-trigger="load delay:100ms"' in fragment
    grade_pending(submission, "4", max_score="10")
    done = client.get(f"/exercises/attention/submissions/{submission.pk}/?lang=en", **HTMX).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert "4 / 10 points" in done
    assert "wrong weights" in done and "hidden hint" in done
    assert 'hx-swap-oob="true"' in done  # the history and the grade beside it change too
    assert "<svg" in done  # the failed visible test's heatmap


def test_the_heatmap_shows_expected_beside_returned_and_marks_differences(as_user, alice, attention):
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    grade_pending(submission, "0")
    page = as_user(alice).get("/exercises/attention/?lang=en").content.decode()
    heatmap = page[page.index('<figure class="heatmap">') : page.index("</figure>")]
    assert ">Expected<" in heatmap and ">Yours<" in heatmap
    assert ">0.88<" in heatmap and ">0.12<" in heatmap  # expected
    assert heatmap.count('class="cell differs"') == 2  # 0.88 vs 0.5 and 0.12 vs 0.5
    assert "2 weights differ" in heatmap


def test_a_hidden_tests_data_is_never_stored_nor_drawn(as_user, alice, attention):
    submission = submission_create(user=alice, exercise=attention, code=CODE)
    secret = {"expected": [[0.123456, 0.876544]], "actual": [[0.5, 0.5]], "rtol": 0, "atol": 0}
    grade_pending(submission, "0", hidden_data=secret)
    hidden_row = TestResult.objects.get(run__submission=submission, hidden=True)
    assert hidden_row.visible_data == {}
    page = as_user(alice).get("/exercises/attention/?lang=en").content.decode()
    assert "0.123456" not in page and "0.12</text>" in page
    assert page.count('<figure class="heatmap">') == 1


def test_refusals_are_shown_and_store_nothing(as_user, alice, attention):
    client = as_user(alice)
    response = client.post("/exercises/attention/submit/?lang=en", {"code": ""})
    assert response.status_code == 400
    assert "The code is empty" in response.content.decode()
    fragment = client.post("/exercises/attention/submit/?lang=zh", {"code": "x = '\x00'"}, **HTMX)
    assert fragment.status_code == 400 and "NUL" in fragment.content.decode() and "<html" not in fragment.content.decode()
    Assignment.objects.filter(slug="attention").update(attempt_limit=0)
    assert not Submission.objects.exists()


def test_the_attempt_limit_is_enforced_through_the_page(as_user, alice, attention):
    Assignment.objects.filter(slug="attention").update(attempt_limit=1)
    client = as_user(alice)
    assert client.post("/exercises/attention/submit/", {"code": CODE}).status_code == 302
    response = client.post("/exercises/attention/submit/?lang=en", {"code": CODE})
    assert response.status_code == 400 and "You have used all 1 attempts" in response.content.decode()
    assert Submission.objects.count() == 1


def test_student_code_and_messages_are_escaped(as_user, alice, attention):
    client = as_user(alice)
    client.post("/exercises/attention/submit/", {"code": HOSTILE})
    submission = Submission.objects.get(user=alice)
    grade_pending(submission, "0", message="<b>bold</b> </script> {{ x }}")
    for url in ("/exercises/attention/", f"/exercises/attention/submissions/{submission.pk}/"):
        page = client.get(url).content.decode()
        assert "</script><script>alert(1)</script>" not in page
        assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "{{ 7|add:1 }} {% now &#x27;Y&#x27; %}" in page  # shown as written, not evaluated
        assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_precheck_is_stored_queued_and_costs_no_attempt(as_user, alice, attention):
    client = as_user(alice)
    fragment = client.post("/exercises/attention/precheck/?lang=en", {"code": CODE}, **HTMX).content.decode()
    precheck = Precheck.objects.get(user=alice)
    assert precheck.status == Precheck.Status.QUEUED and precheck.code == CODE
    assert f'hx-get="/exercises/attention/prechecks/{precheck.pk}/"' in fragment
    assert not Submission.objects.exists()
    assert "0 used (no limit)" in client.get("/exercises/attention/?lang=en").content.decode()


@override_settings(PRECHECK_RATE_LIMIT="2/m")
def test_precheck_has_its_own_rate_limit(as_user, alice, attention):
    client = as_user(alice)
    for _ in range(2):
        assert client.post("/exercises/attention/precheck/", {"code": CODE}, **HTMX).status_code == 200
    response = client.post("/exercises/attention/precheck/?lang=en", {"code": CODE}, **HTMX)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "running the visible tests too often" in response.content.decode()
    assert Precheck.objects.count() == 2
    # Submitting is not limited by it.
    assert client.post("/exercises/attention/submit/", {"code": CODE}).status_code == 302


def test_a_finished_precheck_shows_its_visible_tests(as_user, alice, attention):
    precheck = Precheck.objects.create(
        user=alice, exercise=attention, code=CODE, status=Precheck.Status.DONE, outcome="graded", passed=0, total=1,
        tests=[{"name_en": "worked example", "name_zh": "课本例题", "passed": False, "message_en": "weights <wrong>",
                "message_zh": "权重错误", "visible_data": {"expected": [[1.0]], "actual": [[0.0]], "rtol": 0, "atol": 0}}],
    )  # fmt: skip
    fragment = as_user(alice).get(f"/exercises/attention/prechecks/{precheck.pk}/?lang=en", **HTMX).content.decode()
    assert "0 of 1 visible tests passed" in fragment and "weights &lt;wrong&gt;" in fragment
    assert "<svg" in fragment and "hx-trigger" not in fragment


def test_a_precheck_lost_on_the_way_stops_the_polling(as_user, alice, attention):
    precheck = Precheck.objects.create(user=alice, exercise=attention, code=CODE)
    Precheck.objects.filter(pk=precheck.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    fragment = as_user(alice).get(f"/exercises/attention/prechecks/{precheck.pk}/?lang=en", **HTMX).content.decode()
    assert "hx-trigger" not in fragment and "Run them again" in fragment


# --- who sees what -----------------------------------------------------------------


def test_the_exercise_page_by_persona(client, alice, bob, charlie, teacher, attention):
    submission_create(user=alice, exercise=attention, code="# alice's secret\n" + CODE)
    assert client.get("/exercises/attention/")["Location"].startswith("/accounts/login/?next=")
    client.force_login(alice)
    assert "alice&#x27;s secret" in client.get("/exercises/attention/").content.decode()
    client.force_login(bob)
    page = client.get("/exercises/attention/").content.decode()
    assert "alice" not in page.replace("Signed in as bob", "")
    client.force_login(charlie)
    assert client.get("/exercises/attention/").status_code == 404
    client.force_login(teacher)
    assert client.get("/exercises/attention/").status_code == 200


def test_a_submission_by_persona(client, alice, bob, charlie, teacher, attention):
    submission = submission_create(user=alice, exercise=attention, code="# alice's secret\n" + CODE)
    url = f"/exercises/attention/submissions/{submission.pk}/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(alice)
    assert "alice&#x27;s secret" in client.get(url).content.decode()
    for other in (bob, charlie):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(url, **HTMX).status_code == 404
    client.force_login(teacher)  # the course's instructor (grader.selectors.submission_get_for_user)
    assert client.get(url).status_code == 200
    client.force_login(alice)
    assert client.get(f"/exercises/softmax/submissions/{submission.pk}/").status_code == 404  # not this exercise's


def test_a_precheck_by_persona(client, alice, bob, charlie, teacher, attention):
    precheck = Precheck.objects.create(user=alice, exercise=attention, code="# alice's secret\n" + CODE)
    url = f"/exercises/attention/prechecks/{precheck.pk}/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(alice)
    assert client.get(url).status_code == 200
    for other in (bob, charlie, teacher):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_posting_to_another_course_s_exercise_is_404_and_stores_nothing(client, charlie, attention):
    client.force_login(charlie)
    assert client.post("/exercises/attention/submit/", {"code": CODE}).status_code == 404
    assert client.post("/exercises/attention/precheck/", {"code": CODE}).status_code == 404
    assert not Submission.objects.exists() and not Precheck.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/exercises/attention/submit/", "/exercises/attention/precheck/", "/accounts/logout/", "/i18n/setlang/", "/accounts/password/"],
)
def test_every_form_needs_its_csrf_token(alice, attention, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(path, {"code": CODE, "language": "zh-hans"}).status_code == 403
    assert not Submission.objects.exists() and not Precheck.objects.exists()


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_query_count_does_not_grow_with_history(as_user, alice, attention):
    client = as_user(alice)
    grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "5")
    Precheck.objects.create(user=alice, exercise=attention, code=CODE)
    client.get("/exercises/attention/")
    with CaptureQueriesContext(connection) as before:
        client.get("/exercises/attention/")
    for _ in range(12):
        grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "5")
    with CaptureQueriesContext(connection) as after:
        client.get("/exercises/attention/")
    assert len(after) == len(before) == 11, [q["sql"][:120] for q in after.captured_queries]


@override_settings(SUBMISSION_RATE_LIMIT="")
def test_the_polls_cost_a_fixed_number_of_queries(as_user, alice, attention):
    client = as_user(alice)
    precheck = Precheck.objects.create(user=alice, exercise=attention, code=CODE)
    counts = []
    for history in (1, 8):
        while Submission.objects.filter(user=alice).count() < history:
            grade_pending(submission_create(user=alice, exercise=attention, code=CODE), "5")
        pending = submission_create(user=alice, exercise=attention, code=CODE)
        url = f"/exercises/attention/submissions/{pending.pk}/"
        client.get(url, **HTMX)
        with CaptureQueriesContext(connection) as waiting:
            assert "hx-trigger" in client.get(url, **HTMX).content.decode()
        grade_pending(pending, "5")
        with CaptureQueriesContext(connection) as done:
            assert "hx-swap-oob" in client.get(url, **HTMX).content.decode()
        with CaptureQueriesContext(connection) as precheck_poll:
            client.get(f"/exercises/attention/prechecks/{precheck.pk}/", **HTMX)
        counts.append((len(waiting), len(done), len(precheck_poll)))
    # The same whatever the history: the poll reads one submission, never the list of them.
    assert counts[0] == counts[1] == (7, 12, 4), counts
