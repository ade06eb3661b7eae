"""Production settings refuse unsafe configuration instead of starting with it."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "x" * 50


def load_production(**env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    environment.update(env)
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
        ({"DATABASE_URL": "postgres://db/masthead"}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "short", "DATABASE_URL": "postgres://db/masthead"}, "Set SECRET_KEY"),
        (
            {"SECRET_KEY": GOOD_KEY, "DEBUG": "1", "DATABASE_URL": "postgres://db/masthead"},
            "DEBUG must be off",
        ),
        ({"SECRET_KEY": GOOD_KEY}, "Set DATABASE_URL"),
    ],
    ids=["default-key", "short-key", "debug-on", "no-database"],
)
def test_production_refuses_unsafe_settings(env, message):
    result = load_production(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_safe_settings():
    result = load_production(SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://db/masthead")
    assert result.returncode == 0, result.stderr


def test_production_sends_hsts_and_secure_cookies():
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://db/masthead")
    script = (
        "import masthead.settings.production as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "True"]
