"""Sending an issue over a real SMTP conversation (aiosmtpd on 127.0.0.1), once per reader."""

import datetime
import email
import email.policy
import re
import time

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from masthead.newsletters import sending, services
from masthead.newsletters.models import Delivery, Issue, Subscriber, Subscription
from masthead.newsletters.tests.conftest import Inbox, free_port
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

pytestmark = pytest.mark.django_db


def parse(raw):
    return email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)


def raw_header_lines(raw, name):
    """The header as it travelled: its first line and any folded continuation lines."""
    text = raw.as_string()
    head = text[: text.index("\n\n")]
    match = re.search(rf"^{name}:.*(\n[ \t].*)*", head, flags=re.M | re.I)
    return match.group(0).split("\n")


@pytest.fixture
def daily(newsroom):
    return NewsletterFactory(
        name="The Daily Briefing",
        slug="daily",
        sender_name="Masthead, Kyiv desk",
        sender_email="briefing@masthead.example",
        reply_to="editors@masthead.example",
    )


def test_an_issue_reaches_each_confirmed_reader_once_with_proper_headers(
    daily, smtp_server, settings
):
    # given a site at its own domain, three confirmed readers, one pending, one unsubscribed and
    # one who bounced before
    settings.SITE_URL = "https://news.masthead.example"
    readers = confirmed_readers(daily, 3)
    pending = services.find_or_add_subscriber("pending@example.org")
    Subscription.objects.create(subscriber=pending, newsletter=daily)
    left = services.find_or_add_subscriber("left@example.org")
    Subscription.objects.create(
        subscriber=left, newsletter=daily, state=Subscription.State.UNSUBSCRIBED
    )
    bounced = confirmed_readers(daily, 1, prefix="bounced")[0]
    Subscriber.objects.filter(pk=bounced.pk).update(suppressed_at=timezone.now())
    issue = IssueFactory(newsletter=daily, subject="Key developments: Tuesday")
    # when
    assert sending.send_now(issue) == 3
    # then
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENT and issue.finished_at
    received = sorted(smtp_server.messages, key=lambda m: m["To"])
    assert [m["To"] for m in received] == [r.email for r in readers]
    first = parse(received[0])
    # a Message-ID at the site's domain, and a Date in UTC, not "-0000" (time zone unknown)
    assert first["Message-ID"] == (
        f"<issue-{issue.pk}.reader-{readers[0].pk}@news.masthead.example>"
    )
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", str(first["Date"]))
    assert abs(first["Date"].datetime - timezone.now()) < datetime.timedelta(minutes=1)
    assert first["From"] == '"Masthead, Kyiv desk" <briefing@masthead.example>'
    assert first["Reply-To"] == "editors@masthead.example"
    assert first["List-Id"] == '"The Daily Briefing" <daily.masthead.example>'
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.get_content_type() == "multipart/alternative"
    (line,) = raw_header_lines(received[0], "List-Unsubscribe")  # one line: not folded
    # the one-click link only: no mailbox here acts on mail that says "unsubscribe"
    (https_link,) = re.fullmatch(r"List-Unsubscribe: <(https?://[^>]+)>", line).groups()
    html = first.get_body(("html",)).get_content()
    text = first.get_body(("plain",)).get_content()
    # personalised: the reader's name, and their own unsubscribe link visible in both bodies
    assert "Hello Reader 0," in html and "Hello Reader 0," in text
    assert https_link in text and https_link.replace("&", "&amp;") in html
    # rendered once with CSS inlined, dark mode kept for the clients that support it
    assert re.search(r'<h2 style="[^"]*font-size: ?22px', html)
    assert "prefers-color-scheme: dark" in html
    assert "four hours" in text and "Support our reporting: https://masthead.example/join/" in text
    # and the other readers got their own links
    second = parse(received[1])
    assert second["List-Unsubscribe"] != first["List-Unsubscribe"]
    assert sending.progress(issue) | {"total": 3} == {
        "queued": 0,
        "sent": 3,
        "failed": 0,
        "skipped": 0,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 0,
        "total": 3,
    }


