"""What the newsroom does to get an issue out: schedule it, start it, deliver it, exactly once a person.

How a send works (docs/glossary.md has the words):

1. `start_sending()` renders the issue once, then writes one Delivery row per recipient in a single
   INSERT ... SELECT, all in one transaction. From then on the rows are the truth: nothing is sent
   that has no row, and a row says what happened to its message.
2. Workers run `deliver()`. Each claims a small batch of due rows (SELECT ... FOR UPDATE SKIP LOCKED
   on PostgreSQL, so parallel workers never take the same row; SQLite's single writer serialises
   claims), marks them `sending` with a lease, sends each message and marks it `sent` at once.
3. A worker killed mid-batch leaves at most its batch in `sending`. The worker's lease keeper
   renews the batch's claim every few seconds while the worker lives (core/leases.py), so a dead
   worker's claim runs out within TASK_LEASE_SECONDS, and its deliver task is handed back to the
   queue as every task is: the send goes on within about 15 s of a crash. `resume_stalled()`
   (run by the scheduler) restarts a send whose tasks were lost all the same.
   The one message in flight at the moment of death may reach an SMTP server twice; it carries
   the same Message-ID both times, so mailboxes show it once (docs/decisions/0003 explains why
   SMTP allows no better). The file backend and providers that take an idempotency key are
   exact: the repeat is recognised by its Message-ID and not delivered (core/mailfiles.py,
   core/mail.py).
4. Temporary failures (4xx, a dropped connection) go back in the queue with exponential backoff;
   permanent ones (5xx) are recorded and never retried.
"""

import logging
import re
import secrets
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from html import escape as html_escape

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masthead.core import leases
from masthead.core import mail as transactional

from . import links, rendering
from .models import Delivery, Issue, Subscriber, Subscription

logger = logging.getLogger("masthead.newsletters")


def setting(name, default):
    return getattr(settings, name, default)


class IssueNotReady(ValueError):
    """The issue cannot be sent as it is; the message says why, for the editor."""


class ConnectionTrouble(Exception):
    """The mail server or provider cannot be reached: stop this batch and try again later."""


class IssueMessage(EmailMultiAlternatives):
    """An e-mail whose long headers stay on one line (List-Unsubscribe must not be folded).

    With a `boundary` (one random string per issue) the MIME parts are written once; without it
    Python's generator writes every part twice to find a boundary the content does not contain,
    a fifth of the cost of building each message.
    """

    boundary = None

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        msg.policy = msg.policy.clone(max_line_length=998)
        if self.boundary and msg.is_multipart():
            msg.set_boundary(self.boundary)
        return msg


# --- Editors' actions --------------------------------------------------------------------------


def check_ready(issue):
    if not issue.article_id and not issue.body:
        raise IssueNotReady(_("Add an article or write something in the body before sending."))
    if issue.article_id and not issue.article.live:
        raise IssueNotReady(_("The article is not published. Publish it first, then send."))


