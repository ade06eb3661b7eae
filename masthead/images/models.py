"""The newsroom's image library: every picture carries alt text and a photo credit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from masthead.core import editions


class NewsImage(AbstractImage):
    # Wagtail's optional description becomes required alt text: no picture reaches readers without it.
    description = models.CharField(
        _("alt text"),
        max_length=400,
        help_text=_("Describe what the picture shows for people who cannot see it."),
    )
    credit = models.CharField(
        _("photo credit"),
        max_length=255,
        blank=True,
        help_text=_("Photographer and agency, e.g. ‘Olena Marchenko / Masthead’."),
    )

    # The alt text in each other edition's language ({"uk": "..."}): one photo serves both
    # editions, and each edition's readers hear it described in their language (images/forms.py).
    translated_descriptions = models.JSONField(
        _("alt text in other editions"), default=dict, blank=True
    )

    admin_form_fields = Image.admin_form_fields + ("credit",)

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    @property
    def alt_text(self):
        return self.description

    def alt_for(self, language=None):
        """The alt text for readers of this edition, or the library's own where none is written."""
        language = language or editions.current()
        return (self.translated_descriptions or {}).get(language) or self.description

    def alt_language(self, language=None):
        """The language alt_for() answers in (a page marks a description left untranslated)."""
        language = language or editions.current()
        if (self.translated_descriptions or {}).get(language):
            return language
        return editions.default_language()


class NewsRendition(AbstractRendition):
    image = models.ForeignKey(NewsImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
