"""What the newsroom does with reader revenue: run the drive, take payments, keep members, sign them in.

Stripe's events are handled by re-reading the object they name from Stripe, then writing our rows
from it. Whatever order events arrive in, and however often, the rows end up as Stripe's current
state says (docs/decisions/0004).
"""

import base64
import calendar
import json
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from wagtail.models import Site

from masthead.core import editions, mail, pagecache, ratelimit
from masthead.core.keys import hash_key, keyed_hash
from masthead.core.validators import without_control_characters
from masthead.newsletters import outbox

from . import stripe_api
from .models import (
    Campaign,
    Gift,
    Member,
    Membership,
    MembershipSettings,
    Payment,
    SignInLink,
    StripeEvent,
)
from .money import format_money

logger = logging.getLogger("masthead.members")

CAMPAIGN_CACHE_KEY = "members:campaign"
# Progress may lag a new member by at most this long; changes we see clear it at once.
CAMPAIGN_CACHE_SECONDS = 60
MEMBER_COOKIE = "masthead_member"
MEMBER_COOKIE_SALT = "masthead.members.cookie"
MEMBER_COOKIE_AGE = 400 * 24 * 3600
DISMISS_COOKIE = "masthead_banner_dismissed"
MEMBER_NOW_KEY = "members:now"
MEMBER_NOW_SECONDS = 3600
JUST_PAID_SECONDS = 3600
# Stripe retries an event for up to three days; a payment older than that reaches us only replayed.
RECEIPT_WINDOW = timedelta(days=3)
GIFT_LINK_LIFETIME = timedelta(days=365)
# A worker that claimed a gift's e-mail and died lets another send it after this long.
GIFT_SENDING_CLAIM = timedelta(minutes=10)
FREQUENCIES = ("month", "year", "once")
GIFT_MONTHS = (3, 6, 12)


# --- The drive -------------------------------------------------------------------------------


def _campaign_keys():
    return [f"{CAMPAIGN_CACHE_KEY}:{code}" for code in editions.codes()]


def running_campaign():
    """The edition's campaign running now and its progress, from the cache: no query on most page
    views. Each edition runs its own drive in its own language."""
    language = editions.current()
    data = cache.get(f"{CAMPAIGN_CACHE_KEY}:{language}")
    if data is None:
        now = timezone.now()
        campaign = (
            Campaign.objects.filter(live=True, starts_at__lte=now, language=language)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .order_by("-starts_at")
            .first()
        )
        data = {"campaign": campaign, "progress": progress(campaign) if campaign else None}
        cache.set(f"{CAMPAIGN_CACHE_KEY}:{language}", data, CAMPAIGN_CACHE_SECONDS)
    return data


def campaigns_turning_between(start, end):
    """Whether a campaign started or ended in (start, end]: the banner changes by the clock."""
    return Campaign.objects.filter(
        Q(starts_at__gt=start, starts_at__lte=end) | Q(ends_at__gt=start, ends_at__lte=end)
    ).exists()


def progress_changed():
    """Something the campaign counts changed: the next page view recounts."""
    cache.delete_many(_campaign_keys())
    # Again once committed, in case a page view re-read the old numbers in between.
    transaction.on_commit(lambda: cache.delete_many(_campaign_keys()))
    pagecache.changed("campaign")


PROGRESS_SHOWN_KEY = "members:progress:shown"
PROGRESS_WAITING_KEY = "members:progress:waiting"


def progress_counted():
    """A payment or a membership moved the drive's count.

    In a busy drive that is many times a second, and each change would make every kept page render
    again. So pages take up a new count at most every CAMPAIGN_PROGRESS_SECONDS; a change inside that
    time waits for the worker's next round (show_waiting_progress). Edits to a campaign itself are
    shown at once (progress_changed).
    """
    every = getattr(settings, "CAMPAIGN_PROGRESS_SECONDS", 0)
    shared = pagecache.shared_cache()  # shared with the worker, on the embedded default too
    if every <= 0 or shared.add(PROGRESS_SHOWN_KEY, 1, every):
        progress_changed()
    else:
        shared.set(PROGRESS_WAITING_KEY, 1, None)


def show_waiting_progress():
    """The worker's round: show a count that changed while pages were holding the last one."""
    shared = pagecache.shared_cache()
    if shared.get(PROGRESS_WAITING_KEY):
        shared.delete(PROGRESS_WAITING_KEY)
        progress_changed()
        return True
    return False