@transaction.atomic
def schedule(issue, send_at):
    """Schedule an issue; the worker's scheduler starts it when the time comes."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.editable:
        raise IssueNotReady(_("This issue has already been sent or is being sent."))
    if send_at <= timezone.now():
        raise IssueNotReady(_("Choose a time in the future, or send it now."))
    check_ready(issue)
    issue.state, issue.send_at = Issue.State.SCHEDULED, send_at
    issue.save(update_fields=["state", "send_at"])
    return issue


@transaction.atomic
def unschedule(issue):
    updated = Issue.objects.filter(pk=issue.pk, state=Issue.State.SCHEDULED).update(
        state=Issue.State.DRAFT, send_at=None
    )
    return bool(updated)


def send_now(issue):
    """Start sending an issue to its whole audience. Returns the number of recipients."""
    started = start_sending(issue)
    if started:
        enqueue_workers(issue)
    return Issue.objects.get(pk=issue.pk).audience_size or 0


def send_test(issue, address):
    """Send the issue to one address (the editor's own) without touching any delivery record."""
    with translation.override(issue.newsletter.language):
        _send_test(issue, address)


def _send_test(issue, address):
    check_ready(issue)
    html, text = rendering.render_issue(issue)
    # The editor is not a subscriber: the reader's links lead to the newsletters page instead.
    newsletters_page = settings.SITE_URL + reverse("newsletters:signup")
    html, text = rendering.personalise(
        html, text, unsubscribe_url=newsletters_page, preferences_url=newsletters_page
    )
    message = _build_message(
        issue,
        to=address,
        html=html,
        text=text,
        message_id=None,
        unsubscribe_url=newsletters_page,
    )
    message.subject = _("[Test] %(subject)s") % {"subject": issue.subject}
    # Sent because an editor asked: a transactional message, stamped as every one is (its
    # Reply-To is the issue's own, as the real send's).
    transactional.stamp(message)
    message.send()


# --- Starting a send ---------------------------------------------------------------------------


def start_sending(issue):
    """Render the issue and write its delivery rows; returns False if it was already started."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("newsletter").get(pk=issue.pk)
        if issue.state not in (Issue.State.DRAFT, Issue.State.SCHEDULED):
            return False
        check_ready(issue)
        now = timezone.now()
        issue.started_at = issue.last_progress_at = now
        with translation.override(issue.newsletter.language):  # written in its edition's language
            issue.html, issue.text = rendering.render_issue(issue)
        issue.state = Issue.State.SENDING
        issue.audience_size = _create_deliveries(issue, now)
        issue.save(
            update_fields=[
                "state",
                "started_at",
                "last_progress_at",
                "html",
                "text",
                "audience_size",
            ]
        )
    logger.info("Sending issue %s to %s readers", issue.pk, issue.audience_size)
    return True


def _create_deliveries(issue, now):
    """One row per confirmed, unsuppressed subscriber, in one statement (100,000 rows in ~1 s)."""
    delivery, subscription = Delivery._meta.db_table, Subscription._meta.db_table
    subscriber = Subscriber._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {delivery}
                (issue_id, subscriber_id, state, attempts, next_attempt_at, error,
                 provider_message_id)
            SELECT %s, s.subscriber_id, %s, 0, %s, '', ''
            FROM {subscription} s JOIN {subscriber} r ON r.id = s.subscriber_id
            WHERE s.newsletter_id = %s AND s.state = %s AND r.suppressed_at IS NULL
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names come from the models, values are parameters
            [
                issue.pk,
                Delivery.State.QUEUED,
                now,
                issue.newsletter_id,
                Subscription.State.CONFIRMED,
            ],
        )
        # Rows this statement inserted: no second pass over 100,000 rows to count them.
        return cursor.rowcount


def enqueue_workers(issue, *, run_after=None):
    """Ask for parallel deliver tasks; each one takes rows until none are left."""
    from . import tasks

    task = tasks.deliver_issue
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # e.g. immediate tasks in tests: the scheduler's resume_stalled() picks it up
        task = task.using(run_after=run_after)
    for _n in range(max(1, setting("NEWSLETTER_PARALLEL_SENDERS", 2))):
        task.enqueue(issue.pk)


def start_due_issues():
    """Start every scheduled issue whose time has come (run by the worker's scheduler)."""
    due = Issue.objects.filter(state=Issue.State.SCHEDULED, send_at__lte=timezone.now())
    started = 0
    for issue in due:
        if start_sending(issue):
            enqueue_workers(issue)
            started += 1
    return started


def resume_stalled():
    """Restart sends whose tasks were lost: no progress (nor a live claim renewed) for three
    task leases. A spare deliver task finds nothing due and ends; a missing one stalls a send."""
    now = timezone.now()
    stale = now - leases.lease_length() * 3
    resumed = 0
    for issue in Issue.objects.filter(state=Issue.State.SENDING, last_progress_at__lt=stale):
        # Waiting for a retry time (the mail server is down) is not a stall: its deferred task
        # comes then, and spare ones every round would pile up for it.
        if not _due(Delivery.objects.filter(issue=issue), now).exists():
            continue
        Issue.objects.filter(pk=issue.pk).update(last_progress_at=now)
        enqueue_workers(issue)
        resumed += 1
    return resumed


# --- Delivering --------------------------------------------------------------------------------


def lease():
    """How long a claim lasts when nobody renews it (no lease keeper in this process)."""
    return timedelta(seconds=setting("NEWSLETTER_CLAIM_LEASE", 120))


@dataclass
class Claimed:
    id: int
    subscriber_id: int
    email: str
    name: str
    attempts: int
    still_wanted: bool


def claim(issue, size, claim_lease=None):
    """Take up to `size` due rows for this worker; no other worker gets them until the lease ends."""
    now = timezone.now()
    claim_lease = claim_lease or lease()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(issue_id=issue.pk)
            .filter(
                Q(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
                | Q(state=Delivery.State.SENDING, claimed_until__lt=now)
            )
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            state=Delivery.State.SENDING, claimed_until=now + claim_lease
        )
    rows = list(
        Delivery.objects.filter(id__in=ids)
        .order_by("id")
        .values_list("id", "subscriber_id", "subscriber__email", "subscriber__name", "attempts")
    )
    # Readers who left or bounced after the send began are skipped, not mailed.
    wanted = set(
        Subscription.objects.filter(
            newsletter_id=issue.newsletter_id,
            state=Subscription.State.CONFIRMED,
            subscriber_id__in=[row[1] for row in rows],
            subscriber__suppressed_at__isnull=True,
        ).values_list("subscriber_id", flat=True)
    )
    return [Claimed(*row, still_wanted=row[1] in wanted) for row in rows]


def deliver(issue_id, *, time_budget=None):
    """Send queued messages of one issue until none are due or the time budget is spent.

    Idempotent and safe to run in any number of workers at once. Returns a short status word.
    """
    issue = Issue.objects.select_related("newsletter").filter(pk=issue_id).first()
    if issue is None or issue.state != Issue.State.SENDING:
        return "not sending"
    # Greetings and the reader's links are in the newsletter's language, like the issue itself.
    with translation.override(issue.newsletter.language):
        return _deliver(issue, time_budget)


def _deliver(issue, time_budget):
    batch_size = setting("NEWSLETTER_BATCH_SIZE", 50)
    deadline = time.monotonic() + time_budget if time_budget else None
    mail = get_connection()
    try:
        # One connection for the whole run; unopened, Django's backends connect once per message.
        mail.open()
    except Exception:  # noqa: BLE001 - the first send meets the same error and classifies it
        logger.debug("Opening the mail connection failed", exc_info=True)
    prepared = PreparedIssue.for_backend(issue, mail)
    claimed = []  # the batch in hand, whose claim the lease keeper renews

    def renew(until):
        ids = list(claimed)
        if ids:
            Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
                claimed_until=until
            )
        Issue.objects.filter(pk=issue.pk, state=Issue.State.SENDING).update(
            last_progress_at=timezone.now()
        )

    try:
        with leases.kept(renew) as renewed:
            while deadline is None or time.monotonic() < deadline:
                batch = claim(issue, batch_size, renewed)
                if not batch:
                    break
                claimed[:] = [row.id for row in batch]
                # Unrenewed, stop well before the claim ends, or another worker could take over.
                lease_deadline = (
                    None if renewed else time.monotonic() + lease().total_seconds() * 0.75
                )
                try:
                    _deliver_batch(issue, batch, mail, lease_deadline, prepared)
                except ConnectionTrouble:
                    break
                finally:
                    claimed.clear()
                    Issue.objects.filter(pk=issue.pk).update(last_progress_at=timezone.now())
    finally:
        try:
            mail.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone anyway
            logger.debug("Closing the mail connection failed", exc_info=True)
    return finish_or_continue(issue)


def _due(deliveries, now):
    """The rows any worker may take now: queued and due, or claimed by a worker that died."""
    return deliveries.filter(
        Q(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
        | Q(state=Delivery.State.SENDING, claimed_until__lt=now)
    )


def finish_or_continue(issue):
    """Mark the issue sent when every row is settled, or arrange for the rest to be sent."""
    now = timezone.now()
    pending = Delivery.objects.filter(
        issue=issue, state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]
    )
    if not pending.exists():
        Issue.objects.filter(pk=issue.pk, state=Issue.State.SENDING).update(
            state=Issue.State.SENT, finished_at=now, last_progress_at=now
        )
        return "sent"
    due_now = _due(pending, now).exists()
    if due_now:
        enqueue_workers(issue)
        return "continuing"
    retry_at = pending.filter(state=Delivery.State.QUEUED).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]
    if retry_at is not None:
        enqueue_workers(issue, run_after=retry_at)
        return "retrying later"
    return "others sending"  # rows claimed by live workers; the last of them finishes the issue


