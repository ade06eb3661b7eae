"""What the newsroom does with newsletter sign-ups: subscribe, confirm, change preferences, unsubscribe."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from masthead.core import editions, keys, mail
from masthead.core.keys import LinkResult

# The preference link, as other apps (members' account page) and tests name it.
from .links import preferences_token, preferences_url  # noqa: F401
from .models import (
    Confirmation,
    ConsentEvent,
    Delivery,
    Issue,
    Newsletter,
    Subscriber,
    Subscription,
)

CONFIRMATION_LIFETIME = datetime.timedelta(days=3)
# One address gets at most one e-mail of each kind in this time, however often it is asked for.
RESEND_AFTER = datetime.timedelta(minutes=5)
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
        raise InvalidAddress(_("That is too long to be an e-mail address."))
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        # email-validator explains in its own words ("must have an @-sign"); readers get ours.
        raise InvalidAddress(_why_not(text)) from error
    local, _at, domain = checked.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


def _why_not(text):
    """Say, in the reader's words, what is wrong with an address the validator refused."""
    example = "name@example.org"
    if "@" not in text:
        return _("An e-mail address has an @ in it, as in %(example)s.") % {"example": example}
    if text.count("@") > 1:
        return _("An e-mail address has only one @ in it, as in %(example)s.") % {
            "example": example
        }
    if any(character.isspace() for character in text):
        return _("An e-mail address has no spaces in it.")
    local, _at, domain = text.partition("@")
    if not local:
        return _("Something is missing before the @, as in %(example)s.") % {"example": example}
    if "." not in domain.strip("."):
        return _("After the @ comes the mail domain, with a dot in it, as in %(example)s.") % {
            "example": example
        }
    shown = "".join(character for character in text[:80] if character.isprintable())
    return _(
        "“%(address)s” is not an address we can send e-mail to. Please check it for typos."
    ) % {"address": shown}


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


def _subscribe_links():
    return Confirmation.objects.filter(purpose=Confirmation.Purpose.SUBSCRIBE)


def record_delivered(links):
    """Record as sent the recent links whose e-mail the transport says went out: their run died
    between sending and recording. Where it cannot tell (SMTP), the next run sends a fresh link."""
    recent = links.filter(
        sent_at__isnull=True, used_at__isnull=True, created_at__gte=timezone.now() - RESEND_AFTER
    )
    for link in recent:
        if mail.delivered(link.message_id):
            Confirmation.objects.filter(pk=link.pk).update(sent_at=link.created_at)


