"""Settings shared by every profile. Environment variables are read here and in production.py only."""

import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var"))

INSECURE_DEFAULT_KEY = "masthead-insecure-development-key"  # noqa: S105 - refused by production.py
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_KEY)
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "masthead.core",
    "masthead.images",
    "masthead.content",
    "masthead.feed",
    "masthead.newsletters",
    "masthead.members",
    "masthead.audio",
    "masthead.importers",
    "anymail",
    "masthead.demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "masthead.staff.apps.UsersConfig",  # wagtail.users, listing each person's role
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Last: the roles are applied after every other app's permissions exist.
    "masthead.staff",
]

MIDDLEWARE = [
    # Outermost: brotli or gzip for text answers not compressed yet (cached pages come compressed).
    "masthead.core.compression.CompressionMiddleware",
    # Then: a cached page for an anonymous reader is answered before anything else runs.
    "masthead.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "masthead.core.routing.SiteMiddleware",
    "masthead.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "masthead.core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.core.context_processors.newsroom",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection the server dropped (a restart, a failover) is replaced, not used.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "masthead.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "pages": {
            "BACKEND": "masthead.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
        },
        # Each process's copies of the parts pages share and of renditions (masthead.core.pagecache,
        # masthead.core.cache.NearFirstCache): a page render then makes a handful of round trips.
        "near": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "near",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
        "renditions": {"BACKEND": "masthead.core.cache.NearFirstCache"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # On disk, so the worker's "this changed" reaches the web process (masthead.core.pagecache).
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
# The full-page cache for anonymous readers: how long an entry may live unused (0 turns it off),
# and how long a CDN may keep a page between purges (masthead.core.cdn).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
# Kept pieces of pages (masthead.core.fragments): on with the page cache; 0 only to measure without.
PAGE_FRAGMENTS = os.environ.get("PAGE_FRAGMENTS", "1") != "0"
PAGE_CACHE_CDN_SECONDS = int(os.environ.get("PAGE_CACHE_CDN_SECONDS", "300"))

# A CDN or reverse proxy in front, purged on publish (docs/deploy.md): Varnish (or any cache that
# takes HTTP PURGE), Cloudflare or CloudFront.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("VARNISH_URL"):
    WAGTAILFRONTENDCACHE["varnish"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["VARNISH_URL"],
    }
if os.environ.get("CLOUDFLARE_BEARER_TOKEN"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": os.environ["CLOUDFLARE_BEARER_TOKEN"],
        "ZONEID": os.environ.get("CLOUDFLARE_ZONE_ID", ""),
    }
if os.environ.get("CLOUDFRONT_DISTRIBUTION_ID"):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": os.environ["CLOUDFRONT_DISTRIBUTION_ID"],
    }

# Background work goes through the Django Tasks API: the database by default, RQ on Redis for scale.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND == "rq":
    # django-tasks-rq, holding tasks in the database while Redis is down (masthead/core/queue.py).
    TASKS = {"default": {"BACKEND": "masthead.core.queue.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Newsroom time zone: times on the site are shown in it ("7:04 PM" today, "Dec 16, 7:04 PM" before).
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Kyiv")
USE_TZ = True
USE_I18N = True
# Editions: the first language is the default and lives at the root (/); every other edition lives
# under its own prefix (/uk/). Each edition names itself in its own language for the switcher.
# MASTHEAD_LANGUAGES picks and orders them, e.g. "uk,en" for a Ukrainian-first newsroom; any
# language Django knows can be added (docs/editions.md: it needs its translation catalogue).
_editions = [
    code.strip()
    for code in os.environ.get("MASTHEAD_LANGUAGES", "en,uk").split(",")
    if code.strip() in LANG_INFO and "name_local" in LANG_INFO[code.strip()]
] or ["en"]
LANGUAGE_CODE = _editions[0]
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in _editions]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Dates and times as each edition writes them (masthead/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["masthead.formats"]
LOCALE_PATHS = [BASE_DIR / "masthead" / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Hashed names, gzip and brotli copies, served by WhiteNoise with far-future caching (production
# runs collectstatic; the embedded default serves from the app folders as they are).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
SERVE_MEDIA = os.environ.get("SERVE_MEDIA", "1") == "1"

# Backups (`masthead backup`): the key file that encrypts and signs them (`masthead backup_key FILE`
# makes one). Without one, backups are signed with SECRET_KEY but not encrypted.
BACKUP_KEY_FILE = os.environ.get("BACKUP_KEY_FILE", "")
# Whether `masthead backup` refuses to write the lists unencrypted unless told --unencrypted.
BACKUP_KEY_REQUIRED = False
# Argon2id's cost for a backup passphrase (libsodium's "moderate": about a second and 256 MiB).
BACKUP_PASSPHRASE_COST = (3, 256 * 1024 * 1024)

# E-mail goes to files under var/mail/ on the embedded default.
EMAIL_BACKEND = {
    # Short names for the usual choices; any dotted path to a Django e-mail backend works too.
    "file": "masthead.core.mailfiles.EmailBackend",  # one file per message, written once
    "smtp": "masthead.newsletters.mail.SMTPBackend",  # Django's, plus DKIM and ready-made bytes
    "console": "django.core.mail.backends.console.EmailBackend",
}.get(os.environ.get("EMAIL_BACKEND", "file"), os.environ.get("EMAIL_BACKEND"))
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
# Where a reader's answer to a sign-in link, receipt or gift e-mail goes (DEFAULT_FROM_EMAIL if unset).
REPLY_TO_EMAIL = os.environ.get("REPLY_TO_EMAIL", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Any provider through django-anymail: EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend and
# its settings as ANYMAIL_<NAME> variables (ANYMAIL_MAILGUN_API_KEY, ANYMAIL_WEBHOOK_SECRET, ...).
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
# DKIM signing of newsletter mail sent over SMTP (providers sign for you).
DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN", "")
DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "masthead")
DKIM_PRIVATE_KEY_FILE = os.environ.get("DKIM_PRIVATE_KEY_FILE", "")

# Browser security: the CSP and Permissions-Policy come from masthead.core.security.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # the pages carry the token in their forms; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# Where else a form may lead (the tests' Stripe stand-in); production pays on Stripe's own origins.
CSP_EXTRA_FORM_ACTION = os.environ.get("CSP_EXTRA_FORM_ACTION", "")

# Stripe (reader revenue). Without a secret key the site runs and says payments are not set up.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Pinned: the webhook handlers read objects in this version's shape. Change it deliberately.
STRIPE_API_VERSION = os.environ.get("STRIPE_API_VERSION", "2026-10-28.endive")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

# Narration: processes that synthesise paragraphs in parallel (0: one per core).
AUDIO_SYNTHESIS_PROCESSES = int(os.environ.get("AUDIO_SYNTHESIS_PROCESSES", "0"))

# Newsletter sending: parallel deliver tasks per issue, rows per claim, how long a claim lasts
# before another worker may take it over, and the retry schedule for temporary failures.
NEWSLETTER_PARALLEL_SENDERS = int(os.environ.get("NEWSLETTER_PARALLEL_SENDERS", "2"))
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "50"))
NEWSLETTER_CLAIM_LEASE = int(os.environ.get("NEWSLETTER_CLAIM_LEASE", "120"))
NEWSLETTER_RETRY_BASE = int(os.environ.get("NEWSLETTER_RETRY_BASE", "60"))
NEWSLETTER_MAX_ATTEMPTS = int(os.environ.get("NEWSLETTER_MAX_ATTEMPTS", "6"))
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")

WAGTAIL_SITE_NAME = os.environ.get("NEWSROOM_NAME", "Masthead")
WAGTAILIMAGES_IMAGE_MODEL = "images.NewsImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "masthead.images.forms.NewsImageForm"
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "jpeg", "webp": "webp"}
# Documents staff may upload: what a newsroom publishes for readers to download (a report, a court
# filing, a data set, a statement). Nothing a browser renders as a page or runs (HTML, SVG, scripts),
# and no audio or video (narrations are made by the site; a recording goes in an article's embed).
# Every document is served as a download that cannot run (masthead/core/uploads.py).
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "txt",
    "csv",
    "rtf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "epub",
    "zip",
]
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # through Django on any storage: privacy and headers apply
WAGTAILDOCS_INLINE_CONTENT_TYPES = []  # every document is a download
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_WORKFLOW_ENABLED = True
# No avatars from Gravatar: the admin works offline, and staff addresses' hashes stay here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

LOGIN_URL = "wagtailadmin_login"

# Staff accounts. A sign-in session lasts STAFF_SESSION_HOURS (default 12), then staff sign in again.
SESSION_COOKIE_AGE = int(os.environ.get("STAFF_SESSION_HOURS", "12")) * 3600
# Failed sign-ins (django-axes): after AXES_FAILURE_LIMIT from one address, or against one account
# from anywhere, further attempts are refused for an hour, even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The sign-in records hold a keyed hash of the client's network, never its address (SECURITY.md),
# and no log of successful sign-ins is kept.
AXES_CLIENT_IP_CALLABLE = "masthead.core.ratelimit.sign_in_address"
AXES_DISABLE_ACCESS_LOG = True
# Two-factor sign-in (TOTP, optional per account): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("NEWSROOM_NAME", "Masthead")

# During a drive, pages take up a new member count at most this often (seconds); see
# members.services.progress_counted. 0: at once.
CAMPAIGN_PROGRESS_SECONDS = int(os.environ.get("CAMPAIGN_PROGRESS_SECONDS", "5"))

# A worker renews the lease of each task it runs; one not renewed for this long (seconds) belongs
# to a dead worker and is handed back to the queue (masthead/core/leases.py).
TASK_LEASE_SECONDS = float(os.environ.get("TASK_LEASE_SECONDS", "10"))

# How often the worker publishes pages whose scheduled time has come (seconds).
MASTHEAD_SCHEDULER_INTERVAL = int(os.environ.get("SCHEDULER_INTERVAL", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "masthead": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Every task run is logged at INFO; the newsroom's console wants only problems.
        "django_tasks": {
            "handlers": ["console"],
            "level": os.environ.get("TASKS_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
    },
}
