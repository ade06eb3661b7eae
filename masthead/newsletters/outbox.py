"""Read the e-mail the embedded default writes to files (EMAIL_FILE_PATH), for the admin's outbox page."""

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Django's file backend separates messages written in one connection with this line.
SEPARATOR = "\n" + "-" * 79 + "\n"
FILE_BACKEND = "masthead.core.mailfiles.EmailBackend"  # a file per message (`file` in settings)
DJANGO_FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"  # a file per connection


@dataclass
class OutboxMessage:
    id: str
    subject: str
    to: str
    sender: str
    date: str
    text: str
    html: str


def enabled():
    return settings.EMAIL_BACKEND in (FILE_BACKEND, DJANGO_FILE_BACKEND)


def may_read(user):
    """Whether `user` may read the outbox: it holds members' sign-in, gift and preference links."""
    return bool(user and user.is_active and user.has_perm("newsletters.read_outbox"))


def _folder():
    return Path(settings.EMAIL_FILE_PATH)


def _parse(file_name, index, raw):
    message = email.message_from_string(raw.strip(), policy=email.policy.default)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    return OutboxMessage(
        id=f"{file_name}:{index}",
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=str(message["Date"] or ""),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
    )


def messages(limit=100):
    """Return the newest messages first."""
    folder = _folder()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        parts = [p for p in path.read_text(errors="replace").split(SEPARATOR) if p.strip()]
        for index in reversed(range(len(parts))):
            found.append(_parse(path.name, index, parts[index]))
            if len(found) >= limit:
                return found
    return found


def message(message_id):
    file_name, _, index = message_id.rpartition(":")
    path = _folder() / file_name
    # Only names the folder listing could have produced: no path tricks.
    if "/" in file_name or not path.is_file() or path.parent != _folder() or not index.isdigit():
        return None
    parts = [p for p in path.read_text(errors="replace").split(SEPARATOR) if p.strip()]
    if int(index) >= len(parts):
        return None
    return _parse(file_name, int(index), parts[int(index)])


def forget_address(address):
    """Delete the written messages addressed to `address` (a reader erasing their account): their
    sign-in, gift and preference links and receipts. Other messages in the same file stay."""
    folder = _folder()
    if not enabled() or not address or not folder.is_dir():
        return 0
    address = address.lower()
    removed = 0
    for path in folder.glob("*.log"):
        parts = [p for p in path.read_text(errors="replace").split(SEPARATOR) if p.strip()]
        kept = [part for part in parts if address not in _recipients(part)]
        if len(kept) == len(parts):
            continue
        removed += len(parts) - len(kept)
        if kept:
            path.write_text(SEPARATOR.join(kept) + SEPARATOR)
        else:
            path.unlink()
    return removed


def _recipients(raw):
    message = email.message_from_string(raw.strip(), policy=email.policy.default)
    found = set()
    for header in ("To", "Cc", "Bcc"):
        for value in message.get_all(header) or []:
            found.update(a.addr_spec.lower() for a in getattr(value, "addresses", ()))
    return found
