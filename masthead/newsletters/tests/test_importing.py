"""Importing a subscriber list: consent as in the file, a dry run that changes nothing, no duplicates."""

import io
import os
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from masthead.newsletters import importing, services
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db

# Shaped like a Mailchimp "subscribed" audience export; the people are invented.
MAILCHIMP = """Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE
oksana@example.org,Oksana,Kovalenko,2,2024-03-01 09:15:00,,2024-03-01 09:20:00,,,
"Petro@Example.ORG",Petro,,2,2023-11-20 18:00:00,,,,,
imported-no-proof@example.org,Ira,Shevchenko,1,,,,,,
not an address,Nobody,,1,,,,,,
oksana@example.org,Oksana,Again,2,2024-03-01 09:15:00,,,,,
"Дмитро@приклад.укр",Дмитро,,2,2024-05-05 10:00:00,,,,,
"""


@pytest.fixture
def daily(db):
    return NewsletterFactory(name="The Daily Briefing", slug="daily")


def test_a_dry_run_reports_what_the_import_will_do_and_changes_nothing(daily):
    # when
    report = importing.import_subscribers(MAILCHIMP.encode(), daily, dry_run=True)
    # then
    assert report.summary() == {
        "rows": 6,
        "new subscribers": 4,
        "confirmed": 3,
        "pending (no proof of opt-in; nothing sent)": 1,
        "unsubscribed": 0,
        "suppressed (bounced or cleaned)": 0,
        "unchanged": 0,
        "skipped": 2,
    }
    assert [line for line, _reason in report.skipped] == [5, 6]
    # (each reason quotes the value, so the editor can find it in the file and mend it)
    assert report.skipped[0][1].startswith("“not an address”: An e-mail address has an @ in it")
    assert "appears earlier in the file" in report.skipped[1][1]
    assert Subscriber.objects.count() == 0 and ConsentEvent.objects.count() == 0
    daily.refresh_from_db()
    assert daily.audience_count == 0


def test_the_import_keeps_consent_as_in_the_file_and_a_second_run_changes_nothing(daily):
    # when
    importing.import_subscribers(MAILCHIMP.encode(), daily, dry_run=False, source="import: test")
    again = importing.import_subscribers(MAILCHIMP.encode(), daily, dry_run=False)
    # then
    states = dict(Subscription.objects.values_list("subscriber__email", "state"))
    assert states == {
        "oksana@example.org": "confirmed",
        "Petro@example.org": "confirmed",
        "imported-no-proof@example.org": "pending",
        "Дмитро@приклад.укр": "confirmed",
    }
    oksana = Subscriber.objects.get(email="oksana@example.org")
    assert oksana.name == "Oksana Kovalenko"
    event = oksana.consent_events.get()
    assert (event.action, event.source, event.at.year) == ("confirm", "import: test", 2024)
    assert again.new_subscribers == 0 and again.unchanged == 4
    assert Subscriber.objects.count() == 4
    daily.refresh_from_db()
    assert daily.audience_count == 3 == services.audience(daily).count()


def test_withdrawals_in_a_file_apply_but_an_old_file_never_resubscribes_anyone(daily):
    # given one reader unsubscribed here and one is confirmed here
    importing.import_subscribers(MAILCHIMP.encode(), daily, dry_run=False)
    services.unsubscribe_all(Subscriber.objects.get(email="oksana@example.org"))
    # when the subscribed file is imported again, then a "cleaned" export naming Petro
    importing.import_subscribers(MAILCHIMP.encode(), daily, dry_run=False)
    cleaned = "Email Address,First Name\npetro@example.org,Petro\n"
    report = importing.import_subscribers(
        cleaned.encode(), daily, default_status="cleaned", dry_run=False
    )
    # then
    assert report.suppressed == 1
    states = dict(Subscription.objects.values_list("subscriber__email", "state"))
    assert states["oksana@example.org"] == "unsubscribed"
    assert states["Petro@example.org"] == "unsubscribed"
    assert Subscriber.objects.get(email="Petro@example.org").suppressed_at is not None
    daily.refresh_from_db()
    assert daily.audience_count == 1 == services.audience(daily).count()


def test_a_file_without_an_address_column_is_refused_with_a_reason(daily):
    with pytest.raises(importing.CannotImport, match="No e-mail address column"):
        importing.import_subscribers(b"Name,City\nIra,Lviv\n", daily, dry_run=False)


def test_the_command_imports_with_progress_and_a_report(daily, tmp_path):
    path = tmp_path / "subscribed_members_export.csv"
    path.write_text(MAILCHIMP, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_subscribers", str(path), "--newsletter=daily", stdout=out, stderr=io.StringIO()
    )
    text = out.getvalue()
    assert "Imported." in text and "confirmed: 3" in text and "line 5:" in text
    assert Subscription.objects.count() == 4


