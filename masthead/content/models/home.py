from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from masthead.core.models import PublicPageMixin


class HomePage(PublicPageMixin, Page):
    lead_story = models.ForeignKey(
        "content.ArticlePage",
        verbose_name=_("lead story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to lead with the latest article."),
    )

    content_panels = Page.content_panels + [FieldPanel("lead_story")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content.ArticleIndexPage",
        "content.SectionPage",
        "content.AuthorIndexPage",
        "content.RoundupIndexPage",
        "content.StandardPage",
    ]
    # One home page per edition: the default edition's is the site's root, the others translate it.
    template = "content/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_json_ld(self, request):
        from ..structured_data import website

        return website(request)

    def get_context(self, request, *args, **kwargs):
        from .. import services

        context = super().get_context(request, *args, **kwargs)
        context.update(services.front_page(self))
        return context