def progress(campaign):
    """How far the campaign is: current and goal in the goal's units, and a percentage."""
    window = Q()
    if campaign.goal_kind != Campaign.Goal.MEMBERS:
        window = Q(active_since__gte=campaign.starts_at)
        if campaign.ends_at:
            window &= Q(active_since__lt=campaign.ends_at)
    if campaign.goal_kind == Campaign.Goal.AMOUNT:
        paid = Q(paid_at__gte=campaign.starts_at)
        if campaign.ends_at:
            paid &= Q(paid_at__lt=campaign.ends_at)
        total = Payment.objects.filter(paid).aggregate(
            total=Sum(F("amount") - F("amount_refunded"))
        )["total"]
        current = (total or 0) // 100
    else:
        current = Member.objects.filter(window, is_active=True).count()
    goal = max(campaign.goal, 1)
    return {
        "current": current,
        "goal": campaign.goal,
        "percent": min(100, round(current * 100 / goal)),
        "kind": campaign.goal_kind,
        # An amount goal in minor units too, for templates that show it as money.
        "current_minor": current * 100,
        "goal_minor": campaign.goal * 100,
        "currency": membership_settings().currency.upper(),
    }


def member_cookie_value(member, *, just_paid=False):
    value = {"m": member.pk}
    if just_paid:
        value["paid"] = int(time.time())
    return signing.dumps(value, salt=MEMBER_COOKIE_SALT)


def _member_cookie(request):
    value = request.COOKIES.get(MEMBER_COOKIE)
    if not value:
        return {}
    try:
        data = signing.loads(value, salt=MEMBER_COOKIE_SALT, max_age=MEMBER_COOKIE_AGE)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def signed_in_member_id(request):
    """The member signed in on this browser (by an e-mailed link), from the session: no query."""
    session = getattr(request, "session", None)
    return session.get("member_id") if session is not None else None


def recognised_member_id(request):
    """The member this browser belongs to (signed in, or back from checkout), without a query."""
    return signed_in_member_id(request) or _member_cookie(request).get("m")


def recognised_as_member(request):
    """Whether this browser belongs to someone who is a member now, as the account page says
    (Member.is_active); or to someone back from paying a membership on Stripe's page within the
    hour, whose membership Stripe's event is about to write."""
    member_id = recognised_member_id(request)
    if not member_id:
        return False
    cookie = _member_cookie(request)
    paid = cookie.get("paid") if cookie.get("m") == member_id else None
    if isinstance(paid, int) and time.time() - paid < JUST_PAID_SECONDS:
        return True
    return is_member_now(member_id)


# --- Paying ----------------------------------------------------------------------------------


def membership_settings(request=None):
    """The site's membership settings; defaults when no site exists yet (a bare test database)."""
    site = Site.find_for_request(request) if request is not None else None
    site = site or Site.objects.filter(is_default_site=True).first()
    return MembershipSettings.for_site(site) if site else MembershipSettings()


SIGNED_IN_KEY = "masthead_member"  # in a checkout's metadata: the member who began it, signed in


def start_checkout(
    *, frequency, amount, email, success_url, cancel_url, request=None, signed_in=None
):
    """Open a Stripe Checkout session for a membership or one-time support; return its URL.

    `signed_in` is the member signed in on this browser, if any.
    """
    assert frequency in FREQUENCIES
    config = membership_settings(request)
    currency = config.currency.lower()
    # The edition they joined in, on everything Stripe will send back about this payment: the
    # receipt can be the first mail, before Checkout's own event arrives.
    shared = {"masthead_language": editions.current()}
    if signed_in is not None and signed_in.email.lower() == email.lower():
        shared[SIGNED_IN_KEY] = str(signed_in.pk)  # begun by the member herself: see ensure_member
    if frequency == "once":
        kind = Payment.Kind.ONE_TIME
        params = {
            "mode": "payment",
            "submit_type": "donate",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": amount,
                        "product_data": {"name": _("One-time support")},
                    },
                }
            ],
            "payment_intent_data": {"metadata": {"masthead_kind": kind, **shared}},
        }
    else:
        kind = Payment.Kind.MEMBERSHIP
        params = {
            "mode": "subscription",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": amount,
                        "recurring": {"interval": frequency},
                        "product_data": {"name": _("Membership")},
                    },
                }
            ],
            "subscription_data": {"metadata": {"masthead_kind": kind, **shared}},
        }
    params.update(
        success_url=success_url + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=cancel_url,
        metadata={"masthead_kind": kind, **shared},
    )
    # Only a member signed in with this address pays as their Stripe customer (their saved cards,
    # their invoices). A typed address proves nothing: it gets a customer of its own.
    if (
        signed_in is not None
        and signed_in.stripe_customer_id
        and signed_in.email.lower() == email.lower()
    ):
        params["customer"] = signed_in.stripe_customer_id
    else:
        params["customer_email"] = email
        if frequency == "once":
            params["customer_creation"] = "always"
    return stripe_api.create_checkout_session(params)["url"]


def buy_gift(*, config, success_url, cancel_url, **details):
    """Save a gift, unpaid, and open the Stripe Checkout session paying for it; return its URL.

    If Stripe cannot open the session, the gift is not kept: nothing waits for a payment that
    cannot come.
    """
    gift = Gift.objects.create(
        **details,
        amount=config.gift_price(details["months"]),
        currency=config.currency.upper(),
    )
    try:
        return start_gift_checkout(gift=gift, success_url=success_url, cancel_url=cancel_url)
    except Exception:
        Gift.objects.filter(pk=gift.pk, state=Gift.State.UNPAID).delete()
        raise


