"""One mechanism for the two languages: gettext for interface text, `localized` for content columns."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

from courses.language import localized
from courses.models import Course, Enrollment
from courses.services import SAMPLE_CONTENT_DIRECTORY, course_load_from_directory

BASE = Path(settings.BASE_DIR)
PO_FILE = BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATE_DIR = BASE / "templates"


def _catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def _template_msgids() -> dict[str, str]:
    """Every string the templates mark for translation -> the template it is in (as makemessages extracts them)."""
    found = {}
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        python = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for _line, _function, message, _comments in extract_python(io.BytesIO(python.encode()), ["gettext", "_", "pgettext", "ngettext"], [], {}):
            found[message if isinstance(message, str) else message[0]] = path.name
    return found


def test_every_interface_string_of_the_templates_has_its_chinese():
    catalogue = _catalogue()
    msgids = _template_msgids()
    assert "Run the visible tests" in msgids  # the extraction itself works
    missing = [msgid for msgid in msgids if not (catalogue.get(msgid) and catalogue.get(msgid).string)]
    assert missing == []
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert fuzzy == []


def _python_msgids() -> dict[str, str]:
    """Every string the interface's Python code marks for translation -> its file."""
    found = {}
    keywords = {"gettext": None, "gettext_lazy": None, "gettext_noop": None, "_": None}
    for app in ("courses", "grader", "config", "review", "grades", "quizzes", "lti", "lms", "staff", "accounts"):
        for path in sorted((BASE / app).rglob("*.py")):
            with path.open("rb") as handle:
                for _line, _function, message, _comments in extract_python(handle, keywords, [], {}):
                    msgid = message if isinstance(message, str) or message is None else message[0]
                    if msgid is not None:  # a call with a computed argument: nothing to look up
                        found[msgid] = str(path.relative_to(BASE))
    return found


def test_every_interface_string_of_the_python_code_has_its_chinese():
    catalogue = _catalogue()
    msgids = _python_msgids()
    assert "There is no exercise '%(slug)s'." in msgids  # the extraction itself works
    missing = [f"{where}: {msgid}" for msgid, where in msgids.items() if not (catalogue.get(msgid) and catalogue.get(msgid).string)]
    assert missing == []


def test_the_api_errors_come_from_the_catalogue(client, db):
    body = client.get("/api/v1/no-such-thing").json()["error"]
    assert body["message"] == "There is no API endpoint at /api/v1/no-such-thing. API paths end with '/'."
    assert body["message_zh"] == "/api/v1/no-such-thing 不是 API 端点。API 路径以 '/' 结尾。"


def test_the_compiled_catalogue_is_the_one_django_reads():
    # `make install` compiles the .po; a stale or missing .mo shows as English here.
    with translation.override("zh-hans"):
        for message in _catalogue():
            if isinstance(message.id, tuple):  # a plural: Chinese has one form
                assert translation.ngettext(message.id[0], message.id[1], 2) == message.string[0]
            elif message.id:
                assert translation.gettext(message.id) == message.string


def test_localized_picks_the_column_of_the_active_language():
    course = Course(slug="c", title_en="Transformers", title_zh="变换器", description_en="About", description_zh="")
    with translation.override("zh-hans"):
        assert localized(course, "title") == "变换器"
        assert localized(course, "description") == "About"  # no Chinese written: the English, not a blank
    with translation.override("en"):
        assert localized(course, "title") == "Transformers"
    assert localized(course, "title", language="zh") == "变换器"


@pytest.fixture
def student_client(client, db, django_user_model):
    course = course_load_from_directory(directory=SAMPLE_CONTENT_DIRECTORY).course
    student = django_user_model.objects.create_user(username="student", password="-")
    Enrollment.objects.create(user=student, course=course)
    client.force_login(student)
    return client


@pytest.mark.parametrize(
    ("request_kwargs", "expected", "absent"),
    [
        ({"path": "/exercises/softmax/?lang=zh"}, ["你的代码", "运行公开测试", 'lang="zh-hans"'], ["Your code"]),
        ({"path": "/exercises/softmax/", "HTTP_ACCEPT_LANGUAGE": "zh-CN"}, ["你的代码"], ["Your code"]),
        ({"path": "/exercises/softmax/?lang=en", "HTTP_ACCEPT_LANGUAGE": "zh-CN"}, ["Your code", 'lang="en"'], ["你的代码"]),
        ({"path": "/?lang=zh"}, ["第 1 章", "课程主页", "大语言模型基础 · 自动评分"], ["Chapter 1:", "Course home"]),
    ],
)
def test_pages_follow_the_chosen_language(student_client, request_kwargs, expected, absent):
    page = student_client.get(request_kwargs.pop("path"), **request_kwargs).content.decode()
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


def test_no_template_has_an_inline_style():
    # The CSP allows styles from this site only ('self'): an inline style would be dropped by the browser.
    offenders = [
        f"{path.relative_to(BASE)}: {match.group(0)}"
        for path in sorted(TEMPLATE_DIR.rglob("*.html"))
        for match in re.finditer(r"<style\b|\bstyle\s*=", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert offenders == []


def test_no_python_html_carries_an_inline_style():
    # Admin's format_html and widget attrs end up in pages too.
    offenders = [
        str(path.relative_to(BASE))
        for app in ("courses", "grader", "config", "review", "web")
        for path in sorted((BASE / app).rglob("*.py"))
        if re.search(r"""<style\b|\bstyle\s*=\s*['"]|["']style["']\s*:""", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_policy_allows_no_inline_style(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    style = next(part.strip() for part in policy.split(";") if part.strip().startswith("style-src"))
    assert style == "style-src 'self'"
