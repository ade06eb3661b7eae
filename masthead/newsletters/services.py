"""What the newsroom does with newsletter sign-ups: subscribe, confirm, change preferences, unsubscribe."""

import datetime
import re
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from masthead.core import editions, keys

from .models import (
    Confirmation,
    ConsentEvent,
    Delivery,
    Newsletter,
    Subscriber,
    Subscription,
    hash_key,
)

CONFIRMATION_LIFETIME = datetime.timedelta(days=3)
# One address gets at most one confirmation e-mail in this time, however often the form is sent.
RESEND_AFTER = datetime.timedelta(minutes=5)
PREFERENCES_SALT = "masthead.newsletters.preferences"
# The Message-ID sending.message_id() gives each issue e-mail.
OUR_MESSAGE_ID = re.compile(r"<issue-(\d+)\.reader-(\d+)@[^>]+>")


class InvalidAddress(ValueError):
    """The address cannot receive e-mail; the message says why, for the reader."""


def normalise_address(raw):
    """Check an address's syntax (no DNS on the request path) and return its normal form."""
    text = (raw or "").strip()
    if not text:
        raise InvalidAddress(_("Enter your e-mail address."))
    if len(text) > 254:
        raise InvalidAddress(_("That address is too long to be an e-mail address."))
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidAddress(
            _("“%(address)s” is not a valid e-mail address: %(reason)s")
            % {"address": text[:80], "reason": str(error)}
        ) from error
    local, _at, domain = checked.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


keyed_hash = keys.keyed_hash
hash_ip = keyed_hash


def offered_newsletters(subscriber=None):
    """The newsletters this edition offers its readers. A subscriber also sees those of other
    editions they receive, so the preference centre can always stop them."""
    offered = Q(is_visible=True, language=editions.current())
    if subscriber is not None:
        offered |= Q(
            subscriptions__subscriber=subscriber,
            subscriptions__state=Subscription.State.CONFIRMED,
        )
    return Newsletter.objects.filter(offered).distinct()


def default_newsletters():
    """What a sign-up form that offers no choice subscribes to."""
    chosen = list(offered_newsletters().filter(subscribe_by_default=True))
    return chosen or list(offered_newsletters()[:1])


def _record(subscriber, action, newsletter=None, source="", ip=""):
    ConsentEvent.objects.create(
        subscriber=subscriber,
        newsletter=newsletter,
        action=action,
        source=source[:200],
        ip_hash=hash_ip(ip),
    )


def find_or_add_subscriber(address):
    """Return the subscriber for an address, matching case-insensitively (one person, one row)."""
    subscriber = Subscriber.objects.filter(email__iexact=address).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=address)
        except IntegrityError:  # the same address arrived at the same moment from another request
            subscriber = Subscriber.objects.get(email__iexact=address)
    return subscriber


def subscribe(email, newsletters, *, source="", ip=""):
    """Store pending subscriptions and send one confirmation e-mail (at most one per RESEND_AFTER).

    Says nothing about whether the address was new, pending or already subscribed: callers show
    the same page whatever happened, so the form cannot be used to learn who reads what.
    """
    address = normalise_address(email)
    with transaction.atomic():
        subscriber = find_or_add_subscriber(address)
        language = editions.current()  # the edition they signed up in: their mail is written in it
        if subscriber.language != language:
            subscriber.language = language
            subscriber.save(update_fields=["language"])
        waiting = _add_pending(subscriber, newsletters, source, ip)
    if waiting and subscriber.suppressed_at is None:
        from .tasks import send_confirmation

        # Enqueued once the subscription is stored; the task sends at most one mail per RESEND_AFTER.
        send_confirmation.enqueue(subscriber.pk)
    return subscriber


def _add_pending(subscriber, newsletters, source, ip):
    waiting = False
    for newsletter in newsletters:
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter, defaults={"source": source[:200]}
        )
        if subscription.state == Subscription.State.UNSUBSCRIBED:
            move(subscription, Subscription.State.PENDING)
        if subscription.state == Subscription.State.PENDING:
            waiting = True
            _record(subscriber, ConsentEvent.Action.SUBSCRIBE, newsletter, source, ip)
    return waiting


def move(subscription, state, at=None):
    """Change a subscription's state, keeping its newsletter's audience count right.

    Every state change goes through here (sign-up, confirmation, preferences, unsubscribe,
    bounce, import), inside the caller's transaction, so the count never drifts from the rows.
    """
    old = subscription.state
    if old == state:
        return False
    at = at or timezone.now()
    subscription.state = state
    fields = ["state"]
    if state == Subscription.State.CONFIRMED:
        subscription.confirmed_at = subscription.confirmed_at or at
        fields.append("confirmed_at")
    elif state == Subscription.State.UNSUBSCRIBED:
        subscription.unsubscribed_at = at
        fields.append("unsubscribed_at")
    subscription.save(update_fields=fields)
    change = (state == Subscription.State.CONFIRMED) - (old == Subscription.State.CONFIRMED)
    if change:
        Newsletter.objects.filter(pk=subscription.newsletter_id).update(
            audience_count=F("audience_count") + change
        )
    return True


