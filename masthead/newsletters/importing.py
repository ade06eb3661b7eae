"""Bring a subscriber list from elsewhere (a Mailchimp or Substack export, any CSV) without faking consent.

Rules, in the reader's favour:
- A row becomes a confirmed subscriber only if the file says the person opted in: a subscribed
  status and an opt-in or confirmation time. Others are stored as pending, and nothing is sent to
  them (a newsroom may ask them to confirm later).
- A withdrawal in the file (unsubscribed, cleaned, bounced) always applies; a subscription in
  the file never overrides a reader who unsubscribed here.
- A dry run does everything inside a transaction and rolls it back, so its report is exactly what
  the real import will do.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import services
from .models import ConsentEvent, Subscriber, Subscription

CHUNK = 1000

# Column names as the common exports spell them (compared case-insensitively).
KNOWN_COLUMNS = {
    "email": ["email address", "email", "e-mail", "e-mail address", "email_address"],
    "name": ["name", "full name"],
    "first_name": ["first name", "fname", "first_name"],
    "last_name": ["last name", "lname", "last_name"],
    "status": ["status", "subscription status", "state"],
    "opted_in_at": ["optin_time", "opt-in time", "created_at", "subscribed_at", "created"],
    "confirmed_at": ["confirm_time", "confirmed_at", "confirmed"],
    # Substack's export: no status column; "email_disabled" is true for readers who stopped the mail.
    "disabled": ["email_disabled"],
}
SUBSCRIBED = {"subscribed", "confirmed", "active", "opted in", "yes"}
PENDING = {"pending", "unconfirmed"}
UNSUBSCRIBED = {"unsubscribed", "unsubscribe", "inactive", "opted out", "no"}
SUPPRESSED = {"cleaned", "bounced", "complained", "spam"}


@dataclass
class Mapping:
    email: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    status: str = ""
    opted_in_at: str = ""
    confirmed_at: str = ""
    disabled: str = ""


def guess_mapping(headers):
    """Find the columns by their usual names; the editor can correct any of them."""
    lowered = {h.strip().lower(): h for h in headers}
    found = {}
    for key, names in KNOWN_COLUMNS.items():
        found[key] = next((lowered[n] for n in names if n in lowered), "")
    return Mapping(**found)


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    new_subscribers: int = 0
    confirmed: int = 0
    pending: int = 0
    unsubscribed: int = 0
    suppressed: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # (line number, reason)

    def summary(self):
        return {
            "rows": self.rows,
            "new subscribers": self.new_subscribers,
            "confirmed": self.confirmed,
            "pending (no proof of opt-in; nothing sent)": self.pending,
            "unsubscribed": self.unsubscribed,
            "suppressed (bounced or cleaned)": self.suppressed,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }


class CannotImport(ValueError):
    """The file cannot be imported at all; the message says why, for the editor."""


def read_rows(data):
    """Decode CSV bytes (UTF-8 with or without BOM, or Latin-1) into (headers, row dicts)."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise CannotImport("The file is empty or is not a CSV file.")
    return reader.fieldnames, reader


def import_subscribers(
    data,
    newsletter,
    mapping=None,
    *,
    default_status="subscribed",
    dry_run,
    source="import",
    progress=None,
):
    """Import subscribers for one newsletter from CSV bytes and return an ImportReport."""
    headers, rows = read_rows(data)
    mapping = mapping or guess_mapping(headers)
    if not mapping.email or mapping.email not in headers:
        raise CannotImport(
            "No e-mail address column was found. Choose the column that holds the addresses."
        )
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        seen = set()
        chunk = []
        for line, row in enumerate(rows, start=2):
            report.rows += 1
            parsed = _parse_row(row, mapping, default_status, line, report, seen)
            if parsed:
                chunk.append(parsed)
            if len(chunk) >= CHUNK:
                _apply(chunk, newsletter, source, report)
                chunk = []
                if progress:
                    progress(report.rows)
        _apply(chunk, newsletter, source, report)
        if progress:
            progress(report.rows)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _parse_row(row, mapping, default_status, line, report, seen):
    raw = (row.get(mapping.email) or "").strip()
    try:
        address = services.normalise_address(raw)
    except services.InvalidAddress as error:
        if not raw:
            reason = _("no e-mail address")
        else:  # the value itself, so the editor can find and mend it in the file
            reason = _("“%(value)s”: %(reason)s") % {"value": _shown(raw), "reason": error}
        report.skipped.append((line, reason))
        return None
    if address.lower() in seen:
        report.skipped.append(
            (line, _("%(address)s appears earlier in the file") % {"address": address})
        )
        return None
    seen.add(address.lower())
    status = (row.get(mapping.status) or "").strip().lower() if mapping.status else ""
    if mapping.disabled and (row.get(mapping.disabled) or "").strip().lower() in (
        "true",
        "yes",
        "1",
    ):
        status = "unsubscribed"
    status = status or default_status
    if status not in SUBSCRIBED | PENDING | UNSUBSCRIBED | SUPPRESSED:
        report.skipped.append((line, _("unknown status “%(status)s”") % {"status": _shown(status)}))
        return None
    name = (row.get(mapping.name) or "").strip() if mapping.name else ""
    if not name:
        parts = [(row.get(c) or "").strip() for c in (mapping.first_name, mapping.last_name) if c]
        name = " ".join(p for p in parts if p)
    opted_in = _when(row, mapping.confirmed_at) or _when(row, mapping.opted_in_at)
    if status in SUBSCRIBED:
        state = Subscription.State.CONFIRMED if opted_in else Subscription.State.PENDING
    elif status in PENDING:
        state = Subscription.State.PENDING
    else:
        state = Subscription.State.UNSUBSCRIBED
    return {
        "email": address,
        "name": name[:150],
        "state": state,
        "suppress": status in SUPPRESSED,
        "at": opted_in or timezone.now(),
        "line": line,
    }


