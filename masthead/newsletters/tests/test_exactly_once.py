"""Where the transport lets us be exact, a reader gets an issue once even when its send is resumed
after a crash (C4): the file backend knows what it wrote; providers with idempotency keys drop a
repeat. Over SMTP the bound is one repeat per crash (tests/test_kill_drills.py)."""

import datetime
import json
import os
import stat
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from masthead.core import mail
from masthead.newsletters import outbox, sending
from masthead.newsletters.models import Delivery, Issue
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

pytestmark = pytest.mark.django_db


def crash_after_sending(issue, reader):
    """Leave the send as a worker killed after handing `reader`'s message over leaves it."""
    Delivery.objects.filter(issue=issue, subscriber=reader).update(
        state=Delivery.State.SENDING,
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
        sent_at=None,
    )
    Issue.objects.filter(pk=issue.pk).update(state=Issue.State.SENDING, finished_at=None)


def test_the_file_backend_writes_a_resent_message_once(settings, tmp_path):
    # given an issue sent to three readers as files, on the embedded default
    settings.EMAIL_BACKEND = outbox.FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path)
    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    readers = confirmed_readers(newsletter, 3)
    issue = IssueFactory(newsletter=newsletter)
    sending.send_now(issue)
    assert len(list(tmp_path.glob("*.log"))) == 3
    # when a worker died after writing one reader's message, and the send resumes
    crash_after_sending(issue, readers[1])
    assert sending.deliver(issue.pk) == "sent"
    # then that message is not written again, and the send counts it sent
    files = list(tmp_path.glob("*.log"))
    assert len(files) == 3
    assert Delivery.objects.filter(issue=issue, state=Delivery.State.SENT).count() == 3
    # and the outbox reads each, kept from other accounts on the machine (links inside)
    assert sorted(m.to for m in outbox.messages()) == sorted(r.email for r in readers)
    assert all(stat.S_IMODE(os.stat(path).st_mode) == 0o600 for path in files)


class ResendStandIn(BaseHTTPRequestHandler):
    """Resend's e-mail API as its documentation describes it: an Idempotency-Key seen before
    returns the first answer and delivers nothing."""

    requests = []
    delivered = {}

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key")
        self.requests.append((key, body))
        if key is None or key not in self.delivered:
            self.delivered[key or uuid.uuid4().hex] = {"id": str(uuid.uuid4()), "body": body}
        answer = json.dumps({"id": self.delivered[key]["id"] if key else "x"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def resend(settings):
    ResendStandIn.requests, ResendStandIn.delivered = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), ResendStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "masthead.core.mailproviders.ResendBackend"
    settings.ANYMAIL = {
        "RESEND_API_KEY": "re_test",
        "RESEND_API_URL": f"http://127.0.0.1:{server.server_port}/",
    }
    yield ResendStandIn
    server.shutdown()


def test_a_provider_with_idempotency_keys_delivers_a_resent_message_once(resend):
    # given an issue sent to three readers through Resend
    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    readers = confirmed_readers(newsletter, 3)
    issue = IssueFactory(newsletter=newsletter)
    sending.send_now(issue)
    # when a worker died after handing one reader's message over, and the send resumes
    crash_after_sending(issue, readers[0])
    assert sending.deliver(issue.pk) == "sent"
    # then the repeat carried the same key, so the provider delivered each reader's message once
    keys = [key for key, _body in resend.requests]
    assert len(keys) == 4 and None not in keys
    assert len(set(keys)) == 3 and len(resend.delivered) == 3
    # the key is the request's, not a header of the e-mail readers get
    assert all(
        "Resend-Idempotency-Key" not in body.get("headers", {}) for _k, body in resend.requests
    )
    expected = mail.idempotency_headers(sending.message_id(issue, readers[0].pk))
    assert keys[-1] == expected["Resend-Idempotency-Key"]


def test_each_provider_gets_the_key_in_the_form_it_reads(settings):
    message_id = "<issue-1.reader-2@news.masthead.example>"
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    (brevo,) = mail.idempotency_headers(message_id).items()
    assert brevo[0] == "idempotencyKey" and uuid.UUID(brevo[1]).version == 5  # Brevo: a UUID
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = (
        "masthead.newsletters.mail.SMTPBackend",
        "smtp.resend.com",
    )
    assert list(mail.idempotency_headers(message_id)) == ["Resend-Idempotency-Key"]
    settings.EMAIL_HOST = "mail.example.org"  # a plain SMTP relay: no key to give
    assert mail.idempotency_headers(message_id) == {}
