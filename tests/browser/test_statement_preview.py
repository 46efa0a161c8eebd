"""An instructor types a statement in admin's new-exercise form, in Chromium, and sees it as students will.

Nothing is saved: the preview is rendered by the server and typeset by KaTeX
from our own static files, under the strict CSP (no console refusal), on a
form axe-core finds no serious or critical problem with.
"""

import pytest
from django.contrib.auth import get_user_model

from courses.models import Chapter, Course, Enrollment
from grader.models import Exercise

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 15_000  # ms: one debounced request on a loaded CI machine


@pytest.fixture
def instructor(transactional_db):
    course = Course.objects.create(slug="llm", title_en="LLM", title_zh="大模型")
    Chapter.objects.create(course=course, number=1, title_en="Softmax", title_zh="软最大")
    user = get_user_model().objects.create_user(username="teacher1", password="teacher1-pw-9z", is_staff=True)
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.INSTRUCTOR)
    return user


def test_typing_a_statement_shows_its_math_typeset_in_the_preview(browser_factory, instructor):
    browser = browser_factory()
    browser.log_in("teacher1", "teacher1-pw-9z")
    browser.go("/admin/grader/exercise/add/")
    preview = browser.page.locator('.statement-preview [data-preview-of="statement_en"]')
    assert preview.locator(".katex").count() == 0

    browser.page.locator("#id_statement_en").press_sequentially(
        r"The $i$-th output is $\mathrm{softmax}(x)_i$, **positive**.", delay=5
    )
    preview.locator(".katex").first.wait_for(timeout=TIMEOUT)
    assert preview.locator(".katex").count() == 2
    # KaTeX keeps the TeX it typeset in its MathML.
    assert preview.locator('annotation[encoding="application/x-tex"]').last.text_content() == r"\mathrm{softmax}(x)_i"
    assert preview.locator("strong").inner_text() == "positive"
    # The other language's preview follows its own box.
    browser.page.locator("#id_statement_zh").press_sequentially("第 $i$ 个输出", delay=5)
    browser.page.locator('.statement-preview [data-preview-of="statement_zh"] .katex').wait_for(timeout=TIMEOUT)
    assert browser.csp_errors == []
    assert browser.axe_problems() == []
    browser.shot("admin-statement-preview")
    assert not Exercise.objects.exists()
