import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from masthead.newsletters import services
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
    "raw",
    [
        "",
        "not-an-address",
        "a@b",
        "reader@example.org\r\nBcc: victim@example.org",
        "<script>@x.org",
        "x" * 300 + "@e.org",
    ],
)
def test_bad_addresses_are_refused_with_a_reason(raw):
    with pytest.raises(services.InvalidAddress) as error:
        services.normalise_address(raw)
    assert str(error.value)


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


def test_preferences_link_is_signed(daily):
    subscriber = services.subscribe("reader@example.org", [daily])
    token = services.preferences_token(subscriber)
    assert services.subscriber_from_token(token) == subscriber
    assert services.subscriber_from_token(token[:-2] + "xx") is None
    assert services.subscriber_from_token("") is None


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
