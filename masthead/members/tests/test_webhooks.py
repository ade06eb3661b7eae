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
    assert [m.subject for m in mail.outbox] == ["Welcome, member of Masthead"]
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
    assert [m.subject for m in mail.outbox] == ["Thank you: your receipt from Masthead"]


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


def test_a_refund_is_dated_when_stripe_made_it(client, stripe_world, post_events):
    """The refund date is the Refund object's, read from Stripe, not the charge's date (a charge
    has not listed its refunds unless expanded since API version 2022-11-15)."""
    from datetime import UTC, datetime

    session_id = start(client, frequency="once", amount="2500")
    events = stripe_world.complete_checkout(session_id, "petro@example.org")
    intent = stripe_world.objects[session_id]["payment_intent"]
    stripe_world.tick(10 * 24 * 3600)  # refunded ten days after paying
    events += stripe_world.refund(intent)
    refund = next(o for o in stripe_world.objects.values() if o["object"] == "refund")
    check_scenario(post_events, events)
    payment = Payment.objects.get()
    assert payment.refunded_at == datetime.fromtimestamp(refund["created"], tz=UTC)
    assert (payment.refunded_at - payment.paid_at).days == 10


def test_the_standin_answers_as_the_pinned_api_version_does(client, stripe_world):
    """Through the real SDK: includable lists are absent unless expanded, related objects are ids,
    and events carry the object as Stripe sends it."""
    session_id = start(client, frequency="once", amount="2500")
    events = stripe_world.complete_checkout(session_id, "petro@example.org")
    stripe_world.refund(stripe_world.objects[session_id]["payment_intent"])
    sdk = stripe.StripeClient(
        "sk_test_masthead",
        stripe_version="2026-10-28.endive",
        base_addresses={"api": stripe_world.url},
    )
    intent_id = stripe_world.objects[session_id]["payment_intent"]
    intent = sdk.v1.payment_intents.retrieve(intent_id)
    assert isinstance(intent.latest_charge, str)
    charge = sdk.v1.charges.retrieve(intent.latest_charge)
    assert "refunds" not in charge and charge.amount_refunded == 2500
    expanded = sdk.v1.charges.retrieve(intent.latest_charge, params={"expand": ["refunds"]})
    assert expanded.refunds.data[0].amount == 2500
    nested = sdk.v1.payment_intents.retrieve(intent_id, params={"expand": ["latest_charge"]})
    assert nested.latest_charge.id == charge.id and "refunds" not in nested.latest_charge
    charge_event = next(e for e in events if e["type"] == "charge.succeeded")
    assert "refunds" not in charge_event["data"]["object"]
    refunds = sdk.v1.refunds.list(params={"payment_intent": intent_id})
    assert [r.amount for r in refunds.data] == [2500]


def test_a_subscription_invoice_is_read_with_its_payments_expanded(client, stripe_world):
    session_id = start(client)
    stripe_world.complete_checkout(session_id, "olena@example.org")
    invoice = next(o for o in stripe_world.objects.values() if o["object"] == "invoice")
    sdk = stripe.StripeClient("sk_test_masthead", base_addresses={"api": stripe_world.url})
    assert "payments" not in sdk.v1.invoices.retrieve(invoice["id"])
    from masthead.members import stripe_api

    assert stripe_api.invoice(invoice["id"])["payments"]["data"][0]["status"] == "paid"


def test_a_late_payment_event_does_not_welcome_a_member_whose_membership_ended(
    client, stripe_world, post_events
):
    """Her first invoice's events reached us only after her membership had ended: the payment is
    recorded with a plain receipt, never a welcome."""
    session_id = start(client)
    events = stripe_world.complete_checkout(session_id, "olena@example.org")
    subscription = stripe_world.subscription_of("olena@example.org")
    ended = stripe_world.end_subscription(subscription["id"])
    late = [e for e in events if e["type"] in ("invoice.paid", "invoice.payment_succeeded")]
    early = [e for e in events if e not in late]
    # when the subscription's end arrives first, and the paid invoice after it
    post_events(early + ended)
    assert Member.objects.get().is_active is False
    post_events(late)
    # then the payment is there, and the member is not welcomed
    assert Payment.objects.get().amount == 1000
    assert [m.subject for m in mail.outbox] == ["Thank you: your receipt from Masthead"]


