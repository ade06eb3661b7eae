"""Reader revenue: members, their memberships and payments, gifts, the campaign and Stripe's events.

Money is kept in minor units (cents, kopiyky) as Stripe keeps it. Stripe is the truth for anything
it bills: memberships and payments here follow what Stripe says (services.sync_*), never what a
browser coming back from checkout claims.
"""

from django.contrib.admin import display as admin_display
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.core import editions
from masthead.core.editions import language_field
from masthead.core.validators import refuse_control_characters

from .money import format_money


def parse_amounts(text):
    """'5, 10, 20' -> [500, 1000, 2000] in minor units; bad parts are ignored."""
    amounts = []
    for part in str(text).replace(";", ",").split(","):
        try:
            value = round(float(part.strip()) * 100)
        except ValueError:
            continue
        if value > 0:
            amounts.append(value)
    return amounts


@register_setting(icon="pick")
class MembershipSettings(BaseSiteSetting):
    """What readers are asked to pay: currency, suggested amounts, minimums and gift prices."""

    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        help_text=_("Three letters, e.g. EUR, USD, UAH."),
    )
    monthly_amounts = models.CharField(
        _("suggested monthly amounts"), max_length=100, default="5, 10, 20"
    )
    yearly_amounts = models.CharField(
        _("suggested yearly amounts"), max_length=100, default="50, 100, 200"
    )
    one_time_amounts = models.CharField(
        _("suggested one-time amounts"), max_length=100, default="10, 25, 50"
    )
    minimum_monthly = models.DecimalField(
        _("minimum monthly amount"), max_digits=8, decimal_places=2, default=3
    )
    minimum_yearly = models.DecimalField(
        _("minimum yearly amount"), max_digits=8, decimal_places=2, default=30
    )
    minimum_one_time = models.DecimalField(
        _("minimum one-time amount"), max_digits=8, decimal_places=2, default=2
    )
    gift_price_3 = models.DecimalField(
        _("gift of 3 months"), max_digits=8, decimal_places=2, default=25
    )
    gift_price_6 = models.DecimalField(
        _("gift of 6 months"), max_digits=8, decimal_places=2, default=45
    )
    gift_price_12 = models.DecimalField(
        _("gift of 12 months"), max_digits=8, decimal_places=2, default=80
    )

    panels = [
        FieldPanel("currency"),
        MultiFieldPanel(
            [
                FieldPanel("monthly_amounts"),
                FieldPanel("yearly_amounts"),
                FieldPanel("one_time_amounts"),
            ],
            heading=_("Suggested amounts, separated by commas"),
        ),
        FieldRowPanel(
            [
                FieldPanel("minimum_monthly"),
                FieldPanel("minimum_yearly"),
                FieldPanel("minimum_one_time"),
            ]
        ),
        FieldRowPanel(
            [FieldPanel("gift_price_3"), FieldPanel("gift_price_6"), FieldPanel("gift_price_12")]
        ),
    ]

    class Meta:
        verbose_name = _("membership")

    def suggested(self, frequency):
        text = {
            "month": self.monthly_amounts,
            "year": self.yearly_amounts,
            "once": self.one_time_amounts,
        }[frequency]
        return parse_amounts(text)

    def minimum(self, frequency):
        value = {
            "month": self.minimum_monthly,
            "year": self.minimum_yearly,
            "once": self.minimum_one_time,
        }[frequency]
        return round(value * 100)

    def gift_price(self, months):
        return round(
            {3: self.gift_price_3, 6: self.gift_price_6, 12: self.gift_price_12}[months] * 100
        )


