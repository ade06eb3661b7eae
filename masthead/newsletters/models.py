"""Newsletters and the people who asked for them: subscribers, their subscriptions and consent."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin

from masthead.core import editions, mail
from masthead.core.editions import language_field
from masthead.core.keys import SingleUseKey

from .blocks import IssueBlock


class Newsletter(models.Model):
    class Cadence(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        BREAKING = "breaking", _("When news breaks")
        OCCASIONAL = "occasional", _("Occasionally")

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), max_length=400)
    language = language_field(
        _("edition"),
        help_text=_("Offered to readers of this edition, and written in its language."),
    )
    cadence = models.CharField(
        _("cadence"), max_length=20, choices=Cadence.choices, default=Cadence.DAILY
    )
    sender_name = models.CharField(_("sender name"), max_length=100)
    sender_email = models.EmailField(_("sender address"))
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    is_visible = models.BooleanField(_("offered to readers"), default=True)
    subscribe_by_default = models.BooleanField(
        _("ticked at sign-up"),
        default=False,
        help_text=_("Pre-selected in sign-up forms that offer a choice."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Confirmed subscriptions, kept by the services that change a subscription's state, so the
    # audience is known without counting a million rows (see services.recount_audiences()).
    audience_count = models.PositiveIntegerField(
        _("confirmed subscribers"), default=0, editable=False
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("language"), FieldPanel("cadence")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("sender_name"), FieldPanel("sender_email")]),
                FieldPanel("reply_to"),
            ],
            heading=_("Sender"),
        ),
        FieldRowPanel(
            [FieldPanel("is_visible"), FieldPanel("subscribe_by_default"), FieldPanel("sort_order")]
        ),
    ]

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def from_address(self):
        """The From of every e-mail about this newsletter: its sender name and address."""
        return mail.named_address(self.sender_name, self.sender_email)

    @property
    def reply_address(self):
        """Where readers' answers to this newsletter's e-mails go: its reply-to, else its sender."""
        return self.reply_to or self.sender_email


class Subscriber(models.Model):
    """One e-mail address. It exists once, whatever it signs up for and however often."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    # The edition they last signed up or asked for mail in: their e-mails are written in it.
    language = language_field(_("language"), default=editions.current)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)
    suppressed_at = models.DateTimeField(
        _("suppressed"),
        null=True,
        blank=True,
        help_text=_("Bounced or complained: never mailed again."),
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [models.UniqueConstraint(Lower("email"), name="one_subscriber_per_address")]

    def __str__(self):
        return self.email


class Subscription(models.Model):
    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    subscriber = models.ForeignKey(
        Subscriber, related_name="subscriptions", on_delete=models.CASCADE
    )
    newsletter = models.ForeignKey(
        Newsletter, related_name="subscriptions", on_delete=models.CASCADE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="one_subscription_per_newsletter"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "state"], name="subscription_audience")]

    def __str__(self):
        return f"{self.subscriber} → {self.newsletter} ({self.state})"


class Issue(PreviewableMixin, models.Model):
    """One edition of a newsletter: written in the admin, or an article sent as a newsletter."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), related_name="issues", on_delete=models.PROTECT
    )
    subject = models.CharField(_("subject line"), max_length=200)
    preheader = models.CharField(
        _("preview text"),
        max_length=200,
        blank=True,
        help_text=_("Shown after the subject line in most inboxes."),
    )
    article = models.ForeignKey(
        "content.ArticlePage",
        verbose_name=_("article to send"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Send a published article as this issue. Anything written below follows it."),
    )
    body = StreamField(IssueBlock(), verbose_name=_("body"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    # Set by the workers while they send; an issue whose workers all died is resumed from it.
    last_progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    audience_size = models.PositiveIntegerField(_("recipients"), null=True, editable=False)
    # Rendered once when sending starts; only the links and name differ per recipient.
    html = models.TextField(blank=True, editable=False)
    text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("article"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "send_at"], name="issue_due")]

    def __str__(self):
        return self.subject

    @property
    def editable(self):
        return self.state in (self.State.DRAFT, self.State.SCHEDULED)

    def get_preview_template(self, request, mode_name):
        return "newsletters/email/issue_preview.html"

    def get_preview_context(self, request, mode_name):
        from .rendering import issue_context

        return issue_context(self, preview=True)

    def serve_preview(self, request, mode_name):
        # Shown as readers will get it: in the newsletter's language, whatever the admin's is.
        response = super().serve_preview(request, mode_name)
        with translation.override(self.newsletter.language):
            return response.render() if hasattr(response, "render") else response


class Delivery(models.Model):
    """One issue to one subscriber. It exists before anything is sent, so nothing is sent twice."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        # Accepted by the mail server or provider: "submitted", not "delivered" (docs/glossary.md).
        SENT = "sent", _("Submitted")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    issue = models.ForeignKey(Issue, related_name="deliveries", on_delete=models.CASCADE)
    subscriber = models.ForeignKey(Subscriber, related_name="deliveries", on_delete=models.CASCADE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_per_person")
        ]
        indexes = [
            models.Index(fields=["issue", "state", "next_attempt_at"], name="delivery_claim"),
            models.Index(fields=["provider_message_id"], name="delivery_provider_id"),
        ]

    def __str__(self):
        return f"{self.issue} → {self.subscriber} ({self.state})"


class Confirmation(SingleUseKey):
    """A single-use, expiring link sent by e-mail: to confirm a sign-up, or to reach one's data.

    Only the key's hash is stored. A sign-up confirmation names the newsletters its e-mail listed,
    and confirms those and no others (a newsletter added later gets an e-mail of its own).
    """

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class Purpose(models.TextChoices):
        SUBSCRIBE = "subscribe", _("Confirm a subscription")
        EXPORT = "export", _("Download the reader’s data")
        ERASE = "erase", _("Delete the reader’s address")

    subscriber = models.ForeignKey(
        Subscriber, related_name="confirmations", on_delete=models.CASCADE
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.SUBSCRIBE)
    newsletters = models.ManyToManyField(Newsletter, related_name="+", blank=True)
    # When its e-mail went out: a link stored by a worker that died before sending it was never
    # seen by the reader, so it does not hold back the next e-mail (RESEND_AFTER).
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscriber", "-created_at"], name="confirmation_latest")]

    def __str__(self):
        return f"{self.purpose} for {self.subscriber}"

    @property
    def message_id(self):
        """The Message-ID of the e-mail that carries this link (the same on a second try)."""
        return mail.message_id_for(self.purpose, self.pk, self.key_hash[:12])


class ConsentEvent(models.Model):
    """What a person asked for and when: the newsroom's proof of consent."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class Action(models.TextChoices):
        SUBSCRIBE = "subscribe", _("Signed up")
        CONFIRM = "confirm", _("Confirmed")
        CHANGE = "change", _("Changed preferences")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Complained")

    subscriber = models.ForeignKey(
        Subscriber, related_name="consent_events", on_delete=models.CASCADE
    )
    newsletter = models.ForeignKey(Newsletter, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=20, choices=Action.choices)
    source = models.CharField(max_length=200, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.subscriber}: {self.action} at {self.at:%Y-%m-%d %H:%M}"


class Outbox(models.Model):
    """Not a table: the permission to read the outbox (the embedded default's mail written to
    files), as Wagtail's own `access_admin` is declared. The outbox holds members' sign-in, gift
    and preference links, so only admins read it (masthead/staff/roles.py)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("read_outbox", "Can read the outbox (sign-in, gift and preference links)")]

    def __str__(self):
        return "Outbox"