def start_gift_checkout(*, gift, success_url, cancel_url):
    """Open a Stripe Checkout session paying for a gift (already saved, unpaid); return its URL."""
    params = {
        "mode": "payment",
        "customer_email": gift.buyer_email,
        "customer_creation": "always",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": gift.currency.lower(),
                    "unit_amount": gift.amount,
                    "product_data": {
                        "name": _("Gift membership, %(months)s months") % {"months": gift.months}
                    },
                },
            }
        ],
        "metadata": {
            "masthead_kind": Payment.Kind.GIFT,
            "gift_id": str(gift.pk),
            "masthead_language": gift.language,
        },
        "payment_intent_data": {
            "metadata": {"masthead_kind": Payment.Kind.GIFT, "masthead_language": gift.language}
        },
        "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
    }
    session = stripe_api.create_checkout_session(params)
    Gift.objects.filter(pk=gift.pk).update(stripe_checkout_session_id=session["id"])
    return session["url"]


def gift_not_paid(session):
    """Checkout expired without a payment: the gift it would have paid for is dropped."""
    gift_id = (session.get("metadata") or {}).get("gift_id")
    if gift_id:
        Gift.objects.filter(
            pk=gift_id, state=Gift.State.UNPAID, stripe_payment_intent_id__isnull=True
        ).delete()


# --- Stripe's events -------------------------------------------------------------------------


def handle_event(event):
    """Handle a verified Stripe event once. Returns 'handled', 'duplicate' or 'ignored'."""
    obj = event["data"]["object"]
    handler = HANDLERS.get(obj.get("object"))
    if event.get("account") or bool(event.get("livemode")) != stripe_api.live():
        # A connected account's event, or the other mode's: nothing of ours, and nothing our key
        # could read back. Acknowledged, so Stripe stops sending it.
        logger.warning(
            "Ignored Stripe event %s: not this account's or not this mode's", event["id"]
        )
        handler = None
    record = {"type": event["type"], "object_id": obj.get("id", "")}
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event["id"], **record)
            if handler is None:
                return "ignored"
            handler(obj)
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return "duplicate"
        raise
    except stripe_api.Missing as error:
        # Signed by Stripe, but about an object our key cannot read (deleted since, or created
        # with another key): it never will, so answering 500 would only make Stripe retry for days.
        logger.warning("Ignored Stripe event %s: %s", event["id"], error)
        StripeEvent.objects.get_or_create(event_id=event["id"], defaults=record)
        return "ignored"
    return "handled"


def on_checkout_session(obj):
    session = stripe_api.checkout_session(obj["id"])
    if session["status"] == "expired":
        gift_not_paid(session)
        return
    if session["status"] != "complete":
        return
    email = (session.get("customer_details") or {}).get("email") or session.get("customer_email")
    member = ensure_member(session["customer"], email, session.get("metadata"))
    kind = (session.get("metadata") or {}).get("masthead_kind")
    take_language(member, session.get("metadata"))
    if session["mode"] == "subscription" and session.get("subscription"):
        sync_subscription(stripe_api.subscription(_id(session["subscription"])))
    elif session["mode"] == "payment" and session.get("payment_intent"):
        payment_kind = Payment.Kind.GIFT if kind == Payment.Kind.GIFT else Payment.Kind.ONE_TIME
        payment = sync_payment(_id(session["payment_intent"]), kind=payment_kind, member=member)
        if payment_kind == Payment.Kind.GIFT:
            gift_paid(session, payment)


def on_subscription(obj):
    sync_subscription(stripe_api.subscription(obj["id"]))


def on_invoice(obj):
    invoice = stripe_api.invoice(obj["id"])
    subscription_id = _invoice_subscription(invoice)
    if subscription_id:
        sync_subscription(stripe_api.subscription(subscription_id))
    if invoice["status"] != "paid":
        return
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    member = ensure_member(
        invoice["customer"], invoice.get("customer_email"), details.get("metadata")
    )
    for item in (invoice.get("payments") or {}).get("data", []):
        intent = (item.get("payment") or {}).get("payment_intent")
        if intent:
            sync_payment(
                _id(intent), kind=Payment.Kind.MEMBERSHIP, member=member, invoice_id=invoice["id"]
            )


def on_charge(obj):
    charge_id = obj["id"] if obj.get("object") == "charge" else obj.get("charge")
    if not charge_id:
        return
    charge = stripe_api.charge(_id(charge_id))
    payment = Payment.objects.filter(
        stripe_payment_intent_id=_id(charge.get("payment_intent"))
    ).first()
    if payment is None:
        return  # its payment event comes later and reads the refund from Stripe then
    sync_payment(payment.stripe_payment_intent_id, kind=payment.kind, member=payment.member)


HANDLERS = {
    "checkout.session": on_checkout_session,
    "subscription": on_subscription,
    "invoice": on_invoice,
    "charge": on_charge,
    "refund": on_charge,
}


def _id(value):
    """Stripe fields hold an id, or the object itself when expanded."""
    return value if isinstance(value, str) or value is None else value["id"]


def _invoice_subscription(invoice):
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details.get("subscription"))


def _time(timestamp):
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC)


def take_language(member, metadata):
    """The edition a payment was made in (Masthead's metadata on Stripe's objects) becomes the
    member's language: their receipts and sign-in links are written in it."""
    language = (metadata or {}).get("masthead_language")
    if member is not None and language in editions.codes() and member.language != language:
        member.language = language
        member.save(update_fields=["language"])


def ensure_member(customer_id, email, metadata=None):
    """The member for a Stripe customer, found by the customer or else by e-mail address (made if
    there is none).

    The address was typed at Checkout and proves nothing, so a customer becomes an existing
    member's own (their "Manage billing", the customer their next payment uses) only when that
    member began the checkout signed in (`masthead_member` in the metadata). A payment made under
    someone else's address still counts for them, and their receipt tells them of it.
    """
    customer_id = _id(customer_id)
    member = Member.objects.filter(stripe_customer_id=customer_id).first() if customer_id else None
    if member is None and not email and customer_id:
        email = stripe_api.customer(customer_id).get("email")
    if member is None and email:
        member = Member.objects.filter(email__iexact=email).first()
        vouched = member is not None and (metadata or {}).get(SIGNED_IN_KEY) == str(member.pk)
        if member is None:
            member, vouched = Member.objects.create(email=email.strip().lower()), True
        if customer_id and vouched and not member.stripe_customer_id:
            member.stripe_customer_id = customer_id
            member.save(update_fields=["stripe_customer_id"])
    return member


STRIPE_STATES = {
    "active": Membership.State.ACTIVE,
    "trialing": Membership.State.ACTIVE,
    "past_due": Membership.State.PAST_DUE,
    "unpaid": Membership.State.PAST_DUE,
    "incomplete": Membership.State.INCOMPLETE,
    "paused": Membership.State.INCOMPLETE,
    "canceled": Membership.State.ENDED,
    "incomplete_expired": Membership.State.ENDED,
}


def sync_subscription(subscription):
    """Write a membership as Stripe's subscription says it is now."""
    member = ensure_member(subscription["customer"], None, subscription.get("metadata"))
    if member is None:
        logger.warning("Subscription %s has no customer e-mail; skipped", subscription["id"])
        return None
    take_language(member, subscription.get("metadata"))
    state = STRIPE_STATES.get(subscription["status"], Membership.State.INCOMPLETE)
    if state == Membership.State.ACTIVE and (
        subscription.get("cancel_at_period_end") or subscription.get("cancel_at")
    ):
        state = Membership.State.CANCELLING
    item = subscription["items"]["data"][0]
    price = item["price"]
    membership, _created = Membership.objects.update_or_create(
        stripe_subscription_id=subscription["id"],
        defaults={
            "member": member,
            "kind": Membership.Kind.RECURRING,
            "state": state,
            "stripe_status": subscription["status"],
            "interval": (price.get("recurring") or {}).get("interval", ""),
            "amount": price.get("unit_amount") or 0,
            "currency": price.get("currency", ""),
            "started_at": _time(subscription.get("start_date")) or timezone.now(),
            "renews_at": _time(subscription.get("cancel_at") or item.get("current_period_end")),
            "ended_at": _time(subscription.get("ended_at")),
        },
    )
    refresh_member(member)
    return membership


def sync_payment(payment_intent_id, *, kind, member, invoice_id=""):
    """Write a payment as Stripe's payment intent and its charge say it is now."""
    intent = stripe_api.payment_intent(payment_intent_id)
    if intent["status"] != "succeeded":
        return None
    take_language(member, intent.get("metadata"))
    charge = intent.get("latest_charge") or {}
    if isinstance(charge, str):
        charge = stripe_api.charge(charge)
    refunded = charge.get("amount_refunded") or 0
    defaults = {
        "kind": kind,
        "amount": intent.get("amount_received") or intent["amount"],
        "amount_refunded": refunded,
        "currency": intent["currency"],
        "paid_at": _time(charge.get("created") or intent["created"]),
        "refunded_at": _refunded_at(payment_intent_id) if refunded else None,
    }
    if member is not None:
        defaults["member"] = member
    if invoice_id:
        defaults["stripe_invoice_id"] = invoice_id
    payment, created = Payment.objects.update_or_create(
        stripe_payment_intent_id=payment_intent_id, defaults=defaults
    )
    if kind == Payment.Kind.GIFT and refunded >= payment.amount:
        Gift.objects.filter(
            stripe_payment_intent_id=payment_intent_id,
            state__in=[Gift.State.UNPAID, Gift.State.PAID],
        ).update(state=Gift.State.REFUNDED)
    if created:
        from . import tasks

        transaction.on_commit(lambda: tasks.send_receipt.enqueue(payment.pk))
    progress_counted()
    return payment


