"""A real SMTP conversation: the confirmation e-mail goes out through Django's SMTP backend to aiosmtpd."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from masthead.newsletters import services
from masthead.newsletters.models import Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


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
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = re.search(r"http://testserver(/newsletters/confirm/[^\s]+/)", text).group(1)
    assert link in html
    # and following its link confirms the subscription
    assert client.get(link).status_code == 200
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED
