"""Stripe's events, through the real SDK's signature check, against the local Stripe stand-in.

Each scenario runs once in order, then again from an empty database with every event delivered
twice and the whole lot shuffled: the final state must be the same, because the handlers write
what Stripe says now, not what the event carried.
"""

import random

import pytest
import stripe
from django.core import mail

from masthead.members.models import Gift, Member, Membership, Payment, StripeEvent

pytestmark = pytest.mark.django_db


def start(client, *, frequency="month", amount="1000", email="olena@example.org"):
    response = client.post(
        "/members/join/",
        {"frequency": frequency, "amount": amount, "email": email, "custom_amount": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rsplit("/", 1)[1]


def snapshot():
    """Everything the webhooks decide, in a comparable form."""
    return {
        "members": sorted(
            Member.objects.values_list("email", "is_active", "active_since", "stripe_customer_id")
        ),
        "memberships": sorted(
            Membership.objects.values_list(
                "member__email",
                "stripe_subscription_id",
                "state",
                "interval",
                "amount",
                "renews_at",
                "ended_at",
            )
        ),
        "payments": sorted(
            Payment.objects.values_list(
                "member__email", "stripe_payment_intent_id", "kind", "amount", "amount_refunded"
            )
        ),
        "gifts": sorted(Gift.objects.values_list("recipient_email", "state")),
    }


def forget_everything():
    """An empty database on our side; Stripe (the stand-in) keeps its state."""
    StripeEvent.objects.all().delete()
    Payment.objects.all().delete()
    Membership.objects.all().delete()
    Member.objects.all().delete()
    Gift.objects.exclude(state=Gift.State.UNPAID).update(state=Gift.State.UNPAID, paid_at=None)
    mail.outbox.clear()


def replayed_the_hard_way(post_events, events, seed):
    """Deliver every event twice, shuffled, from an empty database; return the final state."""
    forget_everything()
    doubled = events + events
    random.Random(seed).shuffle(doubled)
    answers = post_events(doubled)
    assert {status for status, _ in answers} == {200}
    return snapshot()


def check_scenario(post_events, events):
    answers = post_events(events)
    assert all(status == 200 for status, _ in answers), answers
    expected = snapshot()
    receipts = len(mail.outbox)
    for seed in (1, 2, 3):
        assert replayed_the_hard_way(post_events, events, seed) == expected, seed
        # one receipt per payment however often and in whatever order the events came
        assert len(mail.outbox) == receipts
    return expected


def test_a_new_monthly_member(client, stripe_world, post_events):
    # given a reader who chose 10 EUR a month and paid on Stripe's page
    session_id = start(client, frequency="month", amount="1000")
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    # when Stripe's events arrive (in any order, any number of times)
    state = check_scenario(post_events, events)
    # then she is a member, billed monthly, with one payment and one welcome e-mail
    (member,) = state["members"]
    assert member[:2] == ("olena@example.org", True)
    (membership,) = state["memberships"]
    assert membership[2:5] == (Membership.State.ACTIVE, "month", 1000)
    (payment,) = state["payments"]
    assert payment[2:] == (Payment.Kind.MEMBERSHIP, 1000, 0)
    assert [m.subject for m in mail.outbox] == ["Welcome, member"]
    # and the session asked Stripe for a monthly price in the configured currency
    created = next(p for m, path, p, h in stripe_world.requests if path == "/v1/checkout/sessions")
    assert created["line_items"][0]["price_data"]["recurring"]["interval"] == "month"
    assert created["line_items"][0]["price_data"]["currency"] == "eur"
    assert created["customer_email"] == "olena@example.org"


def test_the_sdk_pins_the_api_version(client, stripe_world):
    start(client)
    headers = stripe_world.requests[0][3]
    assert headers["Stripe-Version"] == "2026-10-28.endive"


def test_a_yearly_member(client, stripe_world, post_events):
    session_id = start(client, frequency="year", amount="10000")
    state = check_scenario(post_events, stripe_world.complete_checkout(session_id, "o@example.org"))
    assert state["memberships"][0][2:5] == (Membership.State.ACTIVE, "year", 10000)


def test_a_plan_change(client, stripe_world, post_events):
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    subscription = stripe_world.subscription_of("olena@example.org")
    events += stripe_world.change_plan(subscription["id"], unit_amount=12000, interval="year")
    state = check_scenario(post_events, events)
    assert state["memberships"][0][2:5] == (Membership.State.ACTIVE, "year", 12000)


def test_a_failed_payment_goes_past_due_then_recovers(client, stripe_world, post_events):
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    subscription = stripe_world.subscription_of("olena@example.org")
    failing = stripe_world.fail_renewal(subscription["id"])
    post_events(events + failing)
    # past due: still counted as a member while Stripe retries
    membership = Membership.objects.get()
    assert membership.state == Membership.State.PAST_DUE
    assert Member.objects.get().is_active
    events += failing + stripe_world.recover(subscription["id"])
    forget_everything()
    state = check_scenario(post_events, events)
    assert state["memberships"][0][2] == Membership.State.ACTIVE
    assert [p[3] for p in state["payments"]] == [1000, 1000]


def test_a_cancellation_at_period_end_then_the_end(client, stripe_world, post_events):
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    subscription = stripe_world.subscription_of("olena@example.org")
    events += stripe_world.cancel_at_period_end(subscription["id"])
    state = check_scenario(post_events, events)
    assert state["memberships"][0][2] == Membership.State.CANCELLING
    assert state["members"][0][1] is True  # a member until the period ends
    events += stripe_world.end_subscription(subscription["id"])
    forget_everything()
    state = check_scenario(post_events, events)
    assert state["memberships"][0][2] == Membership.State.ENDED
    assert state["members"][0][1] is False


def test_a_refund(client, stripe_world, post_events):
    session_id = start(client, frequency="once", amount="2500")
    events = stripe_world.complete_checkout(session_id, "petro@example.org")
    intent = stripe_world.objects[session_id]["payment_intent"]
    events += stripe_world.refund(intent)
    state = check_scenario(post_events, events)
    (payment,) = state["payments"]
    assert payment[2:] == (Payment.Kind.ONE_TIME, 2500, 2500)


def test_a_one_time_contribution(client, stripe_world, post_events):
    session_id = start(client, frequency="once", amount="2500")
    state = check_scenario(
        post_events, stripe_world.complete_checkout(session_id, "petro@example.org")
    )
    (payment,) = state["payments"]
    assert payment[2:] == (Payment.Kind.ONE_TIME, 2500, 0)
    # support once is not a membership
    assert state["memberships"] == [] and state["members"][0][1] is False
    assert [m.subject for m in mail.outbox] == ["Thank you: your receipt"]


def test_a_bad_signature_is_refused_and_stores_nothing(client, stripe_world, post_events):
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    answers = post_events(events, secret="whsec_someone_else")
    assert {status for status, _ in answers} == {400}
    assert StripeEvent.objects.count() == 0 and Member.objects.count() == 0
    unsigned = client.post("/members/webhooks/stripe/", "{}", content_type="application/json")
    assert unsigned.status_code == 400


def test_unknown_event_types_are_acknowledged_and_ignored(stripe_world, post_events):
    event = stripe_world.event(
        "radar.early_fraud_warning.created",
        {"id": "issfr_1", "object": "radar.early_fraud_warning"},
    )
    assert post_events([event]) == [(200, "ignored")]
    assert post_events([event]) == [(200, "duplicate")]
    assert Member.objects.count() == 0


def test_stripe_unreachable_means_a_retry_not_a_half_written_state(
    client, stripe_world, post_events
):
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    completed = events[-1]
    # Stripe errors for longer than the SDK's retries last
    stripe_world.failures = 10
    with pytest.raises(stripe.APIError):
        post_events([completed])
    assert StripeEvent.objects.count() == 0  # not marked handled: Stripe's retry will do it
    stripe_world.failures = 0
    assert post_events([completed]) == [(200, "handled")]
    assert Member.objects.get().is_active
