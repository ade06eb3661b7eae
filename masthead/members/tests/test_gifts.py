"""Gift memberships: bought, delivered on their date, redeemed once, and over when their time is up."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Gift, Member, Membership, Payment
from masthead.members.tests import factories
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
    assert gift_mail.subject == "Taras gave you a membership to Masthead"
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


def paid_gift(recipient, *, buyer_name="Taras"):
    return factories.gift(recipient_email=recipient, buyer_name=buyer_name)


class RefusesOneRecipient:
    """A mail backend whose server refuses one address (a full mailbox, a bad header)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if "broken@example.org" in message.to:
                raise OSError("550 mailbox unavailable")
            mail.outbox.append(message)
        return len(messages)


def test_one_gift_that_cannot_be_sent_does_not_block_the_others(newsroom, settings, caplog):
    """Gifts go out one by one: the one whose mail fails stays paid and is tried again next round;
    the others are delivered, once."""
    # given three gifts due today, the middle one to an address the server refuses
    first = paid_gift("a@example.org")
    broken = paid_gift("broken@example.org")
    last = paid_gift("c@example.org")
    settings.EMAIL_BACKEND = "masthead.members.tests.test_gifts.RefusesOneRecipient"
    # when the worker's round delivers them
    assert services.deliver_due_gifts() == 2
    # then the two others are sent, and the broken one waits, logged
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]
    states = dict(Gift.objects.values_list("pk", "state"))
    assert states == {
        first.pk: Gift.State.DELIVERED,
        broken.pk: Gift.State.PAID,
        last.pk: Gift.State.DELIVERED,
    }
    assert f"Gift {broken.pk} could not be delivered" in caplog.text
    # and once the server takes it again, the next round sends it alone
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert services.deliver_due_gifts() == 1
    assert [m.to for m in mail.outbox] == [["broken@example.org"]]


class AcceptsThenDrops:
    """A mail server that takes the message and then drops the connection before saying so."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise OSError("Connection unexpectedly closed")


def test_a_gift_sent_twice_after_a_dropped_connection_carries_one_working_link(
    client, newsroom, settings
):
    # given a gift whose e-mail the server took, though the round never heard it did
    paid_gift("mariia@example.org")
    settings.EMAIL_BACKEND = "masthead.members.tests.test_gifts.AcceptsThenDrops"
    assert services.deliver_due_gifts() == 0
    assert Gift.objects.get().state == Gift.State.PAID
    # when the next round sends it again
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_due_gifts() == 1
    # then Mariia has two e-mails with the same link, and it works, once
    links = {
        re.search(r"/members/gift/redeem/[^/\s]+/", m.body).group(0)
        for m in mail.outbox
        if m.to == ["mariia@example.org"]
    }
    assert len([m for m in mail.outbox if m.to == ["mariia@example.org"]]) == 2
    (link,) = links
    assert client.post(link).status_code == 302
    assert Member.objects.get(email="mariia@example.org").is_active
    assert client.post(link).status_code == 410


def test_a_link_sent_to_a_mistyped_address_is_dead_once_revenue_corrects_it(
    client, newsroom, settings
):
    # given a gift whose e-mail went to a mistyped address, though the round never heard it did
    gift = paid_gift("mariia@exmaple.org")
    settings.EMAIL_BACKEND = "masthead.members.tests.test_gifts.AcceptsThenDrops"
    assert services.deliver_due_gifts() == 0
    (wrong,) = [m for m in mail.outbox if m.to == ["mariia@exmaple.org"]]
    wrong_link = re.search(r"/members/gift/redeem/[^/\s]+/", wrong.body).group(0)
    # when revenue staff correct the address (it is still paid, open to correction) and it is sent
    Gift.objects.filter(pk=gift.pk).update(recipient_email="mariia@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_due_gifts() == 1
    # then the link in the mistyped copy redeems nothing, and the one Mariia got works
    assert client.post(wrong_link).status_code == 410
    assert not Member.objects.filter(email="mariia@example.org").exists()
    assert client.post(redeem_link()).status_code == 302
    assert Member.objects.get(email="mariia@example.org").is_active


def test_a_gift_another_worker_is_sending_is_not_sent_again_until_that_worker_is_gone(newsroom):
    # given a gift whose e-mail another worker claimed a moment ago
    gift = paid_gift("mariia@example.org")
    Gift.objects.filter(pk=gift.pk).update(sending_since=timezone.now())
    # then this worker's round leaves it alone
    assert services.deliver_due_gifts() == 0
    assert mail.outbox == []
    # and once that claim is old (its worker died), the gift goes out, once
    old = timezone.now() - services.GIFT_SENDING_CLAIM - datetime.timedelta(seconds=1)
    Gift.objects.filter(pk=gift.pk).update(sending_since=old)
    assert services.deliver_due_gifts() == 1
    assert services.deliver_due_gifts() == 0
    assert [m.to for m in mail.outbox] == [["mariia@example.org"]]
    gift.refresh_from_db()
    assert gift.state == Gift.State.DELIVERED and gift.sending_since is None


def test_a_name_stored_with_a_line_break_still_gives_a_one_line_subject(newsroom):
    """A name stored before names were checked is sent with its control characters dropped."""
    paid_gift("mariia@example.org", buyer_name="Taras\r\nBcc: all@example.org")
    assert services.deliver_due_gifts() == 1
    (message,) = mail.outbox
    assert message.subject == "TarasBcc: all@example.org gave you a membership to Masthead"
    assert message.to == ["mariia@example.org"] and not message.bcc


def test_a_gift_checkout_left_unpaid_leaves_no_gift(client, newsroom, stripe_world, post_events):
    """When Stripe expires a gift's checkout session unpaid, the unpaid gift is dropped."""
    response = client.post(
        "/members/gift/",
        {
            "months": "3",
            "recipient_name": "Mariia",
            "recipient_email": "mariia@example.org",
            "deliver_on": timezone.localdate().isoformat(),
            "buyer_name": "Taras",
            "buyer_email": "taras@example.org",
        },
    )
    session_id = response["Location"].rsplit("/", 1)[1]
    assert Gift.objects.get().state == Gift.State.UNPAID
    assert post_events(stripe_world.expire_checkout(session_id)) == [(200, "handled")]
    assert Gift.objects.count() == 0
    assert mail.outbox == []
