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
def page(playwright, tmp_path):
    """A fresh headless Chromium profile and one page; console errors are collected."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.pages[0] if context.pages else context.new_page()
    page.console_errors = []

    def _record(msg):
        # A missing favicon is the browser's guess, not the page's fault.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            page.console_errors.append(msg.text)

    page.on("console", _record)
    yield page
    context.close()
