"""Member sign-in by e-mail link, and the account page: status, billing, data, deletion."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.members import services
from masthead.members.models import Gift, Member, Membership, Payment, SignInLink
from masthead.members.tests import factories

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(newsroom):
    member = Member.objects.create(email="olena@example.org", stripe_customer_id="cus_test_1")
    Membership.objects.create(
        member=member,
        kind="recurring",
        state="active",
        interval="month",
        amount=1000,
        currency="eur",
        stripe_subscription_id="sub_test_1",
        renews_at=timezone.now() + datetime.timedelta(days=20),
    )
    Payment.objects.create(
        member=member,
        kind="membership",
        stripe_payment_intent_id="pi_1",
        amount=1000,
        currency="eur",
    )
    return member


def link_from_inbox():
    return re.search(r"http://testserver(/members/sign-in/[^/\s]+/)", mail.outbox[-1].body).group(1)


def sign_in(client, email="olena@example.org"):
    client.post("/members/sign-in/", {"email": email})
    link = link_from_inbox()
    assert client.post(link).status_code == 302
    return link


def _comparable(response, typed):
    """A response with what legitimately differs removed: the address typed, CSRF and nonces."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'nonce="[^"]+"', "", page).replace(typed, "X")
    headers = {
        k: re.sub(r"nonce-[^']+", "", v)
        for k, v in response.headers.items()
        if k.lower() not in ("set-cookie", "content-length")
    }
    return response.status_code, headers, page


# The worker closes the connection between tasks, which on PostgreSQL ends a test's transaction
@pytest.mark.django_db(transaction=True)
def test_the_answer_is_the_same_for_members_and_strangers(client, member, settings):
    """A member's address and a stranger's get the same status, headers and page, from the same
    database work (the look-up and the mail happen in the worker); only the member gets a link."""
    settings.TASKS = DATABASE_TASKS
    client.post("/members/sign-in/", {"email": "warm-up@example.org"})  # the site's caches fill
    answers = []
    for typed in ("OLENA@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/members/sign-in/", {"email": typed})
        work = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries]
        answers.append((_comparable(response, typed), work))
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 200
    # nothing was sent in the request; the worker sends the member's link, and only theirs
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name=*")
    assert [m.to for m in mail.outbox] == [["olena@example.org"]]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_outage_gives_members_and_strangers_the_same_answer(client, member, settings):
    """With the mail server down, a member's address gets the same 200 page a stranger's does."""
    settings.EMAIL_BACKEND = "masthead.members.tests.test_accounts.RefusingBackend"
    known = client.post("/members/sign-in/", {"email": "olena@example.org"})
    stranger = client.post("/members/sign-in/", {"email": "nobody@example.org"})
    assert known.status_code == stranger.status_code == 200
    assert _comparable(known, "olena@example.org") == _comparable(stranger, "nobody@example.org")


def test_a_sign_in_task_run_twice_sends_one_link(member):
    """The worker may run a task again (after a crash): the request's link goes out once."""
    assert services.send_sign_in_link("olena@example.org", "en", "request-1") is True
    assert services.send_sign_in_link("olena@example.org", "en", "request-1") is False
    assert len(mail.outbox) == 1
    assert SignInLink.objects.filter(request_id="request-1", sent_at__isnull=False).count() == 1
    # a stranger's request does nothing, and stores nothing
    assert services.send_sign_in_link("nobody@example.org", "en", "request-2") is False
    assert SignInLink.objects.count() == 1


def test_a_link_signs_in_once_and_shows_the_account(client, member):
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    link = link_from_inbox()
    # a mail scanner opening the link does not use it up
    assert client.get(link).status_code == 200
    response = client.post(link, follow=True)
    page = response.content.decode()
    assert "Signed in as olena@example.org" in page
    assert "Active" in page and "€10 a month" in page
    # the key is stored hashed, and the link works once
    assert link.split("/")[-2] not in SignInLink.objects.values_list("key_hash", flat=True)
    client.post("/members/account/", {"action": "sign_out"})
    again = client.post(link)
    assert again.status_code == 410 and "already used" in again.content.decode()


def test_an_expired_link_is_explained(client, member):
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(link_from_inbox())
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert "member_id" not in client.session


