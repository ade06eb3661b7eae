from django import forms
from django.db import connection
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Newsletter

NOT_OFFERED = _("Choose from the newsletters listed on this page.")


class NewsletterChoiceField(forms.ModelMultipleChoiceField):
    """Ticked newsletters. A value that is not one on offer gets words, never a database error."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_list": NOT_OFFERED,
        "invalid_choice": NOT_OFFERED,
        "invalid_pk_value": NOT_OFFERED,
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Newsletter.objects.none(), required=False, **kwargs)

    def _check_values(self, value):
        # A number past the id column's range (2**63 and up) would reach the database and fail
        # there (SQLite: OverflowError); no newsletter has such an id.
        low, high = connection.ops.integer_field_range(Newsletter._meta.pk.get_internal_type())
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                raise forms.ValidationError(NOT_OFFERED, code="invalid_pk_value") from None
            if not low <= number <= high:
                raise forms.ValidationError(NOT_OFFERED, code="invalid_choice")
        return super()._check_values(value)


class SignupForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "max_length": _("That is too long to be an e-mail address."),
        },
    )
    newsletters = NewsletterChoiceField(label=_("Newsletters"))
    # A field people never see; bots fill it in. Anything in it means the sign-up is quietly dropped.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = services.offered_newsletters()

    def clean_email(self):
        try:
            return services.normalise_address(self.cleaned_data["email"])
        except services.InvalidAddress as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # Worked out once: the boxes ticked, or else the newsletters ticked by default.
            cleaned["chosen"] = (
                list(cleaned.get("newsletters") or []) or services.default_newsletters()
            )
            if not cleaned["chosen"]:
                raise forms.ValidationError(
                    _("There is no newsletter to sign up for yet. Please come back soon.")
                )
        return cleaned

    def is_bot(self):
        return bool(self.cleaned_data.get("website"))

    def chosen_newsletters(self):
        return self.cleaned_data["chosen"]


class PreferencesForm(forms.Form):
    newsletters = NewsletterChoiceField(label=_("Send me"))

    def __init__(self, *args, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = services.offered_newsletters(subscriber)
