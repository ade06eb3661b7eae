"""Sections: the desks readers browse by (War, Politics, Business, Culture, Opinion)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from masthead.core.models import PublicPageMixin

from .listing import ArticleListingMixin


class SectionPage(ArticleListingMixin, PublicPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    nav_order = models.PositiveSmallIntegerField(
        _("position in navigation"), default=0, help_text=_("Lower numbers come first.")
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    promote_panels = Page.promote_panels + [FieldPanel("nav_order")]
    parent_page_types = ["content.HomePage"]
    subpage_types = []
    template = "content/section_page.html"

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["nav_order"]

    def get_meta_description(self):
        return self.search_description or self.intro

    def listed_articles(self):
        from ..services import published_articles

        return published_articles().filter(section=self)
