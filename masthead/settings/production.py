"""Production: PostgreSQL, Redis, several stateless web processes and workers. Refuses unsafe defaults."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, INSECURE_DEFAULT_KEY, SECRET_KEY, os

if os.environ.get("DEBUG", "0") == "1":
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=0.")
DEBUG = False
# A backup holds every subscriber and member: on a live server, written in the clear only on request.
BACKUP_KEY_REQUIRED = True
if SECRET_KEY == INSECURE_DEFAULT_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (at least 32 characters) before running in production."
    )
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL (e.g. postgres://user@host:5432/masthead).")
# Mail written to files (or the console) keeps members' sign-in, gift and preference links on the
# server's disk or in its logs, readable by whoever reads those: production sends mail.
if EMAIL_BACKEND in (
    "django.core.mail.backends.filebased.EmailBackend",
    "masthead.core.mailfiles.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
):
    raise ImproperlyConfigured(
        "Production sends e-mail: set EMAIL_BACKEND=smtp (with EMAIL_HOST and its settings) or "
        "a provider's backend (e.g. anymail.backends.mailgun.EmailBackend). Mail written to "
        "files or the console would keep readers' sign-in links on the server."
    )

SERVE_MEDIA = os.environ.get("SERVE_MEDIA", "0") == "1"
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, for a year, once the site is served over HTTPS (the CDN or proxy redirects plain HTTP).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "0") == "1"
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "0") == "1"

# Static files: served by the web processes themselves (WhiteNoise), with hashed names, gzip and brotli copies, cached for a year (`masthead collectstatic`).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Media on S3-compatible storage (AWS, MinIO, Backblaze, Cloudflare R2) when a bucket is named.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "masthead.core.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # public newsroom media, cacheable by the CDN
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
        MEDIA_URL = f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}/"
