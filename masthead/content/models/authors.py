"""Authors: the people in the byline, each with a page listing their work."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, TitleFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from masthead.core.models import PublicPageMixin

from .listing import ArticleListingMixin


class AuthorIndexPage(PublicPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.AuthorPage"]
    max_count_per_parent = 1
    template = "content/author_index_page.html"

    class Meta:
        verbose_name = _("author index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["authors"] = (
            AuthorPage.objects.child_of(self).live().select_related("photo").order_by("title")
        )
        return context


class AuthorPage(ArticleListingMixin, PublicPageMixin, Page):
    job_title = models.CharField(
        _("job title"), max_length=120, help_text=_("e.g. Chief Executive Officer")
    )
    photo = models.ForeignKey(
        "images.NewsImage",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = RichTextField(_("biography"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        TitleFieldPanel(  # fills the slug from the name; the placeholder shows where to type
            "title",
            heading=_("Name"),
            placeholder=_("Name*"),
            help_text=_("As readers will see it in bylines."),
        ),
        FieldPanel("job_title"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        InlinePanel("links", heading=_("Links"), label=_("Link")),
    ]
    search_fields = Page.search_fields + [index.SearchField("job_title"), index.SearchField("bio")]
    parent_page_types = ["content.AuthorIndexPage"]
    subpage_types = []
    template = "content/author_page.html"

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    @property
    def name(self):
        return self.title

    def get_meta_description(self):
        return self.search_description or f"{self.title}, {self.job_title}"

    def get_social_image(self):
        return self.photo

    def get_json_ld(self, request):
        from ..structured_data import person

        return {"@context": "https://schema.org", **person(self)}

    def listed_articles(self):
        from ..services import published_articles

        return published_articles().filter(byline__author=self)


class AuthorLink(Orderable):
    author = ParentalKey(AuthorPage, related_name="links", on_delete=models.CASCADE)
    label = models.CharField(
        _("label"), max_length=60, help_text=_("e.g. Mastodon, E-mail, Website")
    )
    url = models.URLField(_("URL"))

    panels = [FieldPanel("label"), FieldPanel("url")]

    def __str__(self):
        return self.label