def _refunded_at(payment_intent_id):
    """When the payment was last refunded, from Stripe's refunds (a charge has not listed its
    refunds unless expanded since API version 2022-11-15)."""
    refunds = stripe_api.refunds(payment_intent_id)
    moments = [r["created"] for r in refunds if r.get("status") in ("succeeded", "pending")]
    return _time(max(moments)) if moments else None


def refresh_member(member):
    """Recompute whether someone is a member now (and since when) from their memberships."""
    counting = member.memberships.filter(state__in=Membership.COUNTING)
    since = counting.aggregate(since=Min("started_at"))["since"]
    is_active = since is not None
    if (member.is_active, member.active_since) != (is_active, since):
        Member.objects.filter(pk=member.pk).update(is_active=is_active, active_since=since)
        member.is_active, member.active_since = is_active, since
        _member_changed(member.pk)
        transaction.on_commit(lambda: _member_changed(member.pk))
        progress_counted()


# --- Gifts -----------------------------------------------------------------------------------


def gift_paid(session, payment):
    gift_id = (session.get("metadata") or {}).get("gift_id")
    gift = Gift.objects.select_for_update().filter(pk=gift_id).first() if gift_id else None
    if gift is None:
        logger.warning("Paid gift session %s names no gift", session["id"])
        return
    if gift.state == Gift.State.UNPAID:
        gift.state = Gift.State.PAID
        gift.paid_at = payment.paid_at if payment else timezone.now()
    gift.stripe_checkout_session_id = session["id"]
    gift.stripe_payment_intent_id = _id(session.get("payment_intent"))
    if payment and payment.amount_refunded >= payment.amount and gift.state == Gift.State.PAID:
        gift.state = Gift.State.REFUNDED
    gift.save()


def deliver_due_gifts(today=None):
    """Send the redeem e-mail of every paid gift whose delivery date has come. Returns how many.

    Gift by gift: one that cannot be sent (its mail refused) stays paid, is logged and is tried
    again next round, while the others go out.
    """
    today = today or timezone.localdate()
    sent = 0
    due = Gift.objects.filter(state=Gift.State.PAID, deliver_on__lte=today)
    for gift_id in due.order_by("deliver_on", "pk").values_list("pk", flat=True):
        try:
            sent += _deliver_gift(gift_id)
        except Exception:
            logger.exception("Gift %s could not be delivered; trying again next round", gift_id)
    return sent


