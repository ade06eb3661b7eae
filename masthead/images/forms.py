"""The image form: alt text in the default edition's language, and in each other edition's."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm

from masthead.core import editions


def _field_name(language):
    return f"description_{language}"


class NewsImageForm(BaseImageForm):
    """Wagtail's image form with one alt text field per other edition, kept in the image."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "description" not in self.fields:
            return  # a partial form (the chooser's quick upload names its own fields)
        known = self.instance.translated_descriptions or {}
        extra = {}
        for language in editions.codes()[1:]:
            extra[_field_name(language)] = forms.CharField(
                label=_("Alt text (%(edition)s)") % {"edition": editions.name(language)},
                max_length=400,
                required=False,
                initial=known.get(language, ""),
                help_text=_(
                    "The same description in this edition’s language, for its readers. Leave "
                    "empty and they hear the one above."
                ),
            )
        # Right after the alt text they translate, not at the end of the form.
        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "description":
                ordered.update(extra)
        self.fields = ordered

    def clean(self):
        cleaned = super().clean()
        translated = dict(self.instance.translated_descriptions or {})
        for language in editions.codes()[1:]:
            name = _field_name(language)
            if name not in self.fields:
                continue
            text = (cleaned.get(name) or "").strip()
            if text:
                translated[language] = text
            else:
                translated.pop(language, None)
        self.instance.translated_descriptions = translated
        return cleaned