class Member(models.Model):
    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    email = models.EmailField(_("e-mail address"))
    name = models.CharField(
        _("name"), max_length=150, blank=True, validators=[refuse_control_characters]
    )
    # The edition they joined or last asked for a sign-in link in: their e-mails are written in it.
    language = language_field(_("language"), default=editions.current)
    stripe_customer_id = models.CharField(
        _("Stripe customer"), max_length=100, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)
    # Kept by services.refresh_member() from the memberships: the one answer to "is this person a
    # member now?", for the count, the appeals and the account page alike. Never typed by hand.
    is_active = models.BooleanField(_("member now"), default=False, db_index=True, editable=False)
    active_since = models.DateTimeField(_("member since"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("member")
        constraints = [models.UniqueConstraint(Lower("email"), name="member_email_unique")]

    def __str__(self):
        return self.email

    @property
    def current_membership(self):
        return self.memberships.order_by(
            models.Case(models.When(state__in=Membership.COUNTING, then=0), default=1),
            "-started_at",
        ).first()


class Membership(models.Model):
    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Recurring")
        GIFT = "gift", _("Gift")
        # Given by the newsroom in the admin (a contributor, a partner, a reader in hardship).
        COMPLIMENTARY = "complimentary", _("Added by the newsroom")

    class State(models.TextChoices):
        INCOMPLETE = "incomplete", _("Waiting for the first payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed, retrying")
        CANCELLING = "cancelling", _("Cancelled at period end")
        GIFT = "gift", _("Gift")
        ENDED = "ended", _("Ended")

    class Interval(models.TextChoices):
        MONTH = "month", _("Monthly")
        YEAR = "year", _("Yearly")

    # Those who are members now: they are counted, and appeals step back for them.
    COUNTING = (State.ACTIVE, State.PAST_DUE, State.CANCELLING, State.GIFT)

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="memberships"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, db_index=True)
    interval = models.CharField(_("billed"), max_length=10, choices=Interval.choices, blank=True)
    amount = models.PositiveIntegerField(_("amount (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_status = models.CharField(max_length=30, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    renews_at = models.DateTimeField(_("renews or ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    gift = models.OneToOneField(
        "Gift", null=True, blank=True, on_delete=models.SET_NULL, related_name="membership"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")

    def __str__(self):
        return f"{self.member} – {self.get_state_display()}"

    @property
    def counts(self):
        return self.state in self.COUNTING

    @property
    def amount_display(self):
        money = format_money(self.amount, self.currency)
        if self.interval == self.Interval.MONTH:
            return _("%(money)s a month") % {"money": money}
        if self.interval == self.Interval.YEAR:
            return _("%(money)s a year") % {"money": money}
        return money


class Payment(models.Model):
    """Money received. Kept after a member deletes their account, without their name or address."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("Membership")
        ONE_TIME = "one_time", _("One-time support")
        GIFT = "gift", _("Gift membership")

    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The payment intent identifies a payment in every flow (invoice or one-time checkout).
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True)
    stripe_invoice_id = models.CharField(max_length=100, blank=True)
    amount = models.PositiveIntegerField(_("amount (minor units)"))
    amount_refunded = models.PositiveIntegerField(_("refunded (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    paid_at = models.DateTimeField(_("paid"), default=timezone.now)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    # When the receipt e-mail went out: a task run again (its worker died) sends none twice.
    receipt_sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        ordering = ["-paid_at"]

    def __str__(self):
        return f"{self.amount_display} ({self.get_kind_display()})"

    @property
    @admin_display(description=_("amount"), ordering="amount")
    def amount_display(self):
        return format_money(self.amount, self.currency)

    @property
    @admin_display(description=_("refunded"), ordering="amount_refunded")
    def refunded_display(self):
        return format_money(self.amount_refunded, self.currency) if self.amount_refunded else ""


class Gift(models.Model):
    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class State(models.TextChoices):
        UNPAID = "unpaid", _("Not paid yet")
        PAID = "paid", _("Paid, waiting for its delivery date")
        DELIVERED = "delivered", _("Sent to the recipient")
        REDEEMED = "redeemed", _("Redeemed")
        REFUNDED = "refunded", _("Refunded")

    buyer_email = models.EmailField(_("buyer’s address"))
    buyer_name = models.CharField(
        _("buyer’s name"), max_length=150, blank=True, validators=[refuse_control_characters]
    )
    recipient_email = models.EmailField(_("recipient’s address"))
    recipient_name = models.CharField(
        _("recipient’s name"), max_length=150, blank=True, validators=[refuse_control_characters]
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    # The edition it was bought in: the recipient's e-mail is written in its language.
    language = language_field(_("language"), default=editions.current)
    months = models.PositiveSmallIntegerField(_("months"))
    deliver_on = models.DateField(_("delivery date"))
    amount = models.PositiveIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.UNPAID, db_index=True
    )
    stripe_checkout_session_id = models.CharField(max_length=100, unique=True, null=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True, null=True)
    redeem_key_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # While a worker sends its e-mail (members.services._deliver_gift): no other sends it too.
    sending_since = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = _("gift membership")

    def __str__(self):
        return _("%(months)s months for %(recipient)s") % {
            "months": self.months,
            "recipient": self.recipient_email,
        }


class StripeEvent(models.Model):
    """Each Stripe event once: its id is stored before it is handled, and handled in that transaction."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Stripe event")

    def __str__(self):
        return f"{self.type} {self.event_id}"


class SignInLink(models.Model):
    """A single-use sign-in link: the key travels only in the e-mail; we keep its hash."""

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    LIFETIME_MINUTES = 20

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sign_in_links")
    key_hash = models.CharField(max_length=64, unique=True)
    # The request that asked for it: its task, run twice, sends one link (services.send_sign_in_link).
    request_id = models.CharField(max_length=32, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"sign-in link for {self.member}"


class Campaign(models.Model):
    """A membership drive: a message, a goal and where it shows. The live one in its window runs."""

    class Goal(models.TextChoices):
        MEMBERS = "members", _("Members in total")
        NEW_MEMBERS = "new_members", _("New members during the campaign")
        AMOUNT = "amount", _("Money raised during the campaign")

    name = models.CharField(_("name"), max_length=100, help_text=_("For the newsroom only."))
    headline = models.CharField(
        _("headline"),
        max_length=140,
        help_text=_(
            'e.g. "Help us reach {goal} members". {goal} shows the target and {raised} the count '
            "so far, written as the edition’s readers write numbers (as money for a money goal), "
            "so the headline stays right when the target changes."
        ),
    )
    message = models.TextField(
        _("message"),
        max_length=600,
        blank=True,
        help_text=_("{goal} and {raised} work here too, as in the headline."),
    )
    language = language_field(
        _("edition"), help_text=_("Each edition runs its own drive, in its own language.")
    )
    goal_kind = models.CharField(
        _("goal"), max_length=20, choices=Goal.choices, default=Goal.MEMBERS
    )
    goal = models.PositiveIntegerField(
        _("target"), help_text=_("A number of members, or an amount in whole currency units.")
    )
    count_shown_from = models.PositiveIntegerField(
        _("show the count from"),
        default=1,
        help_text=_(
            "Hide the count and its bar until the drive reaches this number (members, or whole "
            "currency units), so readers never see a drive stuck at zero. 0 always shows it."
        ),
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    live = models.BooleanField(_("live"), default=True)
    show_banner = models.BooleanField(_("site-wide banner"), default=True)
    show_in_articles = models.BooleanField(_("appeal in articles"), default=True)
    show_on_home = models.BooleanField(_("on the home page"), default=True)
    join_label = models.CharField(
        _("‘become a member’ button"), max_length=60, default=_("Become a member"), blank=True
    )
    gift_label = models.CharField(
        _("‘gift’ button"), max_length=60, default=_("Gift a membership"), blank=True
    )
    once_label = models.CharField(
        _("‘support once’ button"), max_length=60, default=_("Support us once"), blank=True
    )
    thank_you = models.CharField(
        _("thank-you for members"),
        max_length=200,
        blank=True,
        default=_("Thank you for being a member. You make this journalism possible."),
        help_text=_("Shown to members instead of the appeal. Leave empty to show them nothing."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("language")]),
        FieldPanel("headline"),
        FieldPanel("message"),
        FieldRowPanel(
            [FieldPanel("goal_kind"), FieldPanel("goal"), FieldPanel("count_shown_from")]
        ),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("live")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("show_banner"),
                        FieldPanel("show_in_articles"),
                        FieldPanel("show_on_home"),
                    ]
                ),
            ],
            heading=_("Where it shows"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("join_label"),
                FieldPanel("gift_label"),
                FieldPanel("once_label"),
            ],
            heading=_("Buttons (leave a label empty to hide its button)"),
        ),
        FieldPanel("thank_you"),
    ]

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .services import progress_changed

        progress_changed()  # the site shows the edited campaign at once

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .services import progress_changed

        progress_changed()
        return result
