import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from masthead.core.keys import hash_key
from masthead.newsletters import links, services
from masthead.newsletters.models import Confirmation, ConsentEvent, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily():
    return NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)


def confirm_key(message):
    return re.search(r"/newsletters/confirm/([^/\s]+)/", message.body).group(1)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Reader@Example.ORG ", "Reader@example.org"),
        ("olena+news@mail.example", "olena+news@mail.example"),
    ],
)
def test_addresses_are_normalised(raw, normal):
    assert services.normalise_address(raw) == normal


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Enter your e-mail address."),
        ("not-an-address", "An e-mail address has an @ in it, as in name@example.org."),
        ("a@b@example.org", "An e-mail address has only one @ in it, as in name@example.org."),
        ("olena koval@example.org", "An e-mail address has no spaces in it."),
        ("@example.org", "Something is missing before the @, as in name@example.org."),
        ("reader@", "After the @ comes the mail domain, with a dot in it, as in name@example.org."),
        ("a@b", "After the @ comes the mail domain, with a dot in it, as in name@example.org."),
        (
            "reader@example.org\r\nBcc: victim@example.org",
            "An e-mail address has only one @ in it, as in name@example.org.",
        ),
        (
            "<script>@x.org",
            "“<script>@x.org” is not an address we can send e-mail to. Please check it for typos.",
        ),
        (
            "a..b@example.org",
            "“a..b@example.org” is not an address we can send e-mail to. "
            "Please check it for typos.",
        ),  # fmt: skip
        ("x" * 300 + "@e.org", "That is too long to be an e-mail address."),
    ],
)
def test_bad_addresses_are_refused_with_a_reason_in_the_readers_words(raw, reason):
    with pytest.raises(services.InvalidAddress) as error:
        services.normalise_address(raw)
    assert str(error.value) == reason
    # never the validator's own jargon ("An email address must have an @-sign.")
    assert "@-sign" not in str(error.value) and "email" not in str(error.value)


def test_the_reason_is_given_in_the_readers_edition():
    with translation.override("uk"), pytest.raises(services.InvalidAddress) as error:
        services.normalise_address("not-an-address")
    assert str(error.value) == "В адресі електронної пошти є @, як-от name@example.org."


def test_sign_up_stores_a_pending_subscription_and_sends_one_confirmation(daily):
    # when
    services.subscribe("reader@example.org", [daily], source="footer", ip="203.0.113.9")
    # then
    subscription = Subscription.objects.get()
    assert subscription.state == Subscription.State.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "The Daily Briefing" in message.subject
    key = confirm_key(message)
    assert not Confirmation.objects.filter(key_hash=key).exists()  # only the hash is stored
    event = ConsentEvent.objects.get()
    assert event.action == "subscribe" and event.source == "footer"
    assert event.ip_hash and "203.0.113.9" not in event.ip_hash


def test_signing_up_again_soon_sends_no_second_mail_and_keeps_one_subscriber(daily):
    services.subscribe("reader@example.org", [daily])
    services.subscribe("READER@example.org", [daily])
    assert Subscriber.objects.count() == 1 and Subscription.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_new_link_is_sent_once_the_resend_interval_has_passed(daily):
    services.subscribe("reader@example.org", [daily])
    Confirmation.objects.update(created_at=timezone.now() - services.RESEND_AFTER)
    services.subscribe("reader@example.org", [daily])
    assert len(mail.outbox) == 2


def test_confirming_makes_the_subscription_live_and_a_second_click_says_already(daily):
    services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    assert services.confirm_subscription(key)[0] == services.ConfirmResult.CONFIRMED
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED
    assert services.confirm_subscription(key)[0] == services.ConfirmResult.ALREADY


def test_expired_and_unknown_links_confirm_nothing(daily):
    services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    Confirmation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.confirm_subscription(key)[0] == services.ConfirmResult.EXPIRED
    assert services.confirm_subscription("made-up")[0] == services.ConfirmResult.INVALID
    assert Subscription.objects.get().state == Subscription.State.PENDING