def _shown(value, limit=60):
    """A cell's value as a skip reason quotes it: cut short, on one line."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _when(row, column):
    if not column:
        return None
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace("/", "-"))
    except ValueError:
        moment = None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _apply(chunk, newsletter, source, report):
    if not chunk:
        return
    existing = _find(chunk)
    new = [
        # New readers read the edition of the list they came with: their mail is in its language.
        Subscriber(
            email=r["email"], name=r["name"], created_at=r["at"], language=newsletter.language
        )
        for r in chunk
        if r["email"].lower() not in existing
    ]
    # A row another sign-up added meanwhile is simply found again below.
    Subscriber.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        existing = _find(chunk)
    report.new_subscribers += len(new)
    unmatched = [r for r in chunk if r["email"].lower() not in existing]
    for r in unmatched:
        report.skipped.append(
            (
                r["line"],
                _("%(address)s matches a stored address in other letter case")
                % {"address": r["email"]},
            )
        )
    chunk = [r for r in chunk if r["email"].lower() in existing]
    subscriptions = {
        s.subscriber_id: s
        for s in Subscription.objects.filter(
            newsletter=newsletter, subscriber__in=[existing[r["email"].lower()] for r in chunk]
        )
    }
    now = timezone.now()
    fresh, events = [], []
    for r in chunk:
        subscriber = existing[r["email"].lower()]
        if r["suppress"] and subscriber.suppressed_at is None:
            Subscriber.objects.filter(pk=subscriber.pk).update(suppressed_at=now)
        current = subscriptions.get(subscriber.pk)
        wanted = r["state"]
        if current is None:
            fresh.append(
                Subscription(
                    subscriber=subscriber,
                    newsletter=newsletter,
                    state=wanted,
                    source=source[:200],
                    created_at=r["at"],
                    confirmed_at=r["at"] if wanted == Subscription.State.CONFIRMED else None,
                    unsubscribed_at=now if wanted == Subscription.State.UNSUBSCRIBED else None,
                )
            )
        elif _should_change(current.state, wanted):
            services.move(current, wanted, now)
        else:
            report.unchanged += 1
            continue
        _count(report, wanted, r["suppress"])
        action = {
            Subscription.State.CONFIRMED: ConsentEvent.Action.CONFIRM,
            Subscription.State.PENDING: ConsentEvent.Action.SUBSCRIBE,
        }.get(
            wanted, ConsentEvent.Action.BOUNCE if r["suppress"] else ConsentEvent.Action.UNSUBSCRIBE
        )
        events.append(
            ConsentEvent(
                subscriber=subscriber,
                newsletter=newsletter,
                action=action,
                source=source[:200],
                at=r["at"],
            )
        )
    Subscription.objects.bulk_create(fresh)
    ConsentEvent.objects.bulk_create(events)
    added = sum(1 for s in fresh if s.state == Subscription.State.CONFIRMED)
    if added:
        type(newsletter).objects.filter(pk=newsletter.pk).update(
            audience_count=F("audience_count") + added
        )


def _find(chunk):
    """Stored subscribers for a chunk's addresses, by lower-cased address (one person, one row)."""
    lowered = [r["email"].lower() for r in chunk]
    found = Subscriber.objects.annotate(lowered=Lower("email")).filter(
        Q(lowered__in=lowered) | Q(email__in=[r["email"] for r in chunk])
    )
    return {s.email.lower(): s for s in found}


def _should_change(current, wanted):
    if wanted == Subscription.State.UNSUBSCRIBED:
        return current != Subscription.State.UNSUBSCRIBED  # withdrawals always apply
    if current == Subscription.State.UNSUBSCRIBED:
        return False  # the reader's own choice here wins over an old file
    return current == Subscription.State.PENDING and wanted == Subscription.State.CONFIRMED


def _count(report, state, suppressed):
    if suppressed:
        report.suppressed += 1
    elif state == Subscription.State.CONFIRMED:
        report.confirmed += 1
    elif state == Subscription.State.PENDING:
        report.pending += 1
    else:
        report.unsubscribed += 1
