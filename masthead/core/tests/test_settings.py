"""Production settings refuse unsafe configuration instead of starting with it."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "x" * 50


SAFE = {"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgres://db/masthead", "EMAIL_BACKEND": "smtp"}
INHERITED = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "EMAIL_BACKEND")


def load_production(**env):
    environment = {k: v for k, v in os.environ.items() if k not in INHERITED}
    environment.update({k: v for k, v in env.items() if v is not None})  # None: left unset
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import masthead.settings.production"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**SAFE, "SECRET_KEY": None}, "Set SECRET_KEY"),
        ({**SAFE, "SECRET_KEY": "short"}, "Set SECRET_KEY"),
        ({**SAFE, "DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": GOOD_KEY, "EMAIL_BACKEND": "smtp"}, "Set DATABASE_URL"),
        # mail in files or the console: members' sign-in links on the server's disk or in its logs
        ({**SAFE, "EMAIL_BACKEND": None}, "Production sends e-mail"),
        ({**SAFE, "EMAIL_BACKEND": "file"}, "Production sends e-mail"),
        ({**SAFE, "EMAIL_BACKEND": "console"}, "Production sends e-mail"),
        (
            {**SAFE, "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
            "Production sends e-mail",
        ),
    ],
    ids=[
        "default-key",
        "short-key",
        "debug-on",
        "no-database",
        "file-mail-by-default",
        "file-mail",
        "console-mail",
        "file-mail-by-path",
    ],
)
def test_production_refuses_unsafe_settings(env, message):
    result = load_production(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_safe_settings():
    for backend in ("smtp", "anymail.backends.mailgun.EmailBackend"):
        result = load_production(**{**SAFE, "EMAIL_BACKEND": backend})
        assert result.returncode == 0, result.stderr


def test_production_sends_hsts_and_secure_cookies():
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(SAFE)
    script = (
        "import masthead.settings.production as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "True"]


def dev_secret_key(var_dir, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    environment.update(MASTHEAD_VAR_DIR=str(var_dir), **env)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import masthead.settings.dev as s; print(s.SECRET_KEY)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_development_profile_makes_its_own_key_once(tmp_path):
    """No public default key: the first run writes a random key under var/, owner-only; later
    runs (the web process and the worker alike) read that same key."""
    from masthead.settings.base import INSECURE_DEFAULT_KEY

    first = dev_secret_key(tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) >= 50 and first != INSECURE_DEFAULT_KEY
    assert dev_secret_key(tmp_path) == first
    # another installation gets another key
    assert dev_secret_key(tmp_path / "elsewhere") != first
    # a key given in the environment wins, and nothing is written for it
    assert dev_secret_key(tmp_path / "given", SECRET_KEY=GOOD_KEY) == GOOD_KEY
    assert not (tmp_path / "given" / "secret_key").exists()


def test_production_serves_media_through_the_hardened_view_when_asked():
    """SERVE_MEDIA=1 in production (media on local disk): the same view as the embedded default,
    with byte ranges and upload headers; without it, no media route at all (S3 serves them)."""
    script = (
        "import django; django.setup(); from django.urls import resolve, Resolver404; "
        "from masthead.core import uploads\n"
        "try: print(resolve('/media/audio/story.mp3').func is uploads.media)\n"
        "except Resolver404: print('none')"
    )
    for serve_media, expected in (("1", "True"), ("0", "none")):
        environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
        environment.update(
            SECRET_KEY=GOOD_KEY,
            DATABASE_URL="postgres://db/masthead",
            EMAIL_BACKEND="smtp",
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            SERVE_MEDIA=serve_media,
        )
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True
        )
        assert result.stdout.strip() == expected, result.stderr
