"""Bounces and complaints through anymail's Mailgun tracking webhook, signatures checked by anymail."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from masthead.newsletters import sending
from masthead.newsletters.models import ConsentEvent, Delivery, Subscriber, Subscription
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

pytestmark = pytest.mark.django_db
SIGNING_KEY = "mailgun-signing-key-for-tests"
URL = "/newsletters/webhooks/mailgun/tracking/"


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def mailgun_event(event, recipient, *, severity=None, message_id=None, key=SIGNING_KEY):
    timestamp, token = str(int(time.time())), hashlib.sha256(recipient.encode()).hexdigest()
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "event": event,
        "recipient": recipient,
        "timestamp": float(timestamp),
        "id": "event-1",
        "message": {"headers": {"message-id": message_id or "x@mailgun.example"}},
    }
    if severity:
        data["severity"] = severity
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": data,
        }
    )


@pytest.fixture
def sent_issue(newsroom, mailgun):
    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    confirmed_readers(newsletter, 2)
    issue = IssueFactory(newsletter=newsletter)
    sending.send_now(issue)
    return issue


def post(body):
    return Client(enforce_csrf_checks=True).post(URL, body, content_type="application/json")


def test_a_hard_bounce_suppresses_the_address_for_good_and_counts_on_the_issue(sent_issue):
    # given reader0's copy of the issue went out over SMTP with our Message-ID
    reader = Subscriber.objects.get(email="reader0@example.org")
    message_id = sending.message_id(sent_issue, reader.pk)
    # when the provider reports a permanent failure
    response = post(
        mailgun_event("failed", reader.email, severity="permanent", message_id=message_id)
    )
    # then
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.suppressed_at is not None
    assert reader.subscriptions.get().state == Subscription.State.UNSUBSCRIBED
    assert ConsentEvent.objects.filter(
        subscriber=reader, action=ConsentEvent.Action.BOUNCE, source="Mailgun webhook"
    ).exists()
    assert sending.progress(sent_issue)["bounced"] == 1
    sent_issue.newsletter.refresh_from_db()
    assert sent_issue.newsletter.audience_count == 1
    # and signing up again sends no confirmation to the dead address
    from masthead.newsletters import services

    services.subscribe(reader.email, [sent_issue.newsletter])
    assert not reader.confirmations.exists()


def test_a_complaint_suppresses_and_is_logged_as_one(sent_issue):
    post(mailgun_event("complained", "reader1@example.org"))
    reader = Subscriber.objects.get(email="reader1@example.org")
    assert reader.suppressed_at is not None
    assert reader.consent_events.filter(action=ConsentEvent.Action.COMPLAINT).count() == 1
    assert Delivery.objects.get(subscriber=reader).complained_at is not None


def test_a_temporary_failure_changes_nothing(sent_issue):
    assert (
        post(mailgun_event("failed", "reader0@example.org", severity="temporary")).status_code
        == 200
    )
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()


def test_a_forged_event_is_refused_and_changes_nothing(sent_issue):
    response = post(mailgun_event("complained", "reader0@example.org", key="not-the-key"))
    assert response.status_code == 400
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()
    assert not ConsentEvent.objects.filter(action=ConsentEvent.Action.COMPLAINT).exists()


def test_an_unconfigured_or_unknown_provider_is_not_found(sent_issue):
    assert (
        Client()
        .post("/newsletters/webhooks/postmark/tracking/", "{}", content_type="application/json")
        .status_code
        == 404
    )
    assert (
        Client()
        .post("/newsletters/webhooks/nobody/tracking/", "{}", content_type="application/json")
        .status_code
        == 404
    )
