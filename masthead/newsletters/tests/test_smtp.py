"""A real SMTP conversation: the confirmation e-mail goes out through Django's SMTP backend to aiosmtpd."""

import email
import email.policy
import re

import pytest

from masthead.newsletters import services
from masthead.newsletters.models import Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


def test_confirmation_mail_arrives_over_smtp_and_its_link_confirms(client, newsroom, smtp_server):
    # given
    daily = NewsletterFactory(name="The Daily Briefing", reply_to="editors@masthead.example")
    # when a reader signs up
    services.subscribe("Reader@Example.org", [daily])
    # then one well-formed message arrived
    (raw,) = smtp_server.messages
    message = email.message_from_string(raw.as_string(), policy=email.policy.default)
    assert message["To"] == "Reader@example.org"
    assert message["From"] == "Masthead <newsletters@masthead.example>"
    assert message["Reply-To"] == "editors@masthead.example"
    # the transactional headers (core.mail), as the receiving server reads them
    assert message["Message-ID"].endswith("@testserver>")
    assert message["Date"].endswith("+0000")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = re.search(r"http://testserver(/newsletters/confirm/[^\s]+/)", text).group(1)
    assert link in html
    # and following its link, then pressing the button, confirms the subscription
    assert client.get(link).status_code == 200
    assert Subscription.objects.get().state == Subscription.State.PENDING
    assert client.post(link, {"confirm": ""}).status_code == 200
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED


def test_the_confirmation_names_its_sender_and_the_newsroom_and_fits_a_phone(newsroom, smtp_server):
    """The double opt-in e-mail comes from the newsletter's sender by name, quoted properly even
    with a comma and quotes in it; its subject and the top of its HTML name the newsroom, and the
    HTML has a viewport for phones."""
    # given a sender name that a hand-written "name <address>" would break into two addresses
    daily = NewsletterFactory(
        name="The Daily Briefing",
        sender_name='Masthead, the "Kyiv" desk',
        sender_email="briefing@masthead.example",
    )
    # when a reader signs up
    services.subscribe("reader@example.org", [daily])
    # then the message as the SMTP server received it
    (raw,) = smtp_server.messages
    message = email.message_from_string(raw.as_string(), policy=email.policy.default)
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        'Masthead, the "Kyiv" desk',
        "briefing@masthead.example",
    )
    assert message["Reply-To"] == "briefing@masthead.example"
    assert message["Subject"] == "Confirm your subscription to The Daily Briefing from Masthead"
    html = message.get_body(("html",)).get_content()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    body = html[html.index("<body") :]
    assert body.index("Masthead</p>") < body.index("The Daily Briefing")
