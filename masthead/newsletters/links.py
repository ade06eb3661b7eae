"""The signed links in a reader's e-mails, one kind per purpose, each able to do only its own job.

- **Unsubscribe** (List-Unsubscribe, RFC 8058, and the footer's "Unsubscribe"): names the reader
  and the newsletter, and can only stop mail. It never expires: an e-mail read a year from now must
  still let its reader leave, as RFC 8058 and mailbox providers expect.
- **Preferences** (the footer's "Change your newsletters"): opens the preference centre for
  PREFERENCES_LIFETIME. Issues are forwarded and mailboxes are read by others; a link that shows
  the address and changes the choices should not work for ever. Thirty days covers a monthly
  newsletter read late, and every new issue carries a fresh link; an older one offers to e-mail one.
- Downloading one's data and deleting one's address take more than a link anyone may hold: a
  single-use key, e-mailed on request to the address itself (`services.send_data_link`).

Links in mail sent before this split carry one all-purpose token (LEGACY_SALT). It still
unsubscribes, for ever, and opens the preference centre while it is younger than the lifetime.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"
PREFERENCES_SALT = "masthead.newsletters.preference-centre"
LEGACY_SALT = "masthead.newsletters.preferences"
PREFERENCES_LIFETIME = datetime.timedelta(days=30)


def _pk(thing):
    return getattr(thing, "pk", thing)


def unsubscribe_token(subscriber, newsletter=None, issue=None):
    """A permanent token that unsubscribes this reader from one newsletter (or all, with none)."""
    data = {"s": _pk(subscriber)}
    if newsletter is not None:
        data["n"] = _pk(newsletter)
    if issue is not None:
        data["i"] = _pk(issue)
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(subscriber, issue):
    """The one-click unsubscribe address for one reader of one issue."""
    token = unsubscribe_token(subscriber, issue.newsletter_id, issue)
    return settings.SITE_URL + reverse("newsletters:unsubscribe", args=[token])


def preferences_token(subscriber):
    """A token that opens this reader's preference centre for PREFERENCES_LIFETIME."""
    return signing.dumps({"s": _pk(subscriber)}, salt=PREFERENCES_SALT, compress=True)


def preferences_path(subscriber):
    return reverse("newsletters:preferences", args=[preferences_token(subscriber)])


def preferences_url(subscriber):
    return settings.SITE_URL + preferences_path(subscriber)


class Unsubscribe:
    """What an unsubscribe link names: a subscriber id, and the newsletter and issue if known."""

    def __init__(self, subscriber_id, newsletter_id=None, issue_id=None):
        self.subscriber_id = subscriber_id
        self.newsletter_id = newsletter_id
        self.issue_id = issue_id


def _load(token, salt, max_age=None):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return data


def read_unsubscribe(token):
    """Return an Unsubscribe for a token from an unsubscribe link (new or legacy), or None."""
    data = _load(token, UNSUBSCRIBE_SALT) or _load(token, LEGACY_SALT)
    if data is None:
        return None
    numbers = [data.get(name) for name in ("n", "i")]
    return Unsubscribe(data["s"], *(n if isinstance(n, int) else None for n in numbers))


class Preferences:
    """What a preference link names: a subscriber id, and whether the link is past its lifetime."""

    def __init__(self, subscriber_id, expired):
        self.subscriber_id = subscriber_id
        self.expired = expired


def read_preferences(token):
    """Return a Preferences for a token from a preference link (new or legacy), or None if forged."""
    for salt in (PREFERENCES_SALT, LEGACY_SALT):
        data = _load(token, salt)
        if data is not None:
            fresh = _load(token, salt, max_age=PREFERENCES_LIFETIME) is not None
            return Preferences(data["s"], expired=not fresh)
    return None
