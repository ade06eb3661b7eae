"""Every e-mail the site sends carries the headers receivers judge us by (D10): `Date` with a real
offset and a `Message-ID` at the site's domain (issues, and mail Wagtail writes, too); transactional
ones also a `Reply-To` and `Auto-Submitted: auto-generated`. Checked on the bytes the mail backend wrote, read back with
Python's email package, as a receiving server would read them."""

import datetime
import email
import email.policy
import email.utils
import re

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from masthead.members import services as members
from masthead.members.models import Gift, Member, Payment
from masthead.newsletters import links
from masthead.newsletters import services as newsletters
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory

pytestmark = pytest.mark.django_db

SITE = "https://news.masthead.example"


@pytest.fixture
def written(settings, tmp_path):
    """Mail goes to files, as on the embedded default; returns a reader of what was written."""
    settings.EMAIL_BACKEND = "masthead.core.mailfiles.EmailBackend"  # the embedded default's
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Masthead <newsroom@masthead.example>"
    settings.REPLY_TO_EMAIL = "readers@masthead.example"

    def read():
        messages = []
        for path in sorted(tmp_path.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return messages

    return read


def assert_transactional(message, *, reply_to):
    date = message["Date"]
    assert not date.endswith("-0000"), date
    sent_at = email.utils.parsedate_to_datetime(date)
    assert sent_at.utcoffset() == datetime.timedelta(0)
    assert abs(sent_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert re.fullmatch(r"<[^@<>\s]+@news\.masthead\.example>", message["Message-ID"])
    assert message["Reply-To"] == reply_to
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"


def test_newsletter_confirmation_and_requested_links(client, newsroom, written):
    # given a newsletter with its own desk to reply to
    NewsletterFactory(
        name="The Daily Briefing", subscribe_by_default=True, reply_to="desk@masthead.example"
    )
    # when a reader signs up, then asks for a preference link and a link to their data
    client.post("/newsletters/", {"email": "reader@example.org"})
    subscriber = newsletters.Subscriber.objects.get()
    client.post(
        reverse("newsletters:unsubscribe", args=[links.unsubscribe_token(subscriber)]),
        {"send_preferences": ""},
    )
    client.post(
        reverse("newsletters:preferences", args=[links.preferences_token(subscriber)]),
        {"ask_export": ""},
    )
    # then each e-mail carries the headers, and answers reach the newsletter's desk
    sent = written()
    assert [m["Subject"] for m in sent] == [
        "Confirm your subscription to The Daily Briefing from Masthead",
        "Your link to choose your newsletters from Masthead",
        "Your link to download your newsletter data from Masthead",
    ]
    for message in sent:
        assert message["To"] == "reader@example.org"
        assert message["From"] == "Masthead <newsletters@masthead.example>"
        assert_transactional(message, reply_to="desk@masthead.example")
    # and no two share a Message-ID
    assert len({m["Message-ID"] for m in sent}) == 3


def test_an_editors_test_send(admin_client, newsroom, written):
    issue = IssueFactory(newsletter=NewsletterFactory(name="Evening"))
    admin_client.post(
        reverse("newsletters_issue_send", args=[issue.pk]),
        {"action": "test", "test_address": "editor@masthead.example"},
    )
    (message,) = written()
    assert message["Subject"].startswith("[Test] ")
    # no reply-to set on the newsletter: answers go to its sender
    assert_transactional(message, reply_to="newsletters@masthead.example")


def test_members_sign_in_receipt_and_gift(client, newsroom, written):
    # given a member
    member = Member.objects.create(email="olena@example.org")
    # when they ask for a sign-in link, pay, and are given a gift
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    payment = Payment.objects.create(
        member=member,
        kind="one_time",
        stripe_payment_intent_id="pi_d10",
        amount=2500,
        currency="eur",
    )
    members.send_receipt(payment)
    Gift.objects.create(
        buyer_email="buyer@example.org",
        buyer_name="Taras",
        recipient_email="friend@example.org",
        months=3,
        deliver_on=timezone.localdate() - datetime.timedelta(days=1),
        amount=2500,
        currency="eur",
        state=Gift.State.PAID,
    )
    members.deliver_due_gifts()
    # then each e-mail carries the headers, and answers reach the newsroom
    sent = written()
    assert [m["To"] for m in sent] == [
        "olena@example.org",
        "olena@example.org",
        "friend@example.org",
    ]
    for message in sent:
        assert message["From"] == "Masthead <newsroom@masthead.example>"
        assert_transactional(message, reply_to="readers@masthead.example")
    assert django_mail.outbox == []  # written to files, nowhere else


def assert_dated_and_ours(message):
    date = message["Date"]
    assert not date.endswith("-0000"), date
    sent_at = email.utils.parsedate_to_datetime(date)
    assert sent_at.utcoffset() == datetime.timedelta(0)
    assert abs(sent_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert re.fullmatch(r"<[^@<>\s]+@news\.masthead\.example>", message["Message-ID"])


def test_issue_e_mails_to_readers(newsroom, written):
    # given an issue of a newsletter with two confirmed readers
    from masthead.newsletters import sending
    from masthead.newsletters.tests.factories import confirmed_readers

    newsletter = NewsletterFactory(name="Morning", sender_email="briefing@masthead.example")
    readers = confirmed_readers(newsletter, 2)
    issue = IssueFactory(newsletter=newsletter)
    # when it is sent
    assert sending.send_now(issue) == 2
    # then each reader's copy is dated in UTC and identified at the site's domain, as its own
    sent = sorted(written(), key=lambda m: m["To"])
    assert [m["To"] for m in sent] == [r.email for r in readers]
    for message, reader in zip(sent, readers, strict=True):
        assert_dated_and_ours(message)
        assert (
            message["Message-ID"] == f"<issue-{issue.pk}.reader-{reader.pk}@news.masthead.example>"
        )


def test_mail_wagtail_writes_is_dated_and_ours_too(client, newsroom, written, django_user_model):
    # given a staff account
    django_user_model.objects.create_user("editor", "editor@masthead.example", "a-long-password")
    # when its owner asks the admin's sign-in page for a new password
    response = client.post(
        reverse("wagtailadmin_password_reset"), {"email": "editor@masthead.example"}
    )
    # then Wagtail's e-mail goes out with a proper Date and a Message-ID of ours
    assert response.status_code == 302
    (message,) = written()
    assert message["To"] == "editor@masthead.example"
    assert_dated_and_ours(message)


def test_every_reader_e_mail_comes_from_the_newsroom_by_name(client, newsroom, written, settings):
    """Sign-in links, receipts, gifts and a reader's requested links say who sends them: the
    newsroom's name (Settings → Newsroom), quoted as RFC 5322 wants even with a comma and quotes,
    in From, in the subject, and at the top of the HTML, which fits a phone's screen."""
    # given a bare sender address and a newsroom whose name needs quoting
    from masthead.core.models import NewsroomSettings
    from masthead.newsletters import data_requests

    settings.DEFAULT_FROM_EMAIL = "newsroom@masthead.example"
    name = 'Kyiv "Independent", News'
    NewsroomSettings.objects.update(name=name)
    member = Member.objects.create(email="olena@example.org")
    # when a member asks for a sign-in link, pays and is given a gift, and a reader who is on no
    # newsletter (so no newsletter's sender to borrow) asks for a preference link
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    payment = Payment.objects.create(
        member=member,
        kind="one_time",
        stripe_payment_intent_id="pi_sender",
        amount=2500,
        currency="eur",
    )
    members.send_receipt(payment)
    Gift.objects.create(
        buyer_email="buyer@example.org",
        buyer_name="Taras",
        recipient_email="friend@example.org",
        months=3,
        deliver_on=timezone.localdate() - datetime.timedelta(days=1),
        amount=2500,
        currency="eur",
        state=Gift.State.PAID,
    )
    members.deliver_due_gifts()
    reader = newsletters.find_or_add_subscriber("reader@example.org")
    assert data_requests.send_preferences_link(reader)
    # then each, read back from the bytes written, comes from the newsroom by its name
    sent = written()
    assert [m["Subject"] for m in sent] == [
        f"Your sign-in link to {name}",
        f"Thank you: your receipt from {name}",
        f"Taras gave you a membership to {name}",
        f"Your link to choose your newsletters from {name}",
    ]
    for message in sent:
        (sender,) = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (name, "newsroom@masthead.example")
        # quoted and escaped on the wire, not a bare comma splitting it into two addresses
        raw_from = re.search(r"^From: (.*)$", message.as_string(), flags=re.M).group(1)
        assert raw_from == '"Kyiv \\"Independent\\", News" <newsroom@masthead.example>'
        html = message.get_body(("html",)).get_content()
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert "Kyiv &quot;Independent&quot;, News</p>" in html