def audience(newsletter):
    """The subscriptions an issue of this newsletter goes to: confirmed, never bounced."""
    return Subscription.objects.filter(
        newsletter=newsletter,
        state=Subscription.State.CONFIRMED,
        subscriber__suppressed_at__isnull=True,
    )


def recount_audiences():
    """Count every newsletter's confirmed subscribers from the rows (after an import, or to check)."""
    for newsletter in Newsletter.objects.all():
        count = Subscription.objects.filter(
            newsletter=newsletter, state=Subscription.State.CONFIRMED
        ).count()
        Newsletter.objects.filter(pk=newsletter.pk).update(audience_count=count)


def confirmation_due(subscriber):
    latest = subscriber.confirmations.order_by("-created_at").first()
    return latest is None or timezone.now() - latest.created_at >= RESEND_AFTER


def send_confirmation_email(subscriber):
    """Send the double opt-in e-mail with a fresh single-use link. Returns False if one went out lately."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        pending = list(
            Newsletter.objects.filter(
                subscriptions__subscriber=subscriber,
                subscriptions__state=Subscription.State.PENDING,
            )
        )
        if not pending or subscriber.suppressed_at or not confirmation_due(subscriber):
            return False
        key = secrets.token_urlsafe(32)
        Confirmation.objects.create(
            subscriber=subscriber,
            key_hash=hash_key(key),
            expires_at=timezone.now() + CONFIRMATION_LIFETIME,
        )
    with translation.override(subscriber.language):
        _send_confirmation(subscriber, pending, key)
    return True


def _send_confirmation(subscriber, pending, key):
    context = {
        "newsletters": pending,
        "confirm_url": settings.SITE_URL + reverse("newsletters:confirm", args=[key]),
        "preferences_url": preferences_url(subscriber),
        "lifetime_days": CONFIRMATION_LIFETIME.days,
    }
    sender = pending[0]
    message = EmailMultiAlternatives(
        subject=_("Confirm your subscription to %(names)s")
        % {"names": ", ".join(n.name for n in pending)},
        body=render_to_string("newsletters/email/confirm.txt", context),
        from_email=f"{sender.sender_name} <{sender.sender_email}>",
        to=[subscriber.email],
        reply_to=[sender.reply_to] if sender.reply_to else None,
    )
    message.attach_alternative(
        render_to_string("newsletters/email/confirm.html", context), "text/html"
    )
    message.send()


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def confirm_subscription(key, *, ip=""):
    """Confirm what the link's owner signed up for. Returns (result, subscriber or None)."""
    confirmation = (
        Confirmation.objects.select_for_update()
        .select_related("subscriber")
        .filter(key_hash=hash_key(key))
        .first()
    )
    if confirmation is None:
        return ConfirmResult.INVALID, None
    subscriber = confirmation.subscriber
    if confirmation.used_at:
        return ConfirmResult.ALREADY, subscriber
    if confirmation.expires_at < timezone.now():
        return ConfirmResult.EXPIRED, subscriber
    now = timezone.now()
    confirmation.used_at = now
    confirmation.save(update_fields=["used_at"])
    for subscription in subscriber.subscriptions.filter(
        state=Subscription.State.PENDING
    ).select_related("newsletter"):
        move(subscription, Subscription.State.CONFIRMED, now)
        _record(
            subscriber,
            ConsentEvent.Action.CONFIRM,
            subscription.newsletter,
            "confirmation link",
            ip,
        )
    return ConfirmResult.CONFIRMED, subscriber


def preferences_token(subscriber, issue=None):
    """A signed token naming a subscriber (and the issue the link came in): the link is the proof."""
    subscriber_id = getattr(subscriber, "pk", subscriber)
    data = {"s": subscriber_id}
    if issue is not None:
        data["i"] = getattr(issue, "pk", issue)
    return signing.dumps(data, salt=PREFERENCES_SALT, compress=True)


def preferences_url(subscriber):
    return settings.SITE_URL + reverse(
        "newsletters:preferences", args=[preferences_token(subscriber)]
    )


def read_token(token):
    """Return (subscriber, issue id or None) for a token, or (None, None) if it was tampered with."""
    try:
        data = signing.loads(token, salt=PREFERENCES_SALT)
    except signing.BadSignature:
        return None, None
    if not isinstance(data, dict):
        return None, None
    return Subscriber.objects.filter(pk=data.get("s")).first(), data.get("i")