def test_sign_in_requests_are_rate_limited_per_address(client, member):
    for _ in range(5):
        assert client.post("/members/sign-in/", {"email": "olena@example.org"}).status_code == 200
    assert len(mail.outbox) == 3


def test_a_bad_address_gets_a_clear_message(client, newsroom):
    response = client.post("/members/sign-in/", {"email": "olena@@example"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_account_needs_a_sign_in(client, newsroom):
    assert client.get("/members/account/")["Location"] == "/members/sign-in/"
    assert client.get("/members/account/data.json")["Location"] == "/members/sign-in/"


def test_billing_opens_the_stripe_portal(client, member, stripe_world):
    stripe_world.objects["cus_test_1"] = {"id": "cus_test_1", "object": "customer", "email": "x"}
    sign_in(client)
    response = client.post("/members/account/", {"action": "billing"})
    assert response.status_code == 302
    assert response["Location"] == f"{stripe_world.url}/portal/cus_test_1"


def test_a_failed_billing_portal_says_so_on_the_account_page(client, member, stripe_world):
    """Stripe down when a member asks for the billing page: the account page says so (502)."""
    sign_in(client)
    stripe_world.failures = 10
    response = client.post("/members/account/", {"action": "billing"})
    assert response.status_code == 502
    page = response.content.decode()
    assert "We could not open your billing page at our payment provider" in page
    assert 'role="alert"' in page and "Signed in as olena@example.org" in page


def test_a_member_downloads_their_data(client, member):
    sign_in(client)
    response = client.get("/members/account/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["email"] == "olena@example.org"
    assert data["memberships"][0]["state"] == "active"
    assert data["payments"][0]["amount"] == 10.0


def test_deleting_an_account_cancels_stripe_first_and_keeps_only_payments(
    client, member, stripe_world, settings, tmp_path
):
    """Deleting cancels the subscription and deletes the Stripe customer, erases the gifts the
    member bought and received and the e-mails written to them on disk; only payments stay."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    stripe_world.objects["cus_test_1"] = {
        "id": "cus_test_1",
        "object": "customer",
        "email": "olena@example.org",
    }
    stripe_world.objects["sub_test_1"] = {
        "id": "sub_test_1",
        "object": "subscription",
        "customer": "cus_test_1",
        "status": "active",
        "canceled_at": None,
    }
    received = factories.gift(
        recipient_email="Olena@example.org",
        recipient_name="Olena",
        message="For you",
        state=Gift.State.REDEEMED,
        redeem_key_hash="a" * 64,
    )
    mail.EmailMessage("For someone else", "Hello", to=["petro@example.org"]).send()
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    link = re.search(r"/members/sign-in/[^/\s]+/", _mail_files(tmp_path)).group(0)
    assert client.post(link).status_code == 302
    refused = client.post("/members/account/delete/", {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    response = client.post("/members/account/delete/", {"confirm": "on"})
    assert response.status_code == 200
    calls = [(r[0], r[1]) for r in stripe_world.requests]
    assert ("DELETE", "/v1/subscriptions/sub_test_1") in calls
    assert ("DELETE", "/v1/customers/cus_test_1") in calls
    assert stripe_world.objects["cus_test_1"]["deleted"] is True
    assert not Member.objects.exists() and not Membership.objects.exists()
    payment = Payment.objects.get()
    assert payment.member is None and payment.amount == 1000
    received.refresh_from_db()
    assert (received.recipient_email, received.recipient_name, received.message) == ("", "", "")
    assert received.buyer_email == "taras@example.org"  # the buyer's own record stays theirs
    written = _mail_files(tmp_path)
    assert "olena@example.org" not in written.lower()
    assert "petro@example.org" in written
    assert "member_id" not in client.session


def _mail_files(tmp_path):
    return "".join(p.read_text() for p in (tmp_path / "mail").glob("*.log"))


def test_when_stripe_refuses_nothing_is_erased(client, member, stripe_world):
    sign_in(client)
    stripe_world.failures = 10
    response = client.post("/members/account/delete/", {"confirm": "on"})
    assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    assert Member.objects.filter(email="olena@example.org").exists()
