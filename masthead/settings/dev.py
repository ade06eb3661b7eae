"""The embedded default: SQLite, the database task queue, files on disk, e-mail to files."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, os

# Off by default so a newcomer sees the designed 404 and error pages; DEBUG=1 for tracebacks.
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["*"]


def own_secret_key(path):
    """This installation's own key: made once under var/ (readable by its owner only), then read.

    Written to a temporary file and linked into place, so the web process and the worker starting
    together both end up with the one key.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        temporary.unlink()
    return path.read_text().strip()


if "SECRET_KEY" not in os.environ:
    SECRET_KEY = own_secret_key(VAR_DIR / "secret_key")

# Static files as in production: collected (by `masthead run`) with brotli and gzip copies and
# served by WhiteNoise. With DEBUG=1 they are read from the app folders as they are edited.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "masthead.core.staticfiles.CompressedOnceStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
