"""Site-wide settings and the mixin every public page shares. No newsroom domain models live here."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class NewsroomSettings(BaseSiteSetting):
    """Who the newsroom is: its name, logo and the words search engines and social cards show."""

    name = models.CharField(_("newsroom name"), max_length=100, default="Masthead")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(
        _("default description"),
        blank=True,
        help_text=_("Used for pages that have no summary of their own, and in feeds."),
    )
    logo = models.ForeignKey(
        "images.NewsImage",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown to search engines as the publisher's logo."),
    )
    twitter_handle = models.CharField(
        _("X/Twitter handle"), max_length=50, blank=True, help_text=_("Without the @.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldPanel("twitter_handle"),
    ]

    class Meta:
        verbose_name = _("newsroom")

    def __str__(self):
        return self.name


class PublicPageMixin:
    """What every public page can say about itself to templates, search engines and social cards."""

    def get_meta_description(self):
        return getattr(self, "search_description", "") or ""

    def get_social_image(self):
        return None

    def get_json_ld(self, request):
        """Return structured data (a dict or list) for the page, or None."""
        return None
