"""A live server on 127.0.0.1 and a Playwright page in Debian's Chromium."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from store.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture
def app_config():
    """Browser tests send no mail after requests (nothing listens on the test SMTP port)."""
    return {"STORE_DELIVER_AFTER_REQUEST": False}


@pytest.fixture
def live_server(app):
    """The test's app (file-backed SQLite) served by werkzeug in a thread; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    db.session.remove()


@pytest.fixture(scope="session")
def playwright():
    """Playwright's driver; the browser is Debian's Chromium, never a downloaded one."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies or storage) and one page in the session's headless
    Chromium; console errors are collected."""
    yield from desktop_page(browser)


def desktop_page(browser, **options):
    """A page at 1280×900 in a fresh context of `browser` whose console errors are collected
    in page.console_errors; the context closes when the generator ends (a fixture's body)."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900},
                                  **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: _console_error(msg, page.console_errors))
    yield page
    context.close()


def _console_error(msg, errors: list) -> None:
    # A missing favicon is the browser's guess, not the page's fault.
    if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
        errors.append(msg.text)


# Journeys (issue 13): one browser for the session, a fresh context per page opened, at a
# desktop or a phone viewport, with scripts on or off; any console error, uncaught page
# error or Content-Security-Policy violation is recorded in `page.problems`.
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tmp" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844},
             "narrow": {"width": 360, "height": 780}}
JOURNEY_MODES = [("desktop", True), ("desktop", False), ("phone", True), ("phone", False)]
REPORT_CSP = """document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});"""


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Debian Chromium shared by the session's journeys."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser):
    """Open a page in a new context: open_page("phone", scripts=False)."""
    contexts = []

    def _open(viewport="desktop", scripts=True, **options):
        context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=scripts,
                                      locale="en-GB", **options)
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP)
        contexts.append(context)
        page = context.new_page()
        page.problems = []

        page.on("console", lambda msg: _console_error(msg, page.problems))
        page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
        return page

    yield _open
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tmp/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
