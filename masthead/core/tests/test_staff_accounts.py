"""Staff accounts: failed sign-ins lock out, two-factor sign-in guards the admin, sessions expire."""

import ipaddress
import time

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.core.keys import address_hash

pytestmark = pytest.mark.django_db

PASSWORD = "a long and private passphrase 2026"  # noqa: S105 - a test account's


@pytest.fixture
def editor(newsroom):
    return get_user_model().objects.create_user(
        "olena", "olena@example.org", PASSWORD, is_staff=True, is_superuser=True
    )


def sign_in(client, username="olena", password=PASSWORD, address="203.0.113.5"):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def code_for(device, drift=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def test_password_sign_in_works_and_the_session_expires_in_hours_not_weeks(editor, settings):
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    # without "remember me" the cookie ends with the browser; the server ends it within 12 hours
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 12 * 3600
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["max-age"]
    remembered = Client()
    remembered.post("/admin/login/", {"username": "olena", "password": PASSWORD, "remember": "on"})
    assert int(remembered.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 12 * 3600
    # a session past its age is no longer signed in
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_account_even_against_the_right_password(editor, settings):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(attacker, password="guess").status_code == 200, attempt  # form, with error
    assert sign_in(attacker, password="guess").status_code == 429  # the limit: paused
    locked = sign_in(attacker)  # the right password, too late
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # the account is paused from anywhere, not only from the attacker's address
    elsewhere = Client()
    assert sign_in(elsewhere, address="198.51.100.7").status_code == 429
    # an administrator unlocks it (masthead axes_reset_username olena)
    from django.core.management import call_command

    call_command("axes_reset_username", "olena")
    assert sign_in(elsewhere, address="198.51.100.7").status_code == 302


def test_spraying_many_accounts_from_one_address_is_paused_too(editor, settings):
    sprayer = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(sprayer, username=f"user{n}", password="guess")
    assert sign_in(sprayer).status_code == 429
    assert AccessAttempt.objects.filter(ip_address=address_hash("203.0.113.5")).exists()
    # readers elsewhere and the editor from another address are not affected
    assert sign_in(Client(), address="192.0.2.44").status_code == 302


def test_the_sign_in_log_keeps_no_address_in_clear(editor):
    """Failed sign-ins are recorded under a keyed hash of the address; successful ones not at all."""
    # given failures from an IPv4 and an IPv6 address, then a success
    sign_in(Client(), username="nobody", password="guess", address="203.0.113.5")
    sign_in(Client(), username="nobody", password="guess", address="2001:db8:7:7::1")
    assert sign_in(Client(), address="198.51.100.7").status_code == 302
    # then no row holds an address that was used
    stored = [a.ip_address for a in AccessAttempt.objects.all()]
    assert len(stored) == 2
    for address in stored:
        assert address not in ("203.0.113.5", "2001:db8:7:7::1", "198.51.100.7")
        assert ipaddress.ip_address(address) in ipaddress.ip_network("fd00::/8")
    assert not AccessLog.objects.exists()


def test_an_ipv6_sprayer_is_counted_by_its_whole_slash_64(editor, settings):
    """Changing the last 64 bits of an IPv6 address (free for anyone holding a /64) does not reset
    the count."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), username=f"user{n}", password="guess", address=f"2001:db8:1:2::{n + 1:x}")
    assert sign_in(Client(), address="2001:db8:1:2:ffff::9").status_code == 429
    # the next /64 is another household
    assert sign_in(Client(), address="2001:db8:1:3::1").status_code == 302


def test_sign_in_records_made_before_hashing_are_hashed_by_the_migration(editor):
    """Rows written with clear addresses (before this release) are rewritten by migration 0006."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "masthead.core.migrations.0007_sign_in_log_hashed_addresses"
    )
    # given rows from before, with addresses in clear
    AccessAttempt.objects.create(
        username="olena", ip_address="203.0.113.5", user_agent="x", failures_since_start=3
    )
    AccessLog.objects.create(username="olena", ip_address="198.51.100.7", user_agent="x")
    # when the migration runs
    migration.hash_addresses(apps, None)
    # then the attempt counts under the hash the running site computes, and the log is gone
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == address_hash("203.0.113.5")
    assert attempt.failures_since_start == 3
    assert not AccessLog.objects.exists()


def test_two_factor_sign_in_turned_on_guards_the_admin_until_the_code_is_given(editor):
    client = Client()
    sign_in(client)
    # turning it on: a QR code and a key, then one code to prove the app has it
    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Turn on two-factor sign-in" in html
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    wrong = client.post("/admin/two-factor/", {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    # after a wrong code the next one waits a moment (guessing would take years)
    device.refresh_from_db()
    again = client.post("/admin/two-factor/", {"code": code_for(device)})
    assert "Too many wrong codes" in again.content.decode()
    time.sleep(1.1)
    assert client.post("/admin/two-factor/", {"code": code_for(device)}).status_code == 200
    assert TOTPDevice.objects.get(user=editor).confirmed

    # signing in again: the password alone opens nothing in the admin
    client.post("/admin/logout/")
    fresh = Client()
    assert sign_in(fresh).status_code == 302
    blocked = fresh.get("/admin/pages/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/admin/two-factor/verify/?next=/admin/pages/")
    assert fresh.get("/admin/two-factor/").status_code == 302  # nor can it turn two-factor off
    assert fresh.get("/admin/sprite/").status_code == 200  # the code page's own icons load
    # a wrong code is refused in words; the right one opens the admin where the editor was going
    refused = fresh.post("/admin/two-factor/verify/", {"code": "123456", "next": "/admin/pages/"})
    assert refused.status_code == 400
    assert "That code is not right" in refused.content.decode()
    time.sleep(1.1)
    device.refresh_from_db()
    opened = fresh.post(
        "/admin/two-factor/verify/", {"code": code_for(device, drift=1), "next": "/admin/pages/"}
    )
    assert opened.status_code == 302 and opened["Location"] == "/admin/pages/"
    assert fresh.get("/admin/pages/").status_code == 200


def test_two_factor_guards_the_admin_of_a_site_served_under_a_prefix(editor):
    """Behind a proxy that mounts the site at /newsroom/ (SCRIPT_NAME), the admin still waits for
    the code: the check reads the address inside the site (path_info), not the full path."""
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    client = Client()
    assert sign_in(client).status_code == 302
    blocked = client.get("/admin/pages/", SCRIPT_NAME="/newsroom")
    assert blocked.status_code == 302
    assert "/admin/two-factor/verify/?next=/newsroom/admin/pages/" in blocked["Location"]


def test_the_code_page_never_sends_an_editor_to_another_site(editor):
    client = Client()
    sign_in(client)
    device = TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    response = client.post(
        "/admin/two-factor/verify/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_turning_two_factor_off_needs_a_code(editor):
    client = Client()
    sign_in(client)
    device = TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    client.post("/admin/two-factor/verify/", {"code": code_for(device)})
    page = client.get("/admin/two-factor/")
    assert "Turn off two-factor sign-in" in page.content.decode()
    assert client.post("/admin/two-factor/", {"code": "000000"}).status_code == 200
    assert TOTPDevice.objects.filter(user=editor).exists()
    time.sleep(1.1)
    device.refresh_from_db()
    client.post("/admin/two-factor/", {"code": code_for(device, drift=1)})
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_weak_passwords_are_refused_when_staff_set_them(editor):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password1", "12345678", "olena2026", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=editor)
    validate_password("a long and private passphrase 2026", user=editor)
