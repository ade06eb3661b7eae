import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from masthead.core.validators import refuse_control_characters
from masthead.newsletters import services as newsletter_services

from . import services
from .models import Gift
from .money import format_money
from .services import FREQUENCIES, GIFT_MONTHS

SPACES = re.compile(r"[\s\u00a0\u202f]")  # "1 000", as readers may write it
AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
MOST_DIGITS = 9  # above any amount taken online; never arithmetic on what a stranger typed


def minor_units(text):
    """An amount typed as digits ("12", "12.5", "12.50") in minor units, or None if it is not one.

    Only plain digits: Decimal would take "9e999999" and spend minutes building the number."""
    match = AMOUNT.fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.groups()
    whole = whole.lstrip("0") or "0"
    if len(whole) > MOST_DIGITS:
        return 10**MOST_DIGITS * 100  # more than can be taken, said as such
    return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))


class AddressField(forms.CharField):
    """An e-mail address checked the way newsletter sign-ups are (syntax only), refused in plain
    words rather than the validator's."""

    def __init__(self, *, autocomplete="email", **kwargs):
        messages = kwargs.pop("error_messages", {})
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.EmailInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
        )
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "required": _("Enter the e-mail address."),
                "max_length": _("That address is too long to be an e-mail address."),
                **messages,
            }
        )

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return newsletter_services.normalise_address(value)
        except newsletter_services.InvalidAddress as error:
            raise forms.ValidationError(
                _(
                    "This does not look like an e-mail address. Check it: it looks like name@example.org."
                )
            ) from error


class NameField(forms.CharField):
    """A person's name, on one line: it goes into e-mail subjects and greetings."""

    default_validators = [refuse_control_characters]

    def __init__(self, *, required_message, autocomplete="off", **kwargs):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": autocomplete}))
        super().__init__(**kwargs)
        self.error_messages.update(
            required=required_message,
            max_length=_("Shorten the name to 150 characters or fewer."),
        )


class JoinForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("month", _("Monthly")), ("year", _("Yearly")), ("once", _("Once"))],
        initial="month",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose monthly, yearly or once."),
            "invalid_choice": _("Choose monthly, yearly or once."),
        },
    )
    amount = forms.CharField(label=_("Amount"), required=False)
    custom_amount = forms.CharField(
        label=_("Other amount"),
        required=False,
        max_length=12,
        error_messages={"max_length": _("Enter the amount in numbers, like 12 or 12.50.")},
    )
    email = AddressField(
        label=_("E-mail address"), error_messages={"required": _("Enter your e-mail address.")}
    )

    def __init__(self, *args, config, **kwargs):
        super().__init__(*args, **kwargs)
        self.config = config

    def clean(self):
        cleaned = super().clean()
        frequency = cleaned.get("frequency")
        if frequency not in FREQUENCIES:
            return cleaned
        chosen = cleaned.get("amount") or ""
        if chosen and chosen != "other":
            try:
                minor = int(chosen)
            except ValueError:
                minor = None
            if minor not in self.config.suggested(frequency):
                self.add_error("amount", _("Choose one of the amounts, or enter another."))
                return cleaned
        else:
            text = SPACES.sub("", cleaned.get("custom_amount") or "").replace(",", ".")
            if not text:
                self.add_error("custom_amount", _("Choose an amount, or enter one here."))
                return cleaned
            minor = minor_units(text)
            if minor is None:
                self.add_error("custom_amount", _("Enter the amount in numbers, like 12 or 12.50."))
                return cleaned
        minimum = self.config.minimum(frequency)
        if minor < minimum:
            field = "custom_amount" if not chosen or chosen == "other" else "amount"
            self.add_error(
                field,
                _("The smallest amount we can take is %(minimum)s.")
                % {"minimum": format_money(minimum, self.config.currency)},
            )
        elif minor > 100_000_00:
            self.add_error("custom_amount", _("That is more than we can take online."))
        else:
            cleaned["minor_amount"] = minor
        return cleaned


class GiftForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        choices=[(m, _("%(n)s months") % {"n": m}) for m in GIFT_MONTHS],
        widget=forms.RadioSelect,
        initial=12,
        error_messages={
            "required": _("Choose how long the gift lasts."),
            "invalid_choice": _("Choose how long the gift lasts."),
        },
    )
    recipient_name = NameField(
        label=_("Their name"), required_message=_("Enter the name of the person you give it to.")
    )
    recipient_email = AddressField(
        label=_("Their e-mail address"),
        autocomplete="off",  # not the buyer's own address
        error_messages={"required": _("Enter their e-mail address: the gift is sent there.")},
    )
    message = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"max_length": _("Shorten the message to 1,000 characters or fewer.")},
    )
    deliver_on = forms.DateField(
        label=_("Send it on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Choose the day we send it."),
            "invalid": _("Enter a date like 2026-12-24."),
        },
    )
    buyer_name = NameField(
        label=_("Your name"),
        autocomplete="name",
        required_message=_("Enter your name: the e-mail tells them who the gift is from."),
    )
    buyer_email = AddressField(
        label=_("Your e-mail address"),
        error_messages={"required": _("Enter your e-mail address: the receipt goes there.")},
    )

    def clean_deliver_on(self):
        day = self.cleaned_data["deliver_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Choose today or a day to come."))
        if day > today + timedelta(days=366):
            raise forms.ValidationError(_("Choose a day within the next year."))
        return day


class SignInForm(forms.Form):
    email = AddressField(
        label=_("E-mail address"), error_messages={"required": _("Enter your e-mail address.")}
    )


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my membership ends now and my account is erased"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class MemberAdminForm(WagtailAdminModelForm):
    """A member in the admin. Staff give a membership here (a contributor, a partner); whether
    someone is a member now follows from their memberships and is never ticked by hand."""

    complimentary = forms.BooleanField(
        label=_("Member by the newsroom’s decision"),
        required=False,
        help_text=_("For people you give a membership to. Paying members need nothing here."),
    )
    complimentary_until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day of the membership. Leave empty for no end."),
        error_messages={"invalid": _("Enter a date like 2026-12-24.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The address is how a member signs in: whoever could change it could sign in as them
            # (and open their billing). One stolen staff password must not be that.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "How this member signs in, so it is not changed here. A member with a new "
                "address joins or signs up with it."
            )
        given = services.complimentary_membership(self.instance)
        if given is not None:
            self.initial.setdefault("complimentary", True)
            if given.renews_at:
                self.initial.setdefault(
                    "complimentary_until", timezone.localtime(given.renews_at).date()
                )

    def clean_complimentary_until(self):
        until = self.cleaned_data.get("complimentary_until")
        if until and until < timezone.localdate() and self.cleaned_data.get("complimentary"):
            raise forms.ValidationError(_("Choose today or a day to come."))
        return until

    def save(self, commit=True):
        member = super().save(commit=commit)
        if commit:
            services.keep_complimentary_membership(
                member,
                given=self.cleaned_data.get("complimentary", False),
                until=self.cleaned_data.get("complimentary_until"),
            )
        return member


class GiftAdminForm(WagtailAdminModelForm):
    """A gift in the admin: who it goes to and when may be corrected until it is sent. From then
    on its link is bound to the address it went to, and nothing about it changes here."""

    CORRECTABLE = ("recipient_name", "recipient_email", "deliver_on", "message")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_to_correction = self.instance.state in (Gift.State.UNPAID, Gift.State.PAID)
        for name in self.CORRECTABLE:
            if name in self.fields:
                self.fields[name].disabled = not open_to_correction
