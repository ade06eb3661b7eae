"""The only module that talks to Stripe: a thin wrapper over the official SDK.

The API version is pinned (STRIPE_API_VERSION) so Stripe's objects keep the shape the handlers
read. STRIPE_API_BASE points the SDK elsewhere (the tests' local stand-in speaks the same HTTP).
"""

import functools

import stripe
from django.conf import settings


class NotConfigured(Exception):
    """No Stripe keys: the site runs, and says that payments are not set up yet."""


class Missing(Exception):
    """Stripe has no such object for our key: another account's, the other mode's, or deleted."""


def _missing_named(read):
    """Raise Missing, not the SDK's error, when the object read is not there for our key."""

    @functools.wraps(read)
    def reading(*args, **kwargs):
        try:
            return read(*args, **kwargs)
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                raise Missing(str(error)) from error
            raise

    return reading


def live():
    """Whether our key is a live one (an event's livemode must match it)."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def configured():
    return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))


def client():
    if not configured():
        raise NotConfigured
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def verify_event(payload, signature):
    """The event, if Stripe signed it with our endpoint's secret; raises ValueError otherwise."""
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        raise ValueError("STRIPE_WEBHOOK_SECRET is not set")
    try:
        return plain(stripe.Webhook.construct_event(payload, signature, secret))
    except stripe.SignatureVerificationError as error:
        raise ValueError(str(error)) from error


# Everything below returns plain dicts: the services read Stripe's data, not SDK objects.


def plain(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def create_checkout_session(params):
    return plain(client().v1.checkout.sessions.create(params=params))


@_missing_named
def checkout_session(session_id):
    return plain(client().v1.checkout.sessions.retrieve(session_id))


@_missing_named
def subscription(subscription_id):
    return plain(client().v1.subscriptions.retrieve(subscription_id))


@_missing_named
def invoice(invoice_id):
    return plain(client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]}))


@_missing_named
def charge(charge_id):
    return plain(client().v1.charges.retrieve(charge_id))


def cancel_subscription(subscription_id):
    return plain(client().v1.subscriptions.cancel(subscription_id))


def delete_customer(customer_id):
    """Delete a customer at Stripe (it also cancels their subscriptions); gone already is done."""
    try:
        return plain(client().v1.customers.delete(customer_id))
    except stripe.InvalidRequestError as error:
        if error.code == "resource_missing":
            return {"id": customer_id, "object": "customer", "deleted": True}
        raise


def portal_session(customer_id, return_url):
    return plain(
        client().v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url}
        )
    )


@_missing_named
def payment_intent(payment_intent_id):
    return plain(
        client().v1.payment_intents.retrieve(
            payment_intent_id, params={"expand": ["latest_charge"]}
        )
    )


def customer_subscriptions(customer_id):
    """Every subscription of a customer, whatever its status (at most 100: a reader has a few)."""
    found = client().v1.subscriptions.list(
        params={"customer": customer_id, "status": "all", "limit": 100}
    )
    return [plain(subscription) for subscription in found.data]


def refunds(payment_intent_id):
    """The refunds of a payment (at most 100: a payment is refunded once or a few times)."""
    found = client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    return [plain(refund) for refund in found.data]


@_missing_named
def customer(customer_id):
    return plain(client().v1.customers.retrieve(customer_id))
