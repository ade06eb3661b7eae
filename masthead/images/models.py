"""The newsroom's image library: every picture carries alt text and a photo credit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


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
        help_text=_("Photographer and agency, e.g. 'Olena Marchenko / Masthead'."),
    )

    admin_form_fields = Image.admin_form_fields + ("credit",)

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    @property
    def alt_text(self):
        return self.description


class NewsRendition(AbstractRendition):
    image = models.ForeignKey(NewsImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
