"""Fixtures shared across apps: a small newsroom with a home page, sections, authors and index pages."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: kept sites and settings may name rows another test rolled back."""
    from django.core.cache import caches

    from masthead.core.fastpath import LOCAL
    from masthead.core.routing import forget_root_paths

    for alias in ("default", "pages"):
        caches[alias].clear()
    forget_root_paths()
    LOCAL.clear()
