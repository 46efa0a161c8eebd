"""Chromium (Debian's, driven by Playwright) against a live server and a real Celery worker.

The live server is pytest-django's (a thread of the test process, on an
ephemeral port, serving static files from the apps); the worker is the same
subprocess the integration tests start (tests/integration/conftest.py), on the
test database and this run's Redis db. No browser is downloaded: Playwright
drives /usr/bin/chromium (`make system-deps` installs it).

Screenshots go to var/screenshots/ (or SCREENSHOT_DIR), which CI leaves behind.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import celery_stack, worker  # noqa: F401 - fixtures for these tests


ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# Module scope: Playwright (and its event loop) lives only while a module of
# browser tests runs, and so does the setting below.
@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (`make system-deps` installs Debian's)")
    if not AXE.exists():
        pytest.fail("browser tests need axe-core from npm (`make install` runs npm ci)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which makes Django
    # refuse the tests' own ORM calls (and the database flush after each) as
    # "async". Set for these tests only, not at import: nothing else (`check
    # --deploy` in a subprocess) may inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start.
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


class Browser:
    """One browser context (its own cookies) with the helpers the tests share."""

    def __init__(self, context, base_url: str, screenshots: Path):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.screenshots = screenshots
        self.csp_errors: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_errors.append(message.text)

    def go(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def log_in(self, username: str, password: str):
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(self.base_url + "/")

    def set_code(self, code: str):
        # The editor is CodeMirror over the form's textarea; its own API sets the text as typing would.
        self.page.wait_for_selector(".CodeMirror")
        self.page.evaluate("code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", code)

    def shot(self, name: str, *, full_page: bool = True):
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def axe_problems(self) -> list[str]:
        """axe-core's serious and critical violations on the current page (evaluated over DevTools: no CSP exception needed)."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def no_horizontal_scroll(self) -> bool:
        return self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def browser_factory(chromium, live_server, screenshots):
    contexts = []

    def make(*, viewport=DESKTOP, locale="en-US") -> Browser:
        context = chromium.new_context(viewport=viewport, locale=locale)
        contexts.append(context)
        return Browser(context, live_server.url, screenshots)

    yield make
    for context in contexts:
        context.close()
