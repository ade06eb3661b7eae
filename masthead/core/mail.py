"""Transactional e-mail: the messages a reader's own request sends (confirmations, sign-in links,
receipts, gifts, data links) and editors' test sends. Every one goes out through `send()` or `stamp()`.

What each gets, and why (receivers' spam filters and RFC 5322/3834 read these):

- `Date` in UTC as `+0000` (or the server's offset with EMAIL_USE_LOCALTIME): Python's default
  `-0000` means "time zone unknown", which filters count against us.
- `Message-ID` at the site's own domain (from SITE_URL), not the machine's name (`localhost` in a
  container), so it is unique and traceable to us.
- `From` with the newsroom's name (or the newsletter's sender name), built by `named_address()` only:
  `email.utils.formataddr` quotes a name with a comma or a quote and encodes one in Cyrillic.
- `Reply-To`: a reader who answers reaches the newsroom (the newsletter's desk, or REPLY_TO_EMAIL).
- `Auto-Submitted: auto-generated` (RFC 3834): a machine wrote it, so autoresponders stay quiet;
  `X-Auto-Response-Suppress` asks Exchange's out-of-office replies for the same.
"""

import uuid
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from wagtail.models import Site

from .models import NewsroomSettings


def site_domain():
    """The domain of the public site, for Message-IDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def masked_address(email):
    """ "o…@g….com": enough for a reader to know which of their addresses a page means, not enough
    for whoever a newsletter (and its links) was forwarded to to learn it, or whose domain it is."""
    local, _at, domain = (email or "").rpartition("@")
    if not local:
        return "…"
    name, dot, suffix = domain.rpartition(".")
    return f"{local[:1]}…@{name[:1]}…{dot}{suffix}" if name else f"{local[:1]}…@…"


def newsroom_name():
    """The newsroom's name as readers see it on the site (Settings → Newsroom)."""
    site = Site.objects.filter(is_default_site=True).first()
    return NewsroomSettings.for_site(site).name if site else settings.WAGTAIL_SITE_NAME


def named_address(name, address):
    """A From address with a display name, as RFC 5322 wants it written: a name with a comma or a
    quote is quoted, one in Cyrillic encoded, and a line break in it becomes a space."""
    return formataddr((" ".join(str(name).split()), address))


def newsroom_sender():
    """Who the newsroom's own e-mails come from: DEFAULT_FROM_EMAIL under the newsroom's name
    (a name written into DEFAULT_FROM_EMAIL itself wins)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return named_address(name or newsroom_name(), address or settings.DEFAULT_FROM_EMAIL)


def date_header(moment=None):
    moment = moment or datetime.now(UTC)
    if getattr(settings, "EMAIL_USE_LOCALTIME", False):
        return format_datetime(moment.astimezone())
    return format_datetime(moment.astimezone(UTC))


def complete(message):
    """Give a message that has none a proper Date and a Message-ID at the site's domain.

    Our backends (file, SMTP) call this for every message, so mail written elsewhere (Wagtail's
    notifications and password resets) carries them too, not Django's `-0000` and machine name.
    """
    present = {name.lower() for name in message.extra_headers}
    if "date" not in present:
        message.extra_headers["Date"] = date_header()
    if "message-id" not in present:
        message.extra_headers["Message-ID"] = make_msgid(domain=site_domain())
    return message


# Providers that deliver a message once however often it is handed to them with the same key:
# the header each reads it from (anymail passes it through). Brevo wants a UUID and remembers it
# 15 minutes; Resend up to 256 characters, 24 hours. A send resumed after a crash comes well within.
IDEMPOTENCY_HEADERS = {
    "anymail.backends.brevo.EmailBackend": "idempotencyKey",
    "anymail.backends.sendinblue.EmailBackend": "idempotencyKey",
    "masthead.core.mailproviders.ResendBackend": "Resend-Idempotency-Key",
}


def idempotency_headers(message_id):
    """The header that makes the provider drop a repeat of this message, if it has one."""
    header = IDEMPOTENCY_HEADERS.get(settings.EMAIL_BACKEND)
    if header is None and settings.EMAIL_HOST.endswith(".resend.com"):
        header = "Resend-Idempotency-Key"  # Resend's SMTP relay reads the same header
    if header is None:
        return {}
    return {header: str(uuid.uuid5(uuid.NAMESPACE_URL, f"masthead:{message_id}"))}


def default_reply_to():
    return getattr(settings, "REPLY_TO_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


def message_id_for(kind, *parts):
    """A Message-ID that names one e-mail of ours for good (a sign-up's confirmation, a receipt):
    sent again after a crash it is recognisably the same one. `parts` make it unique (a row's
    id and something random stored with it, so a database started afresh never repeats one)."""
    label = ".".join(str(part) for part in parts if part not in (None, ""))
    return f"<{kind}-{label}@{site_domain()}>"


def delivered(message_id):
    """True if the mail transport can tell that a message with this Message-ID went out (the
    file backend can; SMTP cannot, and says False). A task whose worker died between sending and
    recording asks this before it sends again, so where the transport can tell it sends once."""
    connection = get_connection()
    check = getattr(connection, "delivered", None)
    return bool(check and check(message_id))


def stamp(message, *, reply_to=None, message_id=None):
    """Give a message the headers every transactional e-mail carries; return it."""
    message.extra_headers["Date"] = date_header()
    message.extra_headers["Message-ID"] = message_id or make_msgid(domain=site_domain())
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    message.extra_headers["X-Auto-Response-Suppress"] = "All"
    if reply_to or not message.reply_to:
        message.reply_to = [reply_to or default_reply_to()]
    return message


def build(template, *, to, subject, context, from_email=None, reply_to=None, message_id=None):
    """Render `<template>.txt` and `<template>.html` into one stamped message to one address.

    The templates also get `newsroom_name`, for the top of the e-mail (templates/email_base.html)."""
    context = {"newsroom_name": newsroom_name(), **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=from_email or newsroom_sender(),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return stamp(message, reply_to=reply_to, message_id=message_id)


def send(template, *, to, subject, context, from_email=None, reply_to=None, message_id=None):
    """Send one transactional e-mail through the configured backend; return the message sent."""
    message = build(
        template,
        to=to,
        subject=subject,
        context=context,
        from_email=from_email,
        reply_to=reply_to,
        message_id=message_id,
    )
    if message_id:
        message.extra_headers.update(idempotency_headers(message_id))
    message.send()
    return message