def _deliver_batch(issue, batch, mail, lease_deadline, prepared=None):
    for position, row in enumerate(batch):
        if lease_deadline is not None and time.monotonic() > lease_deadline:
            _release(batch[position:], delay=0)
            return
        if not row.still_wanted:
            _settle(row, Delivery.State.SKIPPED, error=_("Unsubscribed before it was sent."))
            continue
        try:
            provider_id = _send_one(issue, row, mail, prepared)
        except Exception as error:
            kind, reason = classify(error)
            if kind == "permanent":
                _settle(row, Delivery.State.FAILED, error=reason)
            else:
                _retry_later(row, reason)
            if kind == "connection":
                _release(batch[position + 1 :])
                logger.warning(
                    "Mail server unreachable while sending issue %s: %s", issue.pk, reason
                )
                raise ConnectionTrouble(reason) from error
            continue
        _settle(row, Delivery.State.SENT, provider_message_id=provider_id)


def _send_one(issue, row, mail, prepared=None):
    # Each link does one job (links.py): this one only unsubscribes, that one expires.
    unsubscribe_url = links.unsubscribe_url(row.subscriber_id, issue)
    preferences_url = links.preferences_url(row.subscriber_id)
    if prepared is not None:
        raw = prepared.for_reader(
            email=row.email,
            name=row.name,
            message_id=message_id(issue, row.subscriber_id),
            unsubscribe_url=unsubscribe_url,
            preferences_url=preferences_url,
        )
        if raw is not None:
            mail.send_raw(prepared.sender, [_address(row.email)], raw)
            return ""
    html, text = rendering.personalise(
        issue.html,
        issue.text,
        unsubscribe_url=unsubscribe_url,
        preferences_url=preferences_url,
        name=row.name,
    )
    message = _build_message(
        issue,
        to=row.email,
        html=html,
        text=text,
        message_id=message_id(issue, row.subscriber_id),
        unsubscribe_url=unsubscribe_url,
    )
    mail.send_messages([message])
    status = getattr(message, "anymail_status", None)
    return (getattr(status, "message_id", None) or "")[:200] if status else ""


