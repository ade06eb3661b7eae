"""Production: PostgreSQL, Redis, several stateless web processes and workers. Refuses unsafe defaults."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEFAULT_KEY, SECRET_KEY, os

if os.environ.get("DEBUG", "0") == "1":
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=0.")
DEBUG = False
if SECRET_KEY == INSECURE_DEFAULT_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (at least 32 characters) before running in production."
    )
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL (e.g. postgres://user@host:5432/masthead).")

SERVE_MEDIA = os.environ.get("SERVE_MEDIA", "0") == "1"
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
