"""Member sign-in by e-mail link, and the account page: status, billing, data, deletion."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from masthead.members.models import Member, Membership, Payment, SignInLink

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


def test_the_answer_is_the_same_for_members_and_strangers(client, member):
    known = client.post("/members/sign-in/", {"email": "OLENA@example.org"})
    stranger = client.post("/members/sign-in/", {"email": "nobody@example.org"})
    assert known.status_code == stranger.status_code == 200

    def without_address_and_token(response):
        page = response.content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        page = re.sub(r'nonce="[^"]+"', "", page)
        return page.replace("OLENA@example.org", "X").replace("nobody@example.org", "X")

    assert without_address_and_token(known) == without_address_and_token(stranger)
    assert [m.to for m in mail.outbox] == [["olena@example.org"]]


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


def test_a_member_downloads_their_data(client, member):
    sign_in(client)
    response = client.get("/members/account/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["email"] == "olena@example.org"
    assert data["memberships"][0]["state"] == "active"
    assert data["payments"][0]["amount"] == 10.0


def test_deleting_an_account_cancels_stripe_first_and_keeps_only_payments(
    client, member, stripe_world
):
    stripe_world.objects["sub_test_1"] = {
        "id": "sub_test_1",
        "object": "subscription",
        "status": "active",
        "canceled_at": None,
    }
    sign_in(client)
    refused = client.post("/members/account/delete/", {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    response = client.post("/members/account/delete/", {"confirm": "on"})
    assert response.status_code == 200
    assert ("DELETE", "/v1/subscriptions/sub_test_1") in [
        (r[0], r[1]) for r in stripe_world.requests
    ]
    assert not Member.objects.exists() and not Membership.objects.exists()
    payment = Payment.objects.get()
    assert payment.member is None and payment.amount == 1000
    assert "member_id" not in client.session


def test_when_stripe_refuses_nothing_is_erased(client, member, stripe_world):
    sign_in(client)
    stripe_world.failures = 10
    response = client.post("/members/account/delete/", {"confirm": "on"})
    assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    assert Member.objects.filter(email="olena@example.org").exists()