def test_a_payment_replayed_days_later_is_recorded_without_any_mail(
    client, stripe_world, post_events
):
    """An event Stripe stopped retrying, replayed by hand a week later, writes the payment and
    sends nothing: no receipt for what the reader did long ago."""
    stripe_world.clock -= 7 * 24 * 3600  # the payment was a week ago
    session_id = start(client, frequency="once", amount="2500")
    events = stripe_world.complete_checkout(session_id, "petro@example.org")
    assert post_events(events)[-1] == (200, "handled")
    assert Payment.objects.get().amount == 2500
    assert mail.outbox == []


@pytest.mark.parametrize("frequency, amount", [("month", "1000"), ("once", "2500")])
def test_paying_under_a_members_address_never_makes_the_payer_her_stripe_customer(
    client, stripe_world, post_events, frequency, amount
):
    """Checkout does not check the address it is given. A stranger who pays as a newsroom-given
    member (who has no Stripe customer yet) must not become her customer: her "Manage billing"
    and her next payment would be the stranger's. The payment still counts for the address."""
    given = Member.objects.create(email="bob@example.org")
    session_id = start(client, frequency=frequency, amount=amount, email="bob@example.org")
    events = stripe_world.complete_checkout(session_id, "bob@example.org")
    assert all(status == 200 for status, _ in post_events(events))
    client.get(f"/members/thanks/?session_id={session_id}")  # the payer's thank-you page
    given.refresh_from_db()
    assert given.stripe_customer_id is None
    assert Payment.objects.get().member == given
    assert Member.objects.count() == 1


@pytest.mark.parametrize("frequency, amount", [("month", "1000"), ("once", "2500")])
def test_a_member_who_pays_signed_in_gets_her_own_stripe_customer(
    client, stripe_world, post_events, frequency, amount
):
    import re

    given = Member.objects.create(email="bob@example.org")
    client.post("/members/sign-in/", {"email": "bob@example.org"})
    client.post(re.search(r"/members/sign-in/[^/\s]+/", mail.outbox[-1].body).group(0))
    session_id = start(client, frequency=frequency, amount=amount, email="bob@example.org")
    events = stripe_world.complete_checkout(session_id, "bob@example.org")
    assert all(status == 200 for status, _ in post_events(events))
    given.refresh_from_db()
    assert given.stripe_customer_id == events[0]["data"]["object"]["id"]  # customer.created


def test_a_signed_event_about_nothing_our_key_can_read_is_acknowledged_once(
    client, stripe_world, post_events
):
    """Stripe signs events our key can never read back: an object deleted since, a connected
    account's, the other mode's. Answering 500 would have Stripe retry each for days; each is
    recorded and ignored, and changes nothing."""
    # given a completed checkout, and its events as three kinds of stranger
    session_id = start(client)
    completed = stripe_world.complete_checkout(session_id, "olena@example.org")[-1]
    deleted = stripe_world.event(
        "checkout.session.completed",
        {**completed["data"]["object"], "id": "cs_test_deleted_since"},
    )
    session = completed["data"]["object"]
    connected = {
        **stripe_world.event("checkout.session.completed", session),
        "account": "acct_1Other",
    }
    live = {**stripe_world.event("checkout.session.completed", session), "livemode": True}

    # when / then
    for event in (deleted, connected, live):
        assert post_events([event]) == [(200, "ignored")]
        assert post_events([event]) == [(200, "duplicate")]
    assert Member.objects.count() == 0 and Payment.objects.count() == 0
    assert StripeEvent.objects.count() == 3
    assert post_events([completed]) == [(200, "handled")]  # our own, once it comes
    assert Member.objects.get().is_active
