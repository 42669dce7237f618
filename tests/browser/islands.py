"""Fixtures for the islands' browser tests: a page that also fails on uncaught script errors
and CSP violations, and one with JavaScript switched off."""

import pytest

from store.storefront.assets import MANIFEST
from tests.browser.conftest import desktop_page

# The page records every CSP violation the browser reports (console messages can be missed
# when a violation happens before the listener is attached); injected by the browser, so
# the page's own policy does not apply to it.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _fail_on_errors(page) -> None:
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    page.add_init_script(_WATCH_CSP)


def problems(page) -> list[str]:
    """Console errors, uncaught exceptions and CSP violations seen so far on `page`."""
    violations = page.evaluate("window.__cspViolations || []") if page.url.startswith(
        "http") else []
    return page.console_errors + [f"CSP: {v}" for v in violations]


@pytest.fixture
def scripted(page):
    """The conftest's page (console errors collected), failing on uncaught errors and CSP
    violations too; skips when the scripts are not built."""
    if not MANIFEST.exists():
        pytest.skip("static/dist is not built (make build)")
    _fail_on_errors(page)
    return page


@pytest.fixture
def no_script_page(browser):
    """A Chromium page with JavaScript off; console errors (CSP reports too) are collected."""
    yield from desktop_page(browser, java_script_enabled=False)


def stays_on_page(page) -> None:
    """Mark the loaded document; `same_document(page)` is true until a navigation."""
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")
