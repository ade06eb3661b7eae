"""Every e-mail task is safe to run twice (C2): a run killed before its e-mail went out is made
good by the next run (no five-minute wait), and a run killed after sending and before recording
sends nothing again where the transport can tell (the embedded default's mail files), at most one
more over SMTP. A kill is stood in for by an error at the moment named; the kill drills
(tests/test_kill_drills.py) kill real workers.
"""

import email
import email.policy

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from masthead.core import mail
from masthead.members import services as members
from masthead.members import tasks as member_tasks
from masthead.members.models import Member, Payment, SignInLink
from masthead.newsletters import data_requests, services
from masthead.newsletters import tasks as newsletter_tasks
from masthead.newsletters.models import Confirmation, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


class Killed(Exception):
    """Stands for SIGKILL at that line."""


@pytest.fixture
def mail_files(settings, tmp_path):
    settings.EMAIL_BACKEND = "masthead.core.mailfiles.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    def read():
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in tmp_path.glob("*.log")
        ]

    return read


def kill_on_send(monkeypatch):
    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(mail, "send", killed)


def signed_up():
    """A reader whose sign-up is stored; its confirmation task has not run yet."""
    newsletter = NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)
    subscriber = services.find_or_add_subscriber("reader@example.org")
    Subscription.objects.create(subscriber=subscriber, newsletter=newsletter)
    return subscriber


def test_a_confirmation_killed_before_its_e_mail_is_sent_by_the_next_run(monkeypatch):
    # given a sign-up whose confirmation task was killed after storing the link, before the e-mail
    subscriber = signed_up()
    kill_on_send(monkeypatch)
    with pytest.raises(Killed):
        newsletter_tasks.send_confirmation.call(subscriber.pk)
    monkeypatch.undo()
    assert Confirmation.objects.get().sent_at is None
    # when the task runs again (its worker's lease ran out), at once, not five minutes later
    assert newsletter_tasks.send_confirmation.call(subscriber.pk) is True
    # then the reader has their confirmation, and a third run sends no other
    (message,) = django_mail.outbox
    assert message.subject == "Confirm your subscription to The Daily Briefing from Masthead"
    assert newsletter_tasks.send_confirmation.call(subscriber.pk) is False
    assert len(django_mail.outbox) == 1


def test_a_confirmation_killed_after_sending_is_not_sent_again_to_mail_files(mail_files):
    # given a confirmation written to the outbox by a run killed before it recorded so
    subscriber = signed_up()
    assert newsletter_tasks.send_confirmation.call(subscriber.pk) is True
    Confirmation.objects.update(sent_at=None)  # the record the killed run did not write
    # when the task runs again
    assert newsletter_tasks.send_confirmation.call(subscriber.pk) is False
    # then the outbox, which knows it has that Message-ID, keeps one e-mail, now recorded
    (message,) = mail_files()
    confirmation = Confirmation.objects.get()
    assert message["Message-ID"] == confirmation.message_id and confirmation.sent_at


def test_over_smtp_the_same_kill_costs_at_most_one_more_confirmation():
    # given the same, on a transport that cannot say what went out (locmem stands for SMTP)
    subscriber = signed_up()
    newsletter_tasks.send_confirmation.call(subscriber.pk)
    Confirmation.objects.update(sent_at=None)
    # when the task runs again, then, and again, the reader has two working links at most
    newsletter_tasks.send_confirmation.call(subscriber.pk)
    newsletter_tasks.send_confirmation.call(subscriber.pk)
    assert len(django_mail.outbox) == 2
    assert len({m.extra_headers["Message-ID"] for m in django_mail.outbox}) == 2


def test_a_preference_link_killed_mid_send_is_sent_by_the_next_run(monkeypatch):
    # given a reader's request for their preference link, its task killed while sending
    subscriber = signed_up()
    kill_on_send(monkeypatch)
    with pytest.raises(Killed):
        data_requests.send_link(subscriber, data_requests.PREFERENCES)
    monkeypatch.undo()
    # when it runs again, then the link goes out, and only once in RESEND_AFTER
    assert data_requests.send_link(subscriber, data_requests.PREFERENCES) is True
    assert data_requests.send_link(subscriber, data_requests.PREFERENCES) is False
    assert [m.subject for m in django_mail.outbox] == [
        "Your link to choose your newsletters from Masthead"
    ]


def test_a_data_link_killed_either_side_of_sending(monkeypatch, mail_files):
    subscriber = signed_up()
    # killed before sending: the next run sends it
    kill_on_send(monkeypatch)
    with pytest.raises(Killed):
        data_requests.send_link(subscriber, "export")
    monkeypatch.undo()
    assert data_requests.send_link(subscriber, "export") is True
    # killed after sending, before recording: the next run finds it in the outbox
    Confirmation.objects.filter(purpose="export").update(sent_at=None)
    assert data_requests.send_link(subscriber, "export") is False
    assert [m["Subject"] for m in mail_files()] == [
        "Your link to download your newsletter data from Masthead"
    ]


def paid():
    member = Member.objects.create(email="olena@example.org")
    return Payment.objects.create(
        member=member,
        kind="one_time",
        stripe_payment_intent_id="pi_twice",
        amount=2500,
        currency="eur",
        paid_at=timezone.now(),
    )


def test_a_receipt_is_sent_once_however_its_task_was_killed(monkeypatch, mail_files):
    payment = paid()
    # killed before sending: the next run sends it
    kill_on_send(monkeypatch)
    with pytest.raises(Killed):
        member_tasks.send_receipt.call(payment.pk)
    monkeypatch.undo()
    assert member_tasks.send_receipt.call(payment.pk) is True
    # run again once it is recorded: nothing (before, every run sent another receipt)
    assert member_tasks.send_receipt.call(payment.pk) is False
    # killed after sending, before recording: the outbox has it, so nothing again
    Payment.objects.update(receipt_sent_at=None)
    assert member_tasks.send_receipt.call(payment.pk) is False
    assert len(mail_files()) == 1
    assert Payment.objects.get().receipt_sent_at


def test_a_sign_in_link_killed_after_sending_is_not_sent_again_to_mail_files(mail_files):
    # given a member's sign-in request whose task sent the link and was killed before recording
    Member.objects.create(email="olena@example.org")
    assert members.send_sign_in_link("olena@example.org", "en", "request-1") is True
    SignInLink.objects.update(sent_at=None)
    # when it runs again, then no second link is sent, and the first one still works
    assert members.send_sign_in_link("olena@example.org", "en", "request-1") is False
    (message,) = mail_files()
    key = message.get_body(("plain",)).get_content().split("/members/sign-in/")[1].split("/")[0]
    assert members.check_sign_in_link(key)[0] == members.LinkResult.OK
