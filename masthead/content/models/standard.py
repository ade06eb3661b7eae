"""Pages that are not news: About us, Contact, Ethics policy, How we are funded."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from masthead.core.blocks import StoryBlock
from masthead.core.models import PublicPageMixin


class StandardPage(PublicPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(StoryBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]
    template = "content/standard_page.html"

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    def get_meta_description(self):
        return self.search_description or self.intro