def subscriber_from_token(token):
    return read_token(token)[0]


def confirmed_newsletters(subscriber):
    return set(
        subscriber.subscriptions.filter(state=Subscription.State.CONFIRMED).values_list(
            "newsletter_id", flat=True
        )
    )


@transaction.atomic
def update_preferences(subscriber, chosen, *, source="preference centre", ip=""):
    """Make the subscriber's confirmed newsletters exactly `chosen` (the signed link proves the address)."""
    now = timezone.now()
    chosen_ids = {n.pk for n in chosen}
    for newsletter in offered_newsletters(subscriber):
        subscription, _created = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter, defaults={"source": source}
        )
        wanted = newsletter.pk in chosen_ids
        if wanted and subscription.state != Subscription.State.CONFIRMED:
            move(subscription, Subscription.State.CONFIRMED, now)
            _record(subscriber, ConsentEvent.Action.CHANGE, newsletter, source, ip)
        elif not wanted and subscription.state != Subscription.State.UNSUBSCRIBED:
            move(subscription, Subscription.State.UNSUBSCRIBED, now)
            _record(subscriber, ConsentEvent.Action.UNSUBSCRIBE, newsletter, source, ip)


@transaction.atomic
def subscriber_data(subscriber):
    """Everything kept about one reader of the newsletters, for them to download."""
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "first_seen": subscriber.created_at.isoformat(),
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "state": s.state,
                "signed_up": s.created_at.isoformat(),
                "confirmed": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "unsubscribed": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
                "where": s.source,
            }
            for s in subscriber.subscriptions.select_related("newsletter").order_by("created_at")
        ],
        "consent_history": [
            {
                "action": e.action,
                "newsletter": e.newsletter.name if e.newsletter else None,
                "at": e.at.isoformat(),
                "where": e.source,
            }
            for e in subscriber.consent_events.select_related("newsletter").order_by("at")
        ],
        "issues_sent": subscriber.deliveries.filter(state="sent").count(),
    }


@transaction.atomic
def forget_subscriber(subscriber, *, ip=""):
    """Erase a reader who asked: their address, subscriptions, consent history and delivery rows.

    Unsubscribed first, so every newsletter's audience count stays right; issues keep the number of
    people they went to, not who.
    """
    unsubscribe_all(subscriber, source="erased at the reader's request", ip=ip)
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def unsubscribe_all(subscriber, *, source="one-click unsubscribe", ip="", issue_id=None):
    """Stop every newsletter at once. Running it twice changes nothing the second time."""
    now = timezone.now()
    active = subscriber.subscriptions.exclude(state=Subscription.State.UNSUBSCRIBED).select_related(
        "newsletter"
    )
    for subscription in active:
        move(subscription, Subscription.State.UNSUBSCRIBED, now)
        _record(subscriber, ConsentEvent.Action.UNSUBSCRIBE, subscription.newsletter, source, ip)
    if issue_id:
        # Counted on the issue the reader left from, once.
        Delivery.objects.filter(
            issue_id=issue_id, subscriber=subscriber, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)


@transaction.atomic
def suppress(address, reason, *, provider_message_id="", source=""):
    """Never mail an address again after a hard bounce or a complaint; log it as consent withdrawn.

    Returns the subscriber, or None for an address the newsroom does not know.
    """
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=address).first()
    if subscriber is None:
        return None
    now = timezone.now()
    action = (
        ConsentEvent.Action.COMPLAINT
        if reason == ConsentEvent.Action.COMPLAINT
        else ConsentEvent.Action.BOUNCE
    )
    if subscriber.suppressed_at is None:
        subscriber.suppressed_at = now
        subscriber.save(update_fields=["suppressed_at"])
    for subscription in subscriber.subscriptions.exclude(state=Subscription.State.UNSUBSCRIBED):
        move(subscription, Subscription.State.UNSUBSCRIBED, now)
    _record(subscriber, action, None, source)
    deliveries = Delivery.objects.filter(subscriber=subscriber, state=Delivery.State.SENT)
    ours = OUR_MESSAGE_ID.fullmatch(provider_message_id or "")
    if ours:  # sent over SMTP: the provider reports the Message-ID we gave the message
        deliveries = deliveries.filter(issue_id=ours.group(1))
    elif provider_message_id:
        matching = deliveries.filter(provider_message_id=provider_message_id)
        deliveries = matching if matching.exists() else deliveries
    latest = deliveries.order_by("-sent_at").first()
    if latest is not None:
        field = "complained_at" if action == ConsentEvent.Action.COMPLAINT else "bounced_at"
        Delivery.objects.filter(pk=latest.pk, **{f"{field}__isnull": True}).update(**{field: now})
    return subscriber
