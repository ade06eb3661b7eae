"""Gift memberships: bought, delivered on their date, redeemed once, and over when their time is up."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Gift, Member, Membership, Payment
from masthead.members.tests.test_webhooks import check_scenario

pytestmark = pytest.mark.django_db


def buy_gift(client, stripe_world, post_events, *, deliver_on):
    response = client.post(
        "/members/gift/",
        {
            "months": "3",
            "recipient_name": "Mariia",
            "recipient_email": "mariia@example.org",
            "message": "For the long winter.",
            "deliver_on": deliver_on.isoformat(),
            "buyer_name": "Taras",
            "buyer_email": "taras@example.org",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session_id = response["Location"].rsplit("/", 1)[1]
    return stripe_world.complete_checkout(session_id, "taras@example.org")


def redeem_link():
    (message,) = [m for m in mail.outbox if m.to == ["mariia@example.org"]]
    return re.search(r"http://testserver(/members/gift/redeem/[^/\s]+/)", message.body).group(1)


def test_a_gift_is_paid_delivered_on_its_date_redeemed_once_and_expires(
    client, newsroom, stripe_world, post_events
):
    # given a reader buys three months for a friend, to arrive in two days
    today = timezone.localdate()
    events = buy_gift(client, stripe_world, post_events, deliver_on=today + datetime.timedelta(2))
    # when Stripe's events arrive, in any order and more than once
    state = check_scenario(post_events, events)
    # then the gift is paid, the buyer has a receipt, and nobody is a member yet
    assert state["gifts"] == [("mariia@example.org", Gift.State.PAID)]
    assert [p[2:] for p in state["payments"]] == [(Payment.Kind.GIFT, 2500, 0)]
    assert not Member.objects.filter(is_active=True).exists()
    # nothing is sent before its date, and it is sent once on the day
    assert services.deliver_due_gifts(today=today + datetime.timedelta(1)) == 0
    assert services.deliver_due_gifts(today=today + datetime.timedelta(2)) == 1
    assert services.deliver_due_gifts(today=today + datetime.timedelta(3)) == 0
    link = redeem_link()
    gift_mail = next(m for m in mail.outbox if m.to == ["mariia@example.org"])
    assert gift_mail.subject == "Taras gave you a membership"
    assert "For the long winter." in gift_mail.body
    # the link shows the gift; posting it makes Mariia a member for three months
    page = client.get(link)
    assert page.status_code == 200 and "gave you 3 months" in page.content.decode()
    assert client.post(link).status_code == 302
    member = Member.objects.get(email="mariia@example.org")
    membership = member.memberships.get()
    assert member.is_active and membership.state == Membership.State.GIFT
    assert 89 <= (membership.renews_at - timezone.now()).days <= 92
    # a second use is refused in words
    again = client.post(link)
    assert again.status_code == 410
    assert "already redeemed" in again.content.decode()
    # and when the three months are over, the membership ends
    assert services.expire_memberships(now=timezone.now() + datetime.timedelta(days=60)) == 0
    assert services.expire_memberships(now=timezone.now() + datetime.timedelta(days=93)) == 1
    member.refresh_from_db()
    assert not member.is_active
    assert member.memberships.get().state == Membership.State.ENDED


def test_a_refunded_gift_is_never_delivered(client, newsroom, stripe_world, post_events):
    events = buy_gift(client, stripe_world, post_events, deliver_on=timezone.localdate())
    intent = next(o for o in stripe_world.objects.values() if o["object"] == "payment_intent")
    events += stripe_world.refund(intent["id"])
    state = check_scenario(post_events, events)
    assert state["gifts"] == [("mariia@example.org", Gift.State.REFUNDED)]
    assert services.deliver_due_gifts() == 0


def test_a_made_up_gift_link_is_explained(client, newsroom):
    response = client.get("/members/gift/redeem/made-up/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_gift_months_end_on_a_real_day():
    from datetime import datetime

    from masthead.members.services import _add_months

    assert _add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    assert _add_months(datetime(2028, 1, 31), 1) == datetime(2028, 2, 29)
    assert _add_months(datetime(2099, 12, 31), 2) == datetime(2100, 2, 28)  # 2100 is no leap year
    assert _add_months(datetime(2026, 11, 25), 12) == datetime(2027, 11, 25)
