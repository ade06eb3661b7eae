"""Tests: SQLite in memory unless DATABASE_URL is set (CI points it at PostgreSQL)."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, Path, os

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "masthead-tests"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
# Off, so a test sees each change it makes; the page cache's own tests turn it on.
PAGE_CACHE_SECONDS = 0
# Campaign counts reach pages at once in tests (members.services.progress_counted).
CAMPAIGN_PROGRESS_SECONDS = 0
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# No lease keeper thread in the test process, even where a test runs a worker in it: the thread
# would reach into later tests' databases. The kill drills run real workers, with theirs.
TASK_LEASE_KEEPER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="masthead-test-media-"))
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL

if "DATABASE_URL" not in os.environ:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
# A passphrase costs milliseconds in tests (the header records the cost; restores read it there).
BACKUP_PASSPHRASE_COST = (1, 8 * 1024 * 1024)
# Tests synthesise in the test process; test_narration checks the process pool on its own.
AUDIO_SYNTHESIS_PROCESSES = 1