def test_one_click_unsubscribe_from_an_issue_counts_on_that_issue(daily, smtp_server):
    # given
    confirmed_readers(daily, 2)
    issue = IssueFactory(newsletter=daily)
    sending.send_now(issue)
    message = parse(smtp_server.messages[0])
    link = re.search(r"<https?://testserver([^>]+)>", message["List-Unsubscribe"]).group(1)
    # when a mail client posts to it without cookies or CSRF token (RFC 8058)
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    # then
    assert response.status_code == 200
    reader = Subscriber.objects.get(email=message["To"])
    assert reader.subscriptions.get().state == Subscription.State.UNSUBSCRIBED
    assert sending.progress(issue)["unsubscribed"] == 1
    daily.refresh_from_db()
    assert daily.audience_count == 1


def test_a_visible_unsubscribe_link_asks_before_unsubscribing(daily, smtp_server, client):
    confirmed_readers(daily, 1)
    sending.send_now(IssueFactory(newsletter=daily))
    text = parse(smtp_server.messages[0]).get_body(("plain",)).get_content()
    link = re.search(r"Unsubscribe: http://testserver(\S+)", text).group(1)
    # a mail scanner opening the link changes nothing
    page = client.get(link)
    assert page.status_code == 200
    assert "Unsubscribe from The Daily Briefing?" in page.content.decode()
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED
    # the reader's click does
    client.post(link)
    assert Subscription.objects.get().state == Subscription.State.UNSUBSCRIBED


def test_sending_again_sends_nothing_more(daily, smtp_server):
    confirmed_readers(daily, 4)
    issue = IssueFactory(newsletter=daily)
    sending.send_now(issue)
    # when the send is started again and a stray worker runs
    assert sending.start_sending(issue) is False
    assert sending.deliver(issue.pk) == "not sending"
    # then
    assert len(smtp_server.messages) == 4
    assert Delivery.objects.filter(issue=issue).count() == 4


class PickyServer(Inbox):
    """Refuses some recipients, like a real receiving server: 4xx means later, 5xx means never."""

    def __init__(self, temporary=(), permanent=(), temporary_times=1):
        super().__init__()
        self.temporary, self.permanent = set(temporary), set(permanent)
        self.refusals = dict.fromkeys(temporary, temporary_times)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.permanent:
            return "550 5.1.1 No such mailbox"
        if self.refusals.get(address, 0) > 0:
            self.refusals[address] -= 1
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_server(settings):
    servers = []

    def start(**kwargs):
        handler = PickyServer(**kwargs)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "masthead.newsletters.mail.SMTPBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        return handler

    yield start
    for controller in servers:
        controller.stop()


def test_temporary_refusals_retry_with_backoff_and_permanent_ones_are_recorded(
    daily, picky_server, settings
):
    # given a server that greylists reader1 once and has no mailbox for reader2
    confirmed_readers(daily, 3)
    server = picky_server(temporary=["reader1@example.org"], permanent=["reader2@example.org"])
    issue = IssueFactory(newsletter=daily)
    # when
    sending.send_now(issue)
    # then reader0 got it, reader1 waits for a retry, reader2 failed for good
    by_email = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert [m["To"] for m in server.messages] == ["reader0@example.org"]
    waiting = by_email["reader1@example.org"]
    assert waiting.state == Delivery.State.QUEUED and waiting.attempts == 1
    assert waiting.error.startswith("451")
    assert waiting.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    failed = by_email["reader2@example.org"]
    assert failed.state == Delivery.State.FAILED and failed.error.startswith("550")
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENDING
    # when the retry comes due
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    assert sending.deliver(issue.pk) == "sent"
    # then reader1 got exactly one message and reader2 was never tried again
    assert sorted(m["To"] for m in server.messages) == [
        "reader0@example.org",
        "reader1@example.org",
    ]
    assert sending.progress(issue)["failed"] == 1