def test_already_confirmed_readers_get_no_mail_when_signing_up_again(daily):
    services.subscribe("reader@example.org", [daily])
    services.confirm_subscription(confirm_key(mail.outbox[0]))
    mail.outbox.clear()
    Confirmation.objects.update(created_at=timezone.now() - services.RESEND_AFTER)
    services.subscribe("reader@example.org", [daily])
    assert mail.outbox == []
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED


def test_suppressed_addresses_are_never_mailed(daily):
    Subscriber.objects.create(email="bounced@example.org", suppressed_at=timezone.now())
    services.subscribe("bounced@example.org", [daily])
    assert mail.outbox == []


def test_preferences_add_and_remove_newsletters(daily):
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily])
    services.update_preferences(subscriber, [weekly])
    states = dict(subscriber.subscriptions.values_list("newsletter__name", "state"))
    assert states == {"The Daily Briefing": "unsubscribed", "From the Front": "confirmed"}


def test_unsubscribe_all_is_idempotent(daily):
    subscriber = services.subscribe("reader@example.org", [daily])
    services.confirm_subscription(confirm_key(mail.outbox[0]))
    services.unsubscribe_all(subscriber)
    events = ConsentEvent.objects.filter(action="unsubscribe").count()
    services.unsubscribe_all(subscriber)
    assert Subscription.objects.get().state == Subscription.State.UNSUBSCRIBED
    assert ConsentEvent.objects.filter(action="unsubscribe").count() == events == 1


def test_a_confirmation_confirms_exactly_the_newsletters_its_e_mail_named(daily):
    # given a reader who signed up for the daily briefing and got its confirmation e-mail
    weekly = NewsletterFactory(name="From the Front")
    services.subscribe("reader@example.org", [daily])
    first = mail.outbox[0]
    # and who is then signed up for another newsletter (by them, or by anyone who knows the address)
    services.subscribe("reader@example.org", [weekly])
    # when the first e-mail's link is used
    assert services.confirm_subscription(confirm_key(first))[0] == services.ConfirmResult.CONFIRMED
    # then only the newsletter that e-mail named is confirmed; the other still waits for its own
    states = dict(Subscription.objects.values_list("newsletter__name", "state"))
    assert states == {"The Daily Briefing": "confirmed", "From the Front": "pending"}
    assert list(
        Confirmation.objects.get(key_hash=hash_key(confirm_key(first))).newsletters.all()
    ) == [daily]


def test_a_newsletter_added_soon_after_gets_an_e_mail_of_its_own(daily):
    # given a confirmation e-mail sent a moment ago
    weekly = NewsletterFactory(name="From the Front")
    services.subscribe("reader@example.org", [daily])
    # when the reader signs up for another newsletter within the resend interval
    services.subscribe("reader@example.org", [weekly])
    # then a second e-mail goes out for what the first did not name, and confirms both
    assert len(mail.outbox) == 2
    assert "From the Front" in mail.outbox[1].subject
    services.confirm_subscription(confirm_key(mail.outbox[1]))
    assert set(Subscription.objects.values_list("state", flat=True)) == {"confirmed"}
    # and asking again for the same ones sends nothing more
    services.subscribe("reader@example.org", [daily, weekly])
    assert len(mail.outbox) == 2


def test_reading_a_confirmation_link_changes_nothing(daily):
    services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    status = services.confirmation_status(key)
    assert status.can_confirm and status.waiting == [daily]
    assert Subscription.objects.get().state == Subscription.State.PENDING
    assert Confirmation.objects.get().used_at is None
    assert not ConsentEvent.objects.filter(action="confirm").exists()


