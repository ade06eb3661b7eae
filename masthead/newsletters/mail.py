"""The SMTP backend the newsroom sends through: Django's, plus DKIM signing and ready-made bytes.

`EMAIL_BACKEND=smtp` selects it (settings). Over Django's own SMTP backend it adds two things:

- **DKIM**: with `DKIM_DOMAIN` and `DKIM_PRIVATE_KEY_FILE` set, every message (issues, confirmations,
  test sends) is signed with dkimpy before it leaves, so receivers can check it came from us.
  Providers reached through anymail sign for you; this is for newsrooms running their own relay.
- **Ready-made bytes**: `send_raw()` sends a message that is already bytes. Newsletter sending
  writes an issue out once and splices each reader's parts into a copy (`sending.PreparedIssue`),
  which saves building a MIME tree per reader.
"""

import logging
import smtplib
from functools import cached_property
from pathlib import Path

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

from masthead.core import mail

logger = logging.getLogger("masthead.newsletters")

# Headers a DKIM signature covers: the ones a forger would change, and the list headers that
# one-click unsubscribe relies on (RFC 8058 asks that they be signed).
SIGNED_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
]


class DkimSigner:
    """Signs raw messages for one domain and selector with a private key read once."""

    def __init__(self, domain, selector, key_file):
        try:
            self.key = Path(key_file).read_bytes()
        except OSError as error:
            raise ImproperlyConfigured(
                f"DKIM_PRIVATE_KEY_FILE {key_file!r} cannot be read: {error}"
            ) from error
        self.domain = domain.encode("ascii")
        self.selector = selector.encode("ascii")

    def sign(self, raw):
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            if line and line[:1] not in b" \t"
        }
        headers = [name for name in SIGNED_HEADERS if name in present]
        signature = dkim.sign(
            raw,
            self.selector,
            self.domain,
            self.key,
            include_headers=headers,
            linesep=b"\r\n",
        )
        return signature + raw


def configured_signer():
    domain = getattr(settings, "DKIM_DOMAIN", "")
    key_file = getattr(settings, "DKIM_PRIVATE_KEY_FILE", "")
    if not (domain and key_file):
        return None
    return DkimSigner(domain, getattr(settings, "DKIM_SELECTOR", "masthead"), key_file)


class SMTPBackend(EmailBackend):
    @cached_property
    def signer(self):
        return configured_signer()

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        mail.complete(email_message)  # a proper Date and our Message-ID on every message
        raw = email_message.message().as_bytes(linesep="\r\n")
        try:
            self.send_raw(from_email, recipients, raw)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def send_raw(self, from_email, recipients, raw):
        """Send bytes that are already a whole message (CRLF line ends), signed if DKIM is set.

        Raises smtplib's errors as they come; the caller decides what a refusal means.
        """
        if self.connection is None:
            self.open()
        if self.signer is not None:
            raw = self.signer.sign(raw)
        self.connection.sendmail(from_email, recipients, raw)
