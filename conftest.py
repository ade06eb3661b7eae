"""Fixtures shared across apps: a small newsroom with a home page, sections, authors and index pages."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures"]


# Drills that need the machine to themselves: one restarts PostgreSQL under traffic, others kill
# workers and time their recovery, or run web processes and workers on one shared Redis database.
# `make test` runs the rest in two processes (pytest-xdist), then these in one, alone.
SERIAL = {
    "masthead/core/tests/test_drills.py",
    "masthead/core/tests/test_scale_out.py",
    "tests/test_kill_drills.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::", 1)[0] in SERIAL:
            item.add_marker(pytest.mark.serial)


def pytest_configure(config):
    """A serialized rollback restores the database as the migrations left it, but into a database
    that the previous transactional test's flush left with what `post_migrate` made again (the
    locales, content types, the roles): the two collide (UNIQUE constraint failed). Empty it
    first, without `post_migrate`: the snapshot brings all of that back."""
    from django.core.management import call_command
    from django.db.backends.base.creation import BaseDatabaseCreation

    restore = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize_into_an_empty_database(self, data):
        call_command(
            "flush",
            interactive=False,
            verbosity=0,
            database=self.connection.alias,
            inhibit_post_migrate=True,
        )
        return restore(self, data)

    BaseDatabaseCreation.deserialize_db_from_string = deserialize_into_an_empty_database

    # A transactional test ends with a flush, which also takes what the migrations made (the page
    # tree's and the collections' roots, the roles' page permissions): put it back then, so the
    # next test finds the database as the migrations left it, whatever ran before it (under
    # pytest-xdist each process runs the files in its own order).
    from django.test import TransactionTestCase

    teardown = TransactionTestCase._fixture_teardown

    def flush_then_rebuild_what_migrations_made(self):
        teardown(self)
        from tests.fixtures import ensure_page_tree_root

        ensure_page_tree_root()

    TransactionTestCase._fixture_teardown = flush_then_rebuild_what_migrations_made


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