def test_an_old_confirmation_link_after_unsubscribing_tells_the_truth(daily):
    # given a reader who confirmed, then unsubscribed
    subscriber = services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    services.confirm_subscription(key)
    services.unsubscribe_all(subscriber)
    # when they open the old confirmation link
    status = services.confirmation_status(key)
    # then it says they left, not "already confirmed", and can start again
    assert (status.result, status.left, status.subscribed) == ("used", [daily], [])
    assert status.can_subscribe_again and not status.can_confirm
    # and subscribing again from it sends a fresh confirmation; nothing is confirmed by the old link
    mail.outbox.clear()
    assert services.subscribe_again(key) is True
    assert Subscription.objects.get().state == Subscription.State.PENDING
    (fresh,) = mail.outbox
    assert confirm_key(fresh) != key
    assert services.confirm_subscription(key)[0] == services.ConfirmResult.ALREADY
    assert Subscription.objects.get().state == Subscription.State.PENDING
    assert services.confirm_subscription(confirm_key(fresh))[0] == services.ConfirmResult.CONFIRMED
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED


def test_a_confirmation_link_of_a_reader_still_subscribed_cannot_start_anything(daily):
    services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    services.confirm_subscription(key)
    mail.outbox.clear()
    status = services.confirmation_status(key)
    assert (status.result, status.subscribed, status.left) == ("used", [daily], [])
    assert services.subscribe_again(key) is False
    assert mail.outbox == []
    assert ConsentEvent.objects.filter(action="subscribe").count() == 1


def test_an_expired_link_offers_a_fresh_one(daily):
    services.subscribe("reader@example.org", [daily])
    key = confirm_key(mail.outbox[0])
    Confirmation.objects.update(
        created_at=timezone.now() - services.CONFIRMATION_LIFETIME,
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert services.confirmation_status(key).can_subscribe_again
    assert services.subscribe_again(key) is True
    assert len(mail.outbox) == 2
    assert services.subscribe_again("made-up-key-that-is-long-enough") is False


def test_one_click_unsubscribe_stops_only_the_newsletter_the_link_came_with(daily):
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily, weekly])
    services.confirm_subscription(confirm_key(mail.outbox[0]))
    link = links.read_unsubscribe(links.unsubscribe_token(subscriber, weekly))
    assert services.unsubscribe_by_link(link, subscriber, one_click=True) == weekly
    states = dict(Subscription.objects.values_list("newsletter__name", "state"))
    assert states == {"The Daily Briefing": "confirmed", "From the Front": "unsubscribed"}
    assert ConsentEvent.objects.get(action="unsubscribe").source == "one-click unsubscribe"
    # and asked for everything, it stops everything
    assert services.unsubscribe_by_link(link, subscriber, everything=True) is None
    assert set(Subscription.objects.values_list("state", flat=True)) == {"unsubscribed"}


@pytest.mark.django_db(transaction=True)
def test_confirmations_sent_before_the_upgrade_name_what_their_e_mail_listed():
    # given a database as it was before confirmations named their newsletters
    executor = MigrationExecutor(connection)
    before = [("newsletters", "0004_editions")]
    after = [("newsletters", "0005_confirmation_names_newsletters")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    subscriber = old.get_model("newsletters", "Subscriber").objects.create(email="r@example.org")
    newsletter = old.get_model("newsletters", "Newsletter")
    listed, later = (
        newsletter.objects.create(name=name, slug=name, description=".", sender_name="M",
                                  sender_email="m@example.org", language="en")
        for name in ("listed", "later")
    )  # fmt: skip
    subscription = old.get_model("newsletters", "Subscription")
    sent_at = timezone.now() - datetime.timedelta(hours=1)
    subscription.objects.create(
        subscriber=subscriber, newsletter=listed, created_at=sent_at - datetime.timedelta(seconds=1)
    )
    subscription.objects.create(subscriber=subscriber, newsletter=later)
    old.get_model("newsletters", "Confirmation").objects.create(
        subscriber=subscriber, key_hash="x" * 64, created_at=sent_at, expires_at=timezone.now()
    )
    # when the upgrade runs
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # then the confirmation names the newsletter its e-mail listed, not the one signed up for later
    migrated = executor.loader.project_state(after).apps.get_model("newsletters", "Confirmation")
    names = migrated.objects.get().newsletters.values_list("name", flat=True)
    assert list(names) == ["listed"]
    # and, once the database is current again, it counts as sent when it was made (it was: links
    # were stored and e-mailed in one run then), so it holds back a second e-mail as before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Confirmation.objects.get().sent_at == sent_at