def _redeem_key(gift):
    """The key in a gift's redeem link, the same each time its e-mail is sent to the same address,
    so that an e-mail sent again after a round that died works like the first. It names the
    recipient: once revenue staff correct the address, a link sent to the old one is dead. Only
    its hash is stored; without SECRET_KEY no one can work it out."""
    value = f"{gift.pk}:{gift.created_at.isoformat()}:{gift.recipient_email.lower()}"
    digest = salted_hmac("masthead.members.gift-redeem", value, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _deliver_gift(gift_id):
    """Claim the gift, send its e-mail with no transaction open (no row locked while the mail
    server answers), then record it sent. A mail that fails leaves the gift paid, for the next
    round; a round that dies after sending sends it again later, with the same working link."""
    now = timezone.now()
    with transaction.atomic():
        gift = Gift.objects.select_for_update().get(pk=gift_id)
        if gift.state != Gift.State.PAID:
            return 0
        if gift.sending_since and gift.sending_since > now - GIFT_SENDING_CLAIM:
            return 0  # another worker is sending it now
        key = _redeem_key(gift)
        gift.redeem_key_hash = hash_key(key)
        gift.sending_since = now
        gift.save(update_fields=["redeem_key_hash", "sending_since"])
    giver = without_control_characters(gift.buyer_name) or gift.buyer_email
    try:
        with translation.override(gift.language):
            _send(
                "members/email/gift",
                gift.recipient_email,
                _("%(name)s gave you a membership to %(newsroom)s")
                % {"name": giver, "newsroom": mail.newsroom_name()},
                {"gift": gift, "redeem_url": absolute_url("members:redeem_gift", key)},
            )
    except Exception:
        Gift.objects.filter(pk=gift_id, sending_since=now).update(sending_since=None)
        raise
    Gift.objects.filter(pk=gift_id, state=Gift.State.PAID).update(
        state=Gift.State.DELIVERED, delivered_at=timezone.now(), sending_since=None
    )
    return 1


class LinkResult:
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"


def find_gift(key):
    gift = Gift.objects.filter(redeem_key_hash=hash_key(key)).first()
    if gift is None:
        return LinkResult.INVALID, None
    if gift.state == Gift.State.REDEEMED:
        return LinkResult.USED, gift
    if gift.state != Gift.State.DELIVERED or (
        gift.delivered_at and gift.delivered_at + GIFT_LINK_LIFETIME < timezone.now()
    ):
        return LinkResult.EXPIRED, gift
    return LinkResult.OK, gift


@transaction.atomic
def redeem_gift(key):
    """Make the gift's recipient a member until the gift ends. Returns (result, member or None)."""
    result, gift = find_gift(key)
    if result != LinkResult.OK:
        return result, None
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    if gift.state != Gift.State.DELIVERED:
        return LinkResult.USED, None
    now = timezone.now()
    member = Member.objects.filter(email__iexact=gift.recipient_email).first()
    if member is None:
        member = Member.objects.create(email=gift.recipient_email.lower(), name=gift.recipient_name)
    # A gift on top of a running gift starts when the first one ends.
    running = member.memberships.filter(
        kind=Membership.Kind.GIFT, state=Membership.State.GIFT, renews_at__gt=now
    ).aggregate(until=Min("renews_at"))["until"]
    starts = max(now, running) if running else now
    Membership.objects.create(
        member=member,
        kind=Membership.Kind.GIFT,
        state=Membership.State.GIFT,
        started_at=now,
        renews_at=_add_months(starts, gift.months),
        gift=gift,
        amount=gift.amount,
        currency=gift.currency,
    )
    gift.state = Gift.State.REDEEMED
    gift.redeemed_at = now
    gift.save(update_fields=["state", "redeemed_at"])
    refresh_member(member)
    return LinkResult.OK, member


def _add_months(moment, months):
    """The same day `months` later, or the month's last day (Jan 31 + 1 month = Feb 28 or 29)."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expire_memberships(now=None):
    """End gift and newsroom-given memberships whose time is up. Returns how many ended."""
    now = now or timezone.now()
    ended = 0
    for membership in Membership.objects.filter(
        kind__in=[Membership.Kind.GIFT, Membership.Kind.COMPLIMENTARY],
        state__in=[Membership.State.GIFT, Membership.State.ACTIVE],
        renews_at__lte=now,
    ).select_related("member"):
        Membership.objects.filter(pk=membership.pk).update(
            state=Membership.State.ENDED, ended_at=membership.renews_at
        )
        refresh_member(membership.member)
        ended += 1
    return ended


@transaction.atomic
def keep_complimentary_membership(member, *, given, until=None):
    """Make someone a member by the newsroom's decision, until a day or with no end, or stop it.

    A membership like any other (it counts, it is thanked, the account page shows it), so that
    "is a member" has one answer everywhere: Member.is_active, kept by refresh_member().
    """
    now = timezone.now()
    # To the end of the day chosen, in the newsroom's time zone.
    ends = timezone.make_aware(datetime.combine(until, datetime.max.time())) if until else None
    current = (
        member.memberships.select_for_update()
        .filter(kind=Membership.Kind.COMPLIMENTARY)
        .exclude(state=Membership.State.ENDED)
        .first()
    )
    if given and (ends is None or ends > now):
        if current is None:
            Membership.objects.create(
                member=member,
                kind=Membership.Kind.COMPLIMENTARY,
                state=Membership.State.ACTIVE,
                started_at=now,
                renews_at=ends,
            )
        elif current.renews_at != ends:
            Membership.objects.filter(pk=current.pk).update(renews_at=ends)
    elif current is not None:
        Membership.objects.filter(pk=current.pk).update(
            state=Membership.State.ENDED, ended_at=min(ends or now, now)
        )
    refresh_member(member)


def complimentary_membership(member):
    """The newsroom-given membership running now, if any (for the admin's form)."""
    if member.pk is None:
        return None
    return (
        member.memberships.filter(kind=Membership.Kind.COMPLIMENTARY)
        .exclude(state=Membership.State.ENDED)
        .first()
    )


def is_member_now(member_id):
    """Whether the member this browser belongs to is a member now (Member.is_active), through the
    cache shared with the worker: one look-up per member and change, not one per page view."""
    if not member_id:
        return False
    shared = pagecache.shared_cache()
    key = f"{MEMBER_NOW_KEY}:{member_id}"
    now = shared.get(key)
    if now is None:
        now = Member.objects.filter(pk=member_id, is_active=True).exists()
        shared.set(key, now, MEMBER_NOW_SECONDS)
    return now


def _member_changed(member_id):
    pagecache.shared_cache().delete(f"{MEMBER_NOW_KEY}:{member_id}")


# --- Signing in ------------------------------------------------------------------------------


def request_sign_in(email, *, ip_hash=""):
    """Queue a sign-in link for an address, whoever it belongs to.

    The request does the same work for a member's address and a stranger's (no look-up, no mail:
    the worker does both), so neither its time nor its answer, nor a mail server outage, tells
    anyone who is a member. Returns False when the address or the IP asked too often.
    """
    email = email.strip().lower()
    if not ratelimit.allow("member-sign-in-address", email, 3, 15 * 60):
        return False
    if ip_hash and not ratelimit.allow("member-sign-in-ip", ip_hash, 20, 3600):
        return False
    from . import tasks

    # The edition they asked in: the link and the mail follow it.
    tasks.send_sign_in_link.enqueue(email, editions.current(), secrets.token_hex(16))
    return True


def send_sign_in_link(email, language, request_id):
    """E-mail a sign-in link if the address belongs to a member (a task). Returns whether it did.

    Safe to run twice: the request's link is sent once. A run that died between sending and
    recording is found out where the transport can tell (mail files) and sends nothing more;
    elsewhere (SMTP) the next run sends a fresh link (at most one repeat), which replaces the first.
    """
    member = Member.objects.filter(email__iexact=email).first()
    if member is None:
        return False
    with transaction.atomic():
        link = SignInLink.objects.select_for_update().filter(request_id=request_id).first()
        if link is not None and link.sent_at is not None:
            return False
        if link is not None and mail.delivered(sign_in_message_id(link)):
            # A run that died after sending: the transport has its e-mail, so it is not sent again.
            SignInLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
            return False
        if member.language != language and language in editions.codes():
            member.language = language
            member.save(update_fields=["language"])
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        link = link or SignInLink(member=member, request_id=request_id)
        link.key_hash = hash_key(key)
        link.expires_at = now + timedelta(minutes=SignInLink.LIFETIME_MINUTES)
        link.save()
    with translation.override(member.language):
        _send(
            "members/email/sign_in",
            member.email,
            _("Your sign-in link to %(newsroom)s") % {"newsroom": mail.newsroom_name()},
            {
                "member": member,
                "sign_in_url": absolute_url("members:sign_in_link", key),
                "minutes": SignInLink.LIFETIME_MINUTES,
            },
            message_id=sign_in_message_id(link),
        )
    SignInLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    return True


def check_sign_in_link(key):
    link = SignInLink.objects.filter(key_hash=hash_key(key)).select_related("member").first()
    if link is None:
        return LinkResult.INVALID, None
    if link.used_at:
        return LinkResult.USED, link
    if link.expires_at < timezone.now():
        return LinkResult.EXPIRED, link
    return LinkResult.OK, link


@transaction.atomic
def sign_in(key):
    """Use a sign-in link (once). Returns (result, member or None)."""
    result, link = check_sign_in_link(key)
    if result != LinkResult.OK:
        return result, None
    updated = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not updated:
        return LinkResult.USED, None
    Member.objects.filter(pk=link.member_id).update(last_signed_in_at=timezone.now())
    return LinkResult.OK, link.member


# --- The member's own data -------------------------------------------------------------------


def export_data(member):
    """Everything we hold about a member, as JSON they can download."""
    data = {
        "email": member.email,
        "name": member.name,
        "joined": member.created_at.isoformat(),
        "member_now": member.is_active,
        "stripe_customer": member.stripe_customer_id,
        "memberships": [
            {
                "kind": m.kind,
                "state": m.state,
                "billed": m.interval,
                "amount": m.amount / 100,
                "currency": m.currency.upper(),
                "started": m.started_at.isoformat(),
                "renews_or_ends": m.renews_at.isoformat() if m.renews_at else None,
            }
            for m in member.memberships.order_by("started_at")
        ],
        "payments": [
            {
                "kind": p.kind,
                "amount": p.amount / 100,
                "refunded": p.amount_refunded / 100,
                "currency": p.currency.upper(),
                "paid": p.paid_at.isoformat(),
            }
            for p in member.payments.order_by("paid_at")
        ],
        "gifts_bought": [
            {"to": g.recipient_email, "months": g.months, "state": g.state}
            for g in Gift.objects.filter(buyer_email__iexact=member.email)
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def delete_member(member):
    """Erase a member: cancel what Stripe bills and delete their Stripe customer, erase what they
    bought and were given, and the copies of their e-mails on disk. Payments stay, without who
    paid them (the accounts need them)."""
    # Stripe first: if it refuses, nothing here is erased and the member can try again.
    for membership in member.memberships.filter(stripe_subscription_id__isnull=False).exclude(
        state=Membership.State.ENDED
    ):
        stripe_api.cancel_subscription(membership.stripe_subscription_id)
    if member.stripe_customer_id:
        # Their address, name and saved cards at Stripe; Stripe keeps the charges themselves.
        stripe_api.delete_customer(member.stripe_customer_id)
    with transaction.atomic():
        Gift.objects.filter(buyer_email__iexact=member.email).update(
            buyer_email="", buyer_name="", message=""
        )
        # A gift they received: delivered or redeemed, its link spent. One still waiting for its
        # day is the buyer's order and is still sent.
        Gift.objects.filter(recipient_email__iexact=member.email).exclude(
            state__in=[Gift.State.UNPAID, Gift.State.PAID]
        ).update(recipient_email="", recipient_name="", message="", redeem_key_hash=None)
        member_id = member.pk
        member.delete()  # memberships and sign-in links go with it; payments keep no owner
    _member_changed(member_id)
    outbox.forget_address(member.email)
    progress_counted()


# --- E-mail ----------------------------------------------------------------------------------


def absolute_url(name, *args):
    """A site URL for e-mails and Stripe's return addresses (no request to build it from)."""
    return settings.SITE_URL + reverse(name, args=args)


def _send(template, to, subject, context, message_id=None):
    """Send a reader e-mail as every transactional e-mail goes (core.mail: its headers, the backend)."""
    mail.send(template, to=to, subject=subject, context=context, message_id=message_id)


def receipt_message_id(payment):
    return mail.message_id_for(
        "receipt", payment.pk, keyed_hash(payment.stripe_payment_intent_id)[:12]
    )


def sign_in_message_id(link):
    return mail.message_id_for("sign-in", link.pk, link.key_hash[:12])


def send_receipt(payment):
    """Thank the payer and give them a receipt; a first membership payment of someone who is a
    member now also says welcome.

    A payment older than Stripe's retries (an event replayed by hand, days later) is recorded
    without a mail: it would thank, or welcome, for what the reader may have ended long ago.
    Once per payment: the receipt counts as sent once it went out, so a task run again after its
    worker died sends it if it was not, and not again if it was.
    """
    member = payment.member
    if payment.receipt_sent_at is not None:
        return False  # sent by an earlier run of the task
    if mail.delivered(receipt_message_id(payment)):  # sent by a run that died before recording
        Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
        return False
    if payment.paid_at < timezone.now() - RECEIPT_WINDOW:
        logger.info(
            "Payment %s is from %s: recorded without a receipt", payment.pk, payment.paid_at
        )
        return False
    first_membership = (
        payment.kind == Payment.Kind.MEMBERSHIP
        and member.is_active
        and not member.payments.filter(
            kind=Payment.Kind.MEMBERSHIP, paid_at__lt=payment.paid_at
        ).exists()
    )
    with translation.override(member.language):
        _send(
            "members/email/receipt",
            member.email,
            (
                _("Welcome, member of %(newsroom)s")
                if first_membership
                else _("Thank you: your receipt from %(newsroom)s")
            )
            % {"newsroom": mail.newsroom_name()},
            {
                "member": member,
                "payment": payment,
                "amount": format_money(payment.amount, payment.currency),
                "welcome": first_membership,
                "newsletters_url": absolute_url("newsletters:signup")
                + "?"
                + urlencode({"email": member.email}),
                "account_url": absolute_url("members:account"),
            },
            message_id=receipt_message_id(payment),
        )
    # Recorded once sent: a run killed before this sends the receipt when run again.
    Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
    return True


# --- For the newsroom --------------------------------------------------------------------------


def dashboard(now=None, months=12):
    """The numbers staff see on the admin home page: members, this month's movement, revenue."""
    now = now or timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    paying = Membership.objects.filter(
        kind=Membership.Kind.RECURRING,
        state__in=[Membership.State.ACTIVE, Membership.State.PAST_DUE, Membership.State.CANCELLING],
    )
    monthly = paying.filter(interval=Membership.Interval.MONTH).aggregate(s=Sum("amount"))["s"]
    yearly = paying.filter(interval=Membership.Interval.YEAR).aggregate(s=Sum("amount"))["s"]
    history = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(month_start.month - 1 - back, 12)
        start = month_start.replace(year=month_start.year + year, month=month + 1)
        end = _add_months(start, 1)
        at = min(end, now)
        count = (
            Membership.objects.filter(started_at__lte=at)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
            .exclude(state=Membership.State.INCOMPLETE)
            .exclude(state=Membership.State.ENDED, ended_at__isnull=True)
            .values("member")
            .distinct()
            .count()
        )
        history.append((start, count))
    peak = max((count for _, count in history), default=0) or 1
    # With nobody paying yet, the revenue is still in the currency the newsroom asks for.
    currency = paying.values_list("currency", flat=True).first() or membership_settings().currency
    mrr = (monthly or 0) + (yearly or 0) / 12
    return {
        "members": Member.objects.filter(is_active=True).count(),
        "new_this_month": Member.objects.filter(
            is_active=True, active_since__gte=month_start
        ).count(),
        "cancelled_this_month": Membership.objects.filter(
            Q(state=Membership.State.ENDED, ended_at__gte=month_start)
            | Q(state=Membership.State.CANCELLING, updated_at__gte=month_start)
        ).count(),
        "mrr": mrr / 100,
        "currency": currency.upper(),
        "mrr_display": format_money(round(mrr), currency),
        "history": [
            {"month": start, "count": count, "height": round(count * 100 / peak)}
            for start, count in history
        ],
    }
