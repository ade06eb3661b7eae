"""A reader's requests about themselves: a fresh preference link, a download of what is kept
about them, and deleting their address.

The preference centre (reached by a link anyone holding a forwarded issue may have) only asks:
downloading and deleting take a single-use link e-mailed to the address itself, used once, within
DATA_LINK_LIFETIME (masthead/newsletters/links.py says which link may do what).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masthead.core import mail, ratelimit
from masthead.core.keys import LinkResult

from . import links
from .models import Confirmation, Subscriber
from .services import RESEND_AFTER, record_delivered, unsubscribe_all

# A link to download or delete one's data is asked for on the spot and used at once; a day covers
# a slow mailbox, and an old e-mail found later opens nothing.
DATA_LINK_LIFETIME = datetime.timedelta(days=1)


def _sender(subscriber):
    """Who a reader's requested e-mail comes from: the newsletter they signed up for last."""
    subscription = (
        subscriber.subscriptions.select_related("newsletter").order_by("-created_at").first()
    )
    if subscription is None:
        return {}
    newsletter = subscription.newsletter
    return {
        "from_email": newsletter.from_address,
        "reply_to": newsletter.reply_address,
    }


PREFERENCES = "preferences"
DATA_PURPOSES = (Confirmation.Purpose.EXPORT, Confirmation.Purpose.ERASE)


def request_link(subscriber, purpose):
    """Queue the e-mail with a link the reader asked for: PREFERENCES, EXPORT or ERASE.

    Queued, not sent in the request: a mail server that is down costs the reader nothing here.
    """
    if purpose != PREFERENCES and purpose not in DATA_PURPOSES:
        raise ValueError(purpose)
    from .tasks import send_link

    send_link.enqueue(subscriber.pk, str(purpose))


def send_link(subscriber, purpose):
    """Send the e-mail request_link() queued. Returns whether one went out."""
    if purpose == PREFERENCES:
        return send_preferences_link(subscriber)
    return send_data_link(subscriber, purpose)


def send_preferences_link(subscriber):
    """E-mail the reader a fresh preference link (at most one per RESEND_AFTER). Returns whether.

    Counted once sent: a run killed before sending is made good when its task runs again.
    """
    if subscriber.suppressed_at:
        return False
    window = int(RESEND_AFTER.total_seconds())
    with ratelimit.once_per("newsletter-preferences-link", subscriber.pk, window) as go_ahead:
        if not go_ahead:
            return False
        context = {
            "purpose": "preferences",
            "url": links.preferences_url(subscriber),
            "lifetime_days": links.PREFERENCES_LIFETIME.days,
        }
        with translation.override(subscriber.language):
            mail.send(
                "newsletters/email/link",
                to=subscriber.email,
                subject=_("Your link to choose your newsletters from %(newsroom)s")
                % {"newsroom": mail.newsroom_name()},
                context=context,
                **_sender(subscriber),
            )
    return True


def send_data_link(subscriber, purpose):
    """E-mail a single-use link to download (EXPORT) or delete (ERASE) what is kept about the reader.

    At most one of each kind per RESEND_AFTER. Returns whether one was sent.
    """
    if purpose not in DATA_PURPOSES:
        raise ValueError(purpose)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.suppressed_at:
            return False
        record_delivered(subscriber.confirmations.filter(purpose=purpose))
        latest = (
            subscriber.confirmations.filter(purpose=purpose, sent_at__isnull=False)
            .order_by("-created_at")
            .first()
        )
        if latest is not None and timezone.now() - latest.created_at < RESEND_AFTER:
            return False
        link, key = Confirmation.issue(DATA_LINK_LIFETIME, subscriber=subscriber, purpose=purpose)
    context = {
        "purpose": purpose,
        "url": settings.SITE_URL + reverse("newsletters:data_link", args=[key]),
        "lifetime_hours": int(DATA_LINK_LIFETIME.total_seconds() // 3600),
    }
    with translation.override(subscriber.language):
        subjects = {
            Confirmation.Purpose.EXPORT: _(
                "Your link to download your newsletter data from %(newsroom)s"
            ),
            Confirmation.Purpose.ERASE: _(
                "Your link to delete your address from the newsletters of %(newsroom)s"
            ),
        }
        mail.send(
            "newsletters/email/link",
            to=subscriber.email,
            subject=subjects[purpose] % {"newsroom": mail.newsroom_name()},
            context=context,
            message_id=link.message_id,
            **_sender(subscriber),
        )
    # Recorded once sent: a run killed before this sends a fresh link when run again.
    Confirmation.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    return True


def find_data_link(key):
    """Return (LinkResult, Confirmation or None) for a data link, without using it."""
    return Confirmation.find(
        key, Confirmation.objects.filter(purpose__in=DATA_PURPOSES).select_related("subscriber")
    )


def _use(key, purpose):
    """Use a data link once, for the purpose it was sent for. Returns (LinkResult, subscriber)."""
    result, link = Confirmation.find(
        key, Confirmation.objects.filter(purpose=purpose).select_for_update()
    )
    if result != LinkResult.OK:
        return result, link.subscriber if link else None
    if not link.use():
        return LinkResult.USED, link.subscriber
    return LinkResult.OK, link.subscriber


@transaction.atomic
def export_by_link(key):
    """Use a download link: return (LinkResult, everything kept about its reader, or None)."""
    result, subscriber = _use(key, Confirmation.Purpose.EXPORT)
    return result, subscriber_data(subscriber) if result == LinkResult.OK else None


@transaction.atomic
def erase_by_link(key, *, ip=""):
    """Use a deletion link: erase its reader. Returns the LinkResult; nothing is used on failure."""
    result, subscriber = _use(key, Confirmation.Purpose.ERASE)
    if result == LinkResult.OK:
        forget_subscriber(subscriber, ip=ip)
    return result


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