def test_an_editor_with_newsletter_rights_dry_runs_then_imports_in_the_admin(
    client, newsroom, daily, django_user_model
):
    # given an admin-group member
    admin = django_user_model.objects.create_user("ad", "ad@masthead.example", "pw-long-enough-1")
    admin.groups.add(Group.objects.get(name="Admin"))
    client.force_login(admin)
    upload = io.BytesIO(MAILCHIMP.encode())
    upload.name = "export.csv"
    # when they upload for a dry run
    form = {"newsletter": daily.pk, "default_status": "subscribed", "action": "dry_run"}
    dry = client.post("/admin/newsletters/subscribers/import/", {**form, "csv_file": upload})
    html = dry.content.decode()
    assert "Dry run: what the import will do" in html and Subscriber.objects.count() == 0
    token = html.split('name="upload" value="')[1].split('"')[0]
    # and then import the same upload
    done = client.post(
        "/admin/newsletters/subscribers/import/", {**form, "action": "import", "upload": token}
    )
    # then
    assert "Imported" in done.content.decode()
    assert Subscription.objects.filter(state="confirmed").count() == 3


def test_an_uploaded_list_never_imported_does_not_lie_about(
    client, newsroom, daily, django_user_model, settings, tmp_path
):
    """A dry run keeps the file for the import that follows, readable by its owner only; a list
    whose import never came is gone a day later, and an imported one at once."""
    settings.VAR_DIR = tmp_path
    admin = django_user_model.objects.create_user("ad", "ad@masthead.example", "pw-long-enough-1")
    admin.groups.add(Group.objects.get(name="Admin"))
    client.force_login(admin)
    form = {"newsletter": daily.pk, "default_status": "subscribed", "action": "dry_run"}

    def dry_run():
        upload = io.BytesIO(MAILCHIMP.encode())
        upload.name = "export.csv"
        html = client.post("/admin/newsletters/subscribers/import/", {**form, "csv_file": upload})
        return html.content.decode().split('name="upload" value="')[1].split('"')[0]

    # given a list previewed two days ago and never imported
    forgotten = tmp_path / "imports" / f"{dry_run()}.csv"
    assert forgotten.stat().st_mode & 0o077 == 0
    assert (tmp_path / "imports").stat().st_mode & 0o077 == 0
    two_days_ago = time.time() - 2 * 86400
    os.utime(forgotten, (two_days_ago, two_days_ago))
    # when another list is previewed, then imported
    token = dry_run()
    # then the forgotten one is gone, and the new one too once imported
    assert not forgotten.exists()
    assert (tmp_path / "imports" / f"{token}.csv").exists()
    client.post(
        "/admin/newsletters/subscribers/import/", {**form, "action": "import", "upload": token}
    )
    assert list((tmp_path / "imports").iterdir()) == []


# Shaped like Substack's subscriber export; the people are invented.
SUBSTACK = """email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at
halyna@example.org,false,,,false,2024-02-11T08:30:00.000Z,
paid.reader@example.org,true,2026-02-11T00:00:00.000Z,yearly,false,2023-12-01T19:05:12.000Z,2023-12-01T19:06:00.000Z
stopped@example.org,false,,,true,2023-06-30T12:00:00.000Z,
"""


def test_a_substack_export_keeps_who_stopped_the_mail_and_when_each_reader_signed_up(daily):
    report = importing.import_subscribers(SUBSTACK.encode(), daily, dry_run=False)
    assert report.summary()["confirmed"] == 2 and report.summary()["unsubscribed"] == 1
    states = dict(
        Subscription.objects.filter(newsletter=daily).values_list("subscriber__email", "state")
    )
    assert states == {
        "halyna@example.org": "confirmed",
        "paid.reader@example.org": "confirmed",
        "stopped@example.org": "unsubscribed",
    }
    halyna = Subscription.objects.get(subscriber__email="halyna@example.org")
    assert halyna.confirmed_at.isoformat().startswith("2024-02-11T08:30")
    # and a second run changes nothing
    again = importing.import_subscribers(SUBSTACK.encode(), daily, dry_run=False)
    assert again.summary()["unchanged"] == 3


def test_ten_thousand_rows(daily):
    """The speed test: a generated 10,000-row audience export, then the same file again."""
    import time

    lines = ["Email Address,First Name,OPTIN_TIME,CONFIRM_TIME"] + [
        f"reader{n}@example.org,Reader {n},2024-01-01 10:00:00,2024-01-01 10:05:00"
        for n in range(10_000)
    ]
    data = "\n".join(lines).encode()
    started = time.monotonic()
    report = importing.import_subscribers(data, daily, dry_run=False)
    first = time.monotonic() - started
    assert report.summary()["new subscribers"] == 10_000
    assert report.summary()["confirmed"] == 10_000
    daily.refresh_from_db()
    assert daily.audience_count == 10_000
    started = time.monotonic()
    again = importing.import_subscribers(data, daily, dry_run=False)
    assert again.summary()["unchanged"] == 10_000
    assert Subscriber.objects.count() == 10_000
    print(f"10,000 rows: {first:.1f} s to import, {time.monotonic() - started:.1f} s to skip")


def test_readers_imported_into_a_ukrainian_newsletter_get_their_mail_in_ukrainian(db):
    ukrainian = NewsletterFactory(name="Ранковий брифінг", slug="ranok", language="uk")
    importing.import_subscribers(MAILCHIMP.encode(), ukrainian, dry_run=False)
    assert set(Subscriber.objects.values_list("language", flat=True)) == {"uk"}