def _address(email):
    """The address as it goes in a header or the envelope (Django's rules for unusual ones)."""
    if email.isascii() and not _UNUSUAL_ADDRESS.search(email):
        return email
    return sanitize_address(email, settings.DEFAULT_CHARSET)


_UNUSUAL_ADDRESS = re.compile(r'[\s"<>,;()\[\]\\]')


class PreparedIssue:
    """An issue's e-mail written out once as bytes, copied per reader with their parts spliced in.

    Building a MIME message with Python's email package costs about a millisecond; replacing a
    few tokens in bytes costs a few microseconds. The copy is exactly what the slow path would
    build: the template is made by the same `_build_message`, with marker tokens for the reader's
    address, Message-ID, Date, links and greeting, and it is only used when every marker came
    through the MIME encoding intact (bodies in 7 or 8 bit, not quoted-printable or base64).
    Otherwise, or when a spliced line would be too long, the reader gets the slow path.
    """

    TO = "masthead-reader@prepared.invalid"
    MESSAGE_ID = "<masthead-message-id@prepared.invalid>"
    DATE = "MASTHEADDATE"
    HEADER_UNSUBSCRIBE = "MASTHEADHEADERUNSUBSCRIBE"
    HTML = {
        "unsubscribe": "MASTHEADHTMLUNSUBSCRIBE",
        "preferences": "MASTHEADHTMLPREFERENCES",
        "greeting": "MASTHEADHTMLGREETING",
    }
    TEXT = {
        "unsubscribe": "MASTHEADTEXTUNSUBSCRIBE",
        "preferences": "MASTHEADTEXTPREFERENCES",
        "greeting": "MASTHEADTEXTGREETING",
    }

    def __init__(self, issue, raw, sender):
        self.issue = issue
        self.raw = raw
        self.sender = sender
        tokens = [self.TO, self.MESSAGE_ID, self.DATE, self.HEADER_UNSUBSCRIBE]
        tokens += [*self.HTML.values(), *self.TEXT.values()]
        self.pattern = re.compile(b"|".join(re.escape(t.encode()) for t in tokens))

    @classmethod
    def for_backend(cls, issue, mail):
        """The prepared issue if this backend can send bytes, else None (anymail, locmem...)."""
        if not hasattr(mail, "send_raw") or not issue.html:
            return None
        html = _swap_placeholders(issue.html, cls.HTML)
        text = _swap_placeholders(issue.text, cls.TEXT)
        message = _build_message(
            issue,
            to=cls.TO,
            html=html,
            text=text,
            message_id=cls.MESSAGE_ID,
            unsubscribe_url=cls.HEADER_UNSUBSCRIBE,
        )
        message.extra_headers["Date"] = cls.DATE
        raw = message.message().as_bytes(linesep="\r\n")
        # A 7bit part is ASCII; readers' names may not be. 8bit is true of ASCII too.
        raw = raw.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
        expected = {cls.TO: 1, cls.MESSAGE_ID: 1, cls.DATE: 1, cls.HEADER_UNSUBSCRIBE: 1}
        for token in cls.HTML.values():
            expected[token] = html.count(token)
        for token in cls.TEXT.values():
            expected[token] = text.count(token)
        if any(raw.count(token.encode()) != n for token, n in expected.items()):
            logger.info("Issue %s is sent the slow way: its encoding hides the markers", issue.pk)
            return None
        sender = sanitize_address(message.from_email, settings.DEFAULT_CHARSET)
        return cls(issue, raw, sender)

    def for_reader(self, *, email, name, message_id, unsubscribe_url, preferences_url):
        headers = {
            self.TO: _address(email),
            self.MESSAGE_ID: message_id,
            self.DATE: transactional.date_header(),
            self.HEADER_UNSUBSCRIBE: unsubscribe_url,
        }
        if any("\r" in value or "\n" in value for value in headers.values()):
            return None  # never a line break in a header: Django's path refuses it in words
        greeting_text, greeting_html = rendering.greetings(name)
        bodies = {
            self.HTML["unsubscribe"]: html_escape(unsubscribe_url),
            self.HTML["preferences"]: html_escape(preferences_url),
            self.HTML["greeting"]: greeting_html,
            self.TEXT["unsubscribe"]: unsubscribe_url,
            self.TEXT["preferences"]: preferences_url,
            self.TEXT["greeting"]: greeting_text,
        }
        encoded = {token.encode(): value.encode() for token, value in headers.items()}
        for token, value in bodies.items():  # SMTP wants CRLF line ends, as the template has
            encoded[token.encode()] = value.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        raw = self.pattern.sub(lambda match: encoded[match.group(0)], self.raw)
        if max(map(len, raw.split(b"\r\n"))) > 998:  # SMTP's line limit: let Django encode it
            return None
        return raw


