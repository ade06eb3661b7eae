"""A real Chromium (Debian's, never a downloaded one) driving the live test server."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True, scope="session")
def media_through_the_site():
    """Django's live test server answers /media/ itself (django.views.static, none of the site's
    headers); have the site's own view answer it, as under `masthead run`."""
    from django.test.testcases import _MediaFilesHandler

    original = _MediaFilesHandler._should_handle
    _MediaFilesHandler._should_handle = lambda self, path: False
    yield
    _MediaFilesHandler._should_handle = original


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
