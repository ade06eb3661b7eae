"""The SMTP backend: DKIM signatures receivers can verify, and issues written out once per send."""

import email
import email.policy
import subprocess

import dkim
import pytest
from django.core.mail import EmailMessage, get_connection
from wagtail.rich_text import RichText

from masthead.newsletters import rendering, sending
from masthead.newsletters.mail import SMTPBackend
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory

pytestmark = pytest.mark.django_db

SMTP = "masthead.newsletters.mail.SMTPBackend"


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.fixture
def issue(newsroom):
    newsletter = NewsletterFactory(
        name="Вечірній випуск", sender_name="Masthead, Kyiv", reply_to="desk@masthead.example"
    )
    issue = IssueFactory(newsletter=newsletter, subject="Ключові події: вівторок")
    issue.html, issue.text = rendering.render_issue(issue)
    return issue


def slow_and_prepared(issue, *, email_address, name):
    """The same reader's message built by Django's email package and by splicing."""
    links = {
        "unsubscribe_url": "https://masthead.example/newsletters/u/tok:en-1/",
        "preferences_url": "https://masthead.example/newsletters/p/tok:en-1/?a=1&b=2",
    }
    prepared = sending.PreparedIssue.for_backend(issue, get_connection(SMTP))
    assert prepared is not None, "the SMTP backend gets the prepared path"
    raw = prepared.for_reader(email=email_address, name=name, message_id="<m@x.example>", **links)
    html, text = rendering.personalise(issue.html, issue.text, name=name, **links)
    slow = sending._build_message(
        issue,
        to=email_address,
        html=html,
        text=text,
        message_id="<m@x.example>",
        unsubscribe_url=links["unsubscribe_url"],
    )
    return parse(slow.message().as_bytes(linesep="\r\n")), raw


@pytest.mark.parametrize(
    "address, name",
    [
        ("reader@example.org", "Reader"),
        ("olena@example.org", 'Олена "Лена" <Коваль> & Co'),
        ("someone@приклад.укр", ""),
        ("imported@example.org", "Two\nlines\r\nfrom an old list"),
    ],
)
def test_a_prepared_copy_says_what_the_slow_path_says(issue, address, name):
    slow, raw = slow_and_prepared(issue, email_address=address, name=name)
    fast = parse(raw)
    for header in ("From", "To", "Subject", "Reply-To", "Message-ID", "List-Id"):
        assert fast[header] == slow[header], header
    assert fast["List-Unsubscribe"] == slow["List-Unsubscribe"]
    assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fast["Date"] and fast["Date"] != sending.PreparedIssue.DATE
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()
    assert b"MASTHEAD" not in raw  # no marker left behind
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_an_issue_the_encoder_would_mangle_goes_the_slow_way(issue):
    # a line longer than SMTP allows makes Django encode the body, which would hide the markers
    issue.body = [("paragraph", RichText("<p>" + "war " * 400 + "</p>"))]
    issue.html, issue.text = rendering.render_issue(issue)
    issue.text = issue.text.replace("\n", " ")
    assert sending.PreparedIssue.for_backend(issue, get_connection(SMTP)) is None


def test_backends_that_cannot_send_bytes_get_messages(issue):
    locmem = get_connection("django.core.mail.backends.locmem.EmailBackend")
    assert sending.PreparedIssue.for_backend(issue, locmem) is None


@pytest.fixture
def dkim_key(tmp_path, settings):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    settings.DKIM_DOMAIN = "masthead.example"
    settings.DKIM_SELECTOR = "kyiv2026"
    settings.DKIM_PRIVATE_KEY_FILE = str(key)
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        return record if name == b"kyiv2026._domainkey.masthead.example." else None

    return dns


def test_mail_is_signed_and_the_signature_verifies(issue, smtp_server, dkim_key):
    # an issue (prepared path) and a confirmation-style message (Django's path)
    sending.send_test(issue, "editor@masthead.example")
    EmailMessage("Confirm", "Click", "briefing@masthead.example", ["r@example.org"]).send()
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        raw = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        # aiosmtpd adds its own headers on top; a receiver checks what we signed
        raw = raw[raw.index(b"DKIM-Signature:") :]
        assert b"d=masthead.example" in raw and b"s=kyiv2026" in raw
        assert dkim.verify(raw, dnsfunc=dkim_key)
        # and a changed subject breaks it, so the signature covers what it claims to
        assert not dkim.verify(raw.replace(b"Subject:", b"Subject: FW:"), dnsfunc=dkim_key)


def test_one_click_headers_are_signed(issue, smtp_server, dkim_key):
    sending.send_test(issue, "editor@masthead.example")
    signature = smtp_server.messages[0]["DKIM-Signature"]
    signed = signature.replace("\n", "").replace(" ", "").split("h=")[1].split(";")[0]
    assert {"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} <= set(
        signed.lower().split(":")
    )


def test_an_unreadable_key_is_reported_in_words(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.DKIM_DOMAIN = "masthead.example"
    settings.DKIM_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="DKIM_PRIVATE_KEY_FILE"):
        SMTPBackend().signer  # noqa: B018 - reading the key is what is tested
