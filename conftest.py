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

    from masthead.core import pagecache
    from masthead.core.fastpath import LOCAL
    from masthead.core.routing import forget_root_paths

    for alias in ("default", "pages"):
        caches[alias].clear()
    forget_root_paths()
    LOCAL.clear()
    pagecache.forget_local_copies()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default edition's language: a request to /uk/ leaves Ukrainian active
    in the thread, as a web process's next request would not notice but the next test would."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