def test_a_reader_refused_too_often_is_given_up_on(daily, picky_server, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    confirmed_readers(daily, 1)
    picky_server(temporary=["reader0@example.org"], temporary_times=5)
    issue = IssueFactory(newsletter=daily)
    sending.send_now(issue)
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert sending.deliver(issue.pk) == "sent"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    assert delivery.error.startswith("Gave up after 2 attempts: 451")


def test_a_mail_server_that_is_down_loses_nothing(daily, settings, smtp_server):
    # given the mail server is unreachable when the send starts
    confirmed_readers(daily, 5)
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    issue = IssueFactory(newsletter=daily)
    sending.send_now(issue)
    assert smtp_server.messages == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.QUEUED}
    # when it is back and the retries come due
    settings.EMAIL_PORT = working_port
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert sending.deliver(issue.pk) == "sent"
    # then everyone got exactly one message
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"reader{n}@example.org" for n in range(5)
    ]


def test_a_reader_who_leaves_during_a_send_is_skipped(daily, smtp_server):
    readers = confirmed_readers(daily, 3)
    issue = IssueFactory(newsletter=daily)
    assert sending.start_sending(issue)
    services.unsubscribe_all(readers[2])
    sending.deliver(issue.pk)
    assert sorted(m["To"] for m in smtp_server.messages) == [readers[0].email, readers[1].email]
    assert sending.progress(issue)["skipped"] == 1


def test_a_lapsed_claim_is_taken_over_and_a_live_one_is_not(daily, smtp_server, settings):
    # given a worker claimed two rows and died
    confirmed_readers(daily, 3)
    issue = IssueFactory(newsletter=daily)
    sending.start_sending(issue)
    issue.refresh_from_db()
    dead_worker = sending.claim(issue, 2)
    # when another worker runs while the lease holds, it sends only the unclaimed row
    assert sending.deliver(issue.pk) == "others sending"
    assert len(smtp_server.messages) == 1
    # and once the lease has run out, it takes the dead worker's rows
    Delivery.objects.filter(id__in=[r.id for r in dead_worker]).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert sending.deliver(issue.pk) == "sent"
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"reader{n}@example.org" for n in range(3)
    ]


def test_a_worker_whose_lease_runs_out_hands_back_untried_rows_at_once(daily, smtp_server):
    confirmed_readers(daily, 3)
    issue = IssueFactory(newsletter=daily)
    sending.start_sending(issue)
    issue.refresh_from_db()
    batch = sending.claim(issue, 3)
    # when the lease deadline has already passed before the first message
    sending._deliver_batch(issue, batch, None, lease_deadline=time.monotonic() - 1)
    # nothing was sent, no attempt was counted, and the rows are due again now, not later
    assert smtp_server.messages == []
    rows = Delivery.objects.filter(issue=issue)
    assert {r.state for r in rows} == {Delivery.State.QUEUED}
    assert {r.attempts for r in rows} == {0}
    assert all(r.next_attempt_at <= timezone.now() for r in rows)
    assert sending.deliver(issue.pk) == "sent"
    assert len(smtp_server.messages) == 3


def test_a_send_whose_workers_died_is_resumed_by_the_scheduler(daily, smtp_server):
    confirmed_readers(daily, 2)
    issue = IssueFactory(newsletter=daily)
    sending.start_sending(issue)  # started, but no worker ever ran
    Issue.objects.filter(pk=issue.pk).update(
        last_progress_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert sending.resume_stalled() == 1
    assert len(smtp_server.messages) == 2
    assert Issue.objects.get(pk=issue.pk).state == Issue.State.SENT


def test_a_scheduled_issue_goes_out_when_its_time_comes(daily, smtp_server):
    confirmed_readers(daily, 1)
    issue = IssueFactory(newsletter=daily)
    send_at = timezone.now() + datetime.timedelta(minutes=5)
    sending.schedule(issue, send_at)
    assert sending.start_due_issues() == 0 and smtp_server.messages == []
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now())
    assert sending.start_due_issues() == 1
    assert len(smtp_server.messages) == 1


def test_an_empty_issue_or_a_past_time_is_refused_with_a_reason(daily):
    empty = IssueFactory(newsletter=daily, body=[])
    with pytest.raises(sending.IssueNotReady, match="Add an article"):
        sending.send_now(empty)
    with pytest.raises(sending.IssueNotReady, match="in the future"):
        sending.schedule(IssueFactory(newsletter=daily), timezone.now())
    assert Delivery.objects.count() == 0
    assert set(Issue.objects.values_list("state", flat=True)) == {Issue.State.DRAFT}


