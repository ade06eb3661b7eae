from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.newsletters import services as newsletter_services

from .money import format_money
from .services import FREQUENCIES, GIFT_MONTHS


class AddressField(forms.CharField):
    """An e-mail address checked the way newsletter sign-ups are (syntax only, with a clear reason)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 320)
        kwargs.setdefault(
            "widget", forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return newsletter_services.normalise_address(value)
        except newsletter_services.InvalidAddress as error:
            raise forms.ValidationError(str(error)) from error


class JoinForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("month", _("Monthly")), ("year", _("Yearly")), ("once", _("Once"))],
        initial="month",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose monthly, yearly or once.")},
    )
    amount = forms.CharField(label=_("Amount"), required=False)
    custom_amount = forms.CharField(label=_("Other amount"), required=False, max_length=12)
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
            text = (cleaned.get("custom_amount") or "").strip().replace(",", ".")
            if not text:
                self.add_error("custom_amount", _("Choose an amount, or enter one here."))
                return cleaned
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.add_error("custom_amount", _("Enter the amount in numbers, like 12 or 12.50."))
                return cleaned
            minor = int((value * 100).to_integral_value())
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
        error_messages={"required": _("Choose how long the gift lasts.")},
    )
    recipient_name = forms.CharField(label=_("Their name"), max_length=150)
    recipient_email = AddressField(label=_("Their e-mail address"))
    message = forms.CharField(
        label=_("Your message"), required=False, max_length=1000, widget=forms.Textarea
    )
    deliver_on = forms.DateField(
        label=_("Send it on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-12-24.")},
    )
    buyer_name = forms.CharField(label=_("Your name"), max_length=150)
    buyer_email = AddressField(label=_("Your e-mail address"))

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
