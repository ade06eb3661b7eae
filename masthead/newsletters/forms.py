from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Newsletter


class SignupForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": _("Enter your e-mail address.")},
    )
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
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
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Send me"),
        queryset=Newsletter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = services.offered_newsletters(subscriber)