def test_the_audience_count_follows_every_change_without_counting_rows(daily):
    # given
    readers = confirmed_readers(daily, 4)
    newcomer = services.subscribe("new@example.org", [daily])
    assert daily.__class__.objects.get(pk=daily.pk).audience_count == 4
    # when one confirms, one leaves, one bounces, one changes preferences twice
    key_holder = newcomer.subscriptions.get()
    services.move(key_holder, Subscription.State.CONFIRMED)
    services.unsubscribe_all(readers[0])
    services.suppress(readers[1].email, "bounce")
    services.update_preferences(readers[2], [])
    services.update_preferences(readers[2], [daily])
    # then the kept count equals a count of the rows
    daily.refresh_from_db()
    assert daily.audience_count == 3
    assert daily.audience_count == services.audience(daily).count()


def test_a_test_send_goes_only_to_the_editor(daily, smtp_server):
    confirmed_readers(daily, 2)
    issue = IssueFactory(newsletter=daily, subject="Tomorrow's briefing")
    sending.send_test(issue, "editor@masthead.example")
    (message,) = [parse(m) for m in smtp_server.messages]
    assert message["To"] == "editor@masthead.example"
    assert message["Subject"] == "[Test] Tomorrow's briefing"
    assert Delivery.objects.count() == 0
    assert Issue.objects.get(pk=issue.pk).state == Issue.State.DRAFT


def test_the_real_send_and_the_test_send_reply_and_come_from_the_same_place(newsroom, smtp_server):
    """Both carry From and Reply-To from the newsletter (its reply-to, else its sender), so an
    editor's test shows what readers get."""
    # given a newsletter without a reply-to address of its own, and one reader
    weekly = NewsletterFactory(
        sender_name='The "Weekly", from Kyiv', sender_email="weekly@masthead.example"
    )
    confirmed_readers(weekly, 1)
    issue = IssueFactory(newsletter=weekly)
    # when an editor sends a test, then the issue goes out
    sending.send_test(issue, "editor@masthead.example")
    sending.send_now(issue)
    # then the two messages received agree
    test, real = [parse(m) for m in smtp_server.messages]
    assert (test["To"], real["To"]) == ("editor@masthead.example", "reader0@example.org")
    for message in (test, real):
        assert message["Reply-To"] == "weekly@masthead.example"
        (sender,) = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (
            'The "Weekly", from Kyiv',
            "weekly@masthead.example",
        )


def test_list_unsubscribe_offers_a_mailto_only_where_one_is_configured(
    daily, smtp_server, settings
):
    """RFC 8058's one-click link always; a mailto: beside it only when the newsroom names a
    mailbox that acts on it (NEWSLETTER_UNSUBSCRIBE_MAILTO)."""
    # given a mailbox that handles unsubscribe requests
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "leave@masthead.example"
    confirmed_readers(daily, 1)
    # when an issue goes out
    sending.send_now(IssueFactory(newsletter=daily))
    # then its header offers both, on one line, and one click still works
    (raw,) = smtp_server.messages
    (line,) = raw_header_lines(raw, "List-Unsubscribe")
    assert re.fullmatch(
        r"List-Unsubscribe: <https?://[^>]+>,<mailto:leave@masthead\.example\?subject=unsubscribe>",
        line,
    )
    assert parse(raw)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_send_waiting_for_its_retry_time_is_not_taken_for_stalled(daily, smtp_server):
    # given a send whose every row waits for its retry (the mail server was down), long quiet
    confirmed_readers(daily, 2)
    issue = IssueFactory(newsletter=daily)
    sending.start_sending(issue)
    Delivery.objects.filter(issue=issue).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=10)
    )
    Issue.objects.filter(pk=issue.pk).update(
        last_progress_at=timezone.now() - datetime.timedelta(hours=1)
    )
    # when the scheduler looks for stalled sends, then it leaves it to its deferred task
    assert sending.resume_stalled() == 0
    assert smtp_server.messages == []