def confirmation_due(subscriber, pending):
    """Whether the reader should get a confirmation e-mail for these pending newsletters now.

    Once per RESEND_AFTER, unless the last e-mail cannot serve: its link was used already, or it
    did not name one of them (a newsletter signed up for since gets a link of its own).
    """
    latest = (
        _subscribe_links()
        .filter(subscriber=subscriber, sent_at__isnull=False)
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.used_at or timezone.now() - latest.created_at >= RESEND_AFTER:
        return True
    named = set(latest.newsletters.values_list("pk", flat=True))
    return not {newsletter.pk for newsletter in pending} <= named


def send_confirmation_email(subscriber):
    """Send the double opt-in e-mail with a fresh single-use link. Returns False if none was due.

    The link names the newsletters the e-mail lists, and confirms only those. Safe to run twice:
    the link counts as sent (holding back the next one) only once its e-mail went out, so a run
    killed in between is made good by the next; a run killed after sending and before recording
    sends one more link (both work).
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        pending = list(
            Newsletter.objects.filter(
                subscriptions__subscriber=subscriber,
                subscriptions__state=Subscription.State.PENDING,
            )
        )
        record_delivered(_subscribe_links().filter(subscriber=subscriber))
        if not pending or subscriber.suppressed_at or not confirmation_due(subscriber, pending):
            return False
        confirmation, key = Confirmation.issue(CONFIRMATION_LIFETIME, subscriber=subscriber)
        confirmation.newsletters.set(pending)
    with translation.override(subscriber.language):
        _send_confirmation(subscriber, pending, key, confirmation.message_id)
    Confirmation.objects.filter(pk=confirmation.pk).update(sent_at=timezone.now())
    return True


def _send_confirmation(subscriber, pending, key, message_id=None):
    context = {
        "newsletters": pending,
        "confirm_url": settings.SITE_URL + reverse("newsletters:confirm", args=[key]),
        "preferences_url": preferences_url(subscriber),
        "lifetime_days": CONFIRMATION_LIFETIME.days,
    }
    sender = pending[0]
    mail.send(
        "newsletters/email/confirm",
        to=subscriber.email,
        subject=_("Confirm your subscription to %(names)s from %(newsroom)s")
        % {"names": ", ".join(n.name for n in pending), "newsroom": mail.newsroom_name()},
        context=context,
        from_email=sender.from_address,
        reply_to=sender.reply_address,
        message_id=message_id,
    )


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    INVALID = "invalid"


_CONFIRM_RESULTS = {
    LinkResult.OK: ConfirmResult.CONFIRMED,
    LinkResult.USED: ConfirmResult.ALREADY,
    LinkResult.EXPIRED: ConfirmResult.EXPIRED,
    LinkResult.INVALID: ConfirmResult.INVALID,
}


@dataclass
class ConfirmationStatus:
    """What a confirmation link stands for now: the newsletters its e-mail named, by their state."""

    result: str  # a LinkResult
    confirmation: Confirmation | None = None
    waiting: list = field(default_factory=list)  # still pending: what confirming would confirm
    subscribed: list = field(default_factory=list)  # confirmed, by this link or another way
    left: list = field(default_factory=list)  # unsubscribed since the e-mail was sent

    @property
    def subscriber(self):
        return self.confirmation.subscriber if self.confirmation else None

    @property
    def can_confirm(self):
        return self.result == LinkResult.OK and bool(self.waiting)

    @property
    def can_subscribe_again(self):
        """A link that can no longer confirm may still start again what its reader asked for."""
        if self.can_confirm:
            return False
        return bool(self.left or (self.waiting and self.result != LinkResult.INVALID))


def confirmation_status(key):
    """Read a confirmation link without using it (GET, HEAD and mail scanners change nothing)."""
    result, confirmation = Confirmation.find(key, _subscribe_links().select_related("subscriber"))
    status = ConfirmationStatus(result, confirmation)
    if confirmation is None:
        return status
    states = dict(
        confirmation.subscriber.subscriptions.filter(
            newsletter__in=confirmation.newsletters.all()
        ).values_list("newsletter_id", "state")
    )
    buckets = {
        Subscription.State.PENDING: status.waiting,
        Subscription.State.CONFIRMED: status.subscribed,
        Subscription.State.UNSUBSCRIBED: status.left,
    }
    for newsletter in confirmation.newsletters.order_by("sort_order", "name"):
        buckets[states.get(newsletter.pk, Subscription.State.UNSUBSCRIBED)].append(newsletter)
    return status


@transaction.atomic
def confirm_subscription(key, *, ip=""):
    """Confirm the newsletters the link's e-mail named that still wait for it, and no others.

    Returns (ConfirmResult, subscriber or None). The link works once.
    """
    result, confirmation = Confirmation.find(
        key, _subscribe_links().select_for_update().select_related("subscriber")
    )
    subscriber = confirmation.subscriber if confirmation else None
    if result != LinkResult.OK:
        return _CONFIRM_RESULTS[result], subscriber
    if not confirmation.use():
        return ConfirmResult.ALREADY, subscriber
    now = timezone.now()
    for subscription in subscriber.subscriptions.filter(
        state=Subscription.State.PENDING, newsletter__in=confirmation.newsletters.all()
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


def subscribe_again(key, *, ip=""):
    """From a confirmation link that can no longer confirm (used, expired, or its reader left since):
    sign up again for what it named and send a fresh confirmation e-mail. Returns whether it did.

    The address is never shown: the new e-mail goes to it, and only its reader can confirm.
    """
    status = confirmation_status(key)
    if not status.can_subscribe_again:
        return False
    subscriber = status.subscriber
    with transaction.atomic():
        language = editions.current()
        if subscriber.language != language:
            subscriber.language = language
            subscriber.save(update_fields=["language"])
        waiting = _add_pending(subscriber, status.waiting + status.left, "confirmation link", ip)
    if waiting and subscriber.suppressed_at is None:
        from .tasks import send_confirmation

        send_confirmation.enqueue(subscriber.pk)
    return True


def subscriber_for(subscriber_id):
    """The subscriber a signed link names, or None if they have been deleted since."""
    return Subscriber.objects.filter(pk=subscriber_id).first()


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
def unsubscribe(
    subscriber, newsletter=None, *, source="one-click unsubscribe", ip="", issue_id=None
):
    """Stop one newsletter, or every one when none is named. Running it twice changes nothing."""
    now = timezone.now()
    active = subscriber.subscriptions.exclude(state=Subscription.State.UNSUBSCRIBED)
    if newsletter is not None:
        active = active.filter(newsletter=newsletter)
    for subscription in active.select_related("newsletter"):
        move(subscription, Subscription.State.UNSUBSCRIBED, now)
        _record(subscriber, ConsentEvent.Action.UNSUBSCRIBE, subscription.newsletter, source, ip)
    if issue_id:
        # Counted on the issue the reader left from, once.
        Delivery.objects.filter(
            issue_id=issue_id, subscriber=subscriber, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)


def unsubscribe_all(subscriber, *, source="one-click unsubscribe", ip="", issue_id=None):
    """Stop every newsletter at once. Running it twice changes nothing the second time."""
    unsubscribe(subscriber, None, source=source, ip=ip, issue_id=issue_id)


def unsubscribe_by_link(link, subscriber, *, one_click=False, everything=False, ip=""):
    """Act on an unsubscribe link (links.read_unsubscribe): stop the newsletter it names, or all
    of them if asked or it names none. Returns the newsletter stopped, or None for all."""
    newsletter = None if everything else unsubscribe_newsletter(link)
    unsubscribe(
        subscriber,
        newsletter,
        source="one-click unsubscribe" if one_click else "unsubscribe page",
        ip=ip,
        issue_id=link.issue_id,
    )
    return newsletter


def unsubscribe_newsletter(link):
    """The newsletter an unsubscribe link names (old links name only the issue), or None for all.

    Old links that named no issue stopped everything, and still do; so does a link whose issue
    is gone (the reader asked to stop, and less mail is the safe side of not knowing which)."""
    if link.newsletter_id is not None:
        return Newsletter.objects.filter(pk=link.newsletter_id).first()
    if link.issue_id is not None:
        issue = Issue.objects.select_related("newsletter").filter(pk=link.issue_id).first()
        return issue.newsletter if issue else None
    return None


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