def _swap_placeholders(rendered, tokens):
    return (
        rendered.replace(rendering.UNSUBSCRIBE_PLACEHOLDER, tokens["unsubscribe"])
        .replace(rendering.PREFERENCES_PLACEHOLDER, tokens["preferences"])
        .replace(rendering.GREETING_PLACEHOLDER, tokens["greeting"])
    )


def message_id(issue, subscriber_id):
    """The same Message-ID every time this issue goes to this reader, at the site's domain: a
    resend after a crash is recognisably the same message, mailboxes that see it twice keep one,
    and the file backend and idempotent providers do not deliver it again."""
    return transactional.message_id_for("issue", issue.pk, f"reader-{subscriber_id}")


def _build_message(issue, *, to, html, text, message_id, unsubscribe_url):
    newsletter = issue.newsletter
    domain = newsletter.sender_email.rpartition("@")[2] or "localhost"
    # Only a mailbox the operator names, one someone acts on: the newsletter's reply-to is a desk
    # that reads answers, and nothing here unsubscribes whoever writes "unsubscribe" to it.
    mailto = setting("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
    unsubscribe = f"<{unsubscribe_url}>"
    if mailto:
        unsubscribe += f",<mailto:{mailto}?subject=unsubscribe>"
    headers = {
        "List-Id": f"{_header_phrase(newsletter.name)} <{newsletter.slug}.{domain}>",
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message_id:
        headers["Message-ID"] = message_id
        headers.update(transactional.idempotency_headers(message_id))
    # Python's default Date says "-0000", time zone unknown, which spam filters count against us.
    headers["Date"] = transactional.date_header()
    message = IssueMessage(
        subject=issue.subject,
        body=text,
        from_email=newsletter.from_address,
        to=[to],
        reply_to=[newsletter.reply_address],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    boundary = _boundary(issue)
    if boundary not in html and boundary not in text:  # names and links are the reader's own
        message.boundary = boundary
    return message


def _boundary(issue):
    if not getattr(issue, "_mime_boundary", None):
        issue._mime_boundary = f"==masthead-{secrets.token_hex(16)}=="
    return issue._mime_boundary


def _header_phrase(text):
    """Quote a newsletter's name for List-Id; editors' names may hold commas, quotes or line breaks."""
    clean = " ".join(str(text).split()).replace("\\", "").replace('"', "'")
    return f'"{clean}"'


def classify(error):
    """Sort a sending error into 'permanent', 'temporary' or 'connection', with a reason to show."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, response = next(iter(error.recipients.values()), (450, b""))
        reason = f"{code} {_text(response)}"
        return ("permanent" if code >= 500 else "temporary"), reason
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        if isinstance(error, smtplib.SMTPConnectError) or error.smtp_code == 421:
            return "connection", reason
        return ("permanent" if error.smtp_code >= 500 else "temporary"), reason
    if isinstance(error, AnymailRecipientsRefused):
        return "permanent", str(error)[:500]
    if isinstance(error, AnymailError):
        return "temporary", str(error)[:500]
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        return "connection", str(error) or error.__class__.__name__
    return "temporary", f"{error.__class__.__name__}: {error}"[:500]


def _text(response):
    return response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)


def _settle(row, state, *, error="", provider_message_id=""):
    Delivery.objects.filter(pk=row.id).update(
        state=state,
        sent_at=timezone.now() if state == Delivery.State.SENT else None,
        claimed_until=None,
        error=error[:1000],
        provider_message_id=provider_message_id,
    )


def _retry_later(row, reason):
    attempts = row.attempts + 1
    limit = setting("NEWSLETTER_MAX_ATTEMPTS", 6)
    if attempts >= limit:
        _settle(
            row,
            Delivery.State.FAILED,
            error=_("Gave up after %(n)s attempts: %(reason)s") % {"n": attempts, "reason": reason},
        )
        return
    base = setting("NEWSLETTER_RETRY_BASE", 60)
    delay = min(base * 2 ** (attempts - 1), 6 * 3600)
    Delivery.objects.filter(pk=row.id).update(
        state=Delivery.State.QUEUED,
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claimed_until=None,
        error=reason[:1000],
    )


def _release(rows, *, delay=None):
    """Give back rows this worker claimed but did not try, without counting an attempt.

    They are due again after `delay` seconds: at once when the lease is running out (another
    worker may take them), after the retry interval when the mail server is unreachable.
    """
    if rows:
        if delay is None:
            delay = setting("NEWSLETTER_RETRY_BASE", 60)
        Delivery.objects.filter(id__in=[r.id for r in rows], state=Delivery.State.SENDING).update(
            state=Delivery.State.QUEUED,
            claimed_until=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )


# --- Watching ----------------------------------------------------------------------------------


def progress(issue):
    """Counts for the editor watching a send: one aggregate query over the issue's rows."""
    counts = Delivery.objects.filter(issue=issue).aggregate(
        queued=Count("id", filter=Q(state__in=[Delivery.State.QUEUED, Delivery.State.SENDING])),
        sent=Count("id", filter=Q(state=Delivery.State.SENT)),
        failed=Count("id", filter=Q(state=Delivery.State.FAILED)),
        skipped=Count("id", filter=Q(state=Delivery.State.SKIPPED)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
    )
    counts["total"] = issue.audience_size or 0
    return counts
