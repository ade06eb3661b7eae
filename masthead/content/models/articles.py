"""Articles: the newsroom's stories, with their byline, section, tags and hero image."""

import datetime
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, TitleFieldPanel
from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from masthead.core.blocks import StoryBlock
from masthead.core.models import PublicPageMixin
from masthead.core.page_forms import NewsroomPageForm

from .. import reading

# An update is worth telling readers about only when it comes this long after publication.
MEANINGFUL_UPDATE = datetime.timedelta(minutes=30)


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticleAuthor(Orderable):
    """One name in an article's byline, in the order editors set."""

    article = ParentalKey("content.ArticlePage", related_name="byline", on_delete=models.CASCADE)
    author = models.ForeignKey(
        "content.AuthorPage",
        verbose_name=_("author"),
        related_name="bylines",
        on_delete=models.CASCADE,
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")


class ArticlePageForm(NewsroomPageForm):
    def clean_title(self):
        # The headline field grows to show all of a long headline (a textarea): one line, still.
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        byline = self.formsets.get("byline")
        if byline is not None:
            names = [
                form
                for form in byline.forms
                if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            if not names:
                self.add_error(
                    None, _("Add at least one author to the byline before saving this article.")
                )
        return cleaned


class ArticleIndexPage(PublicPageMixin, Page):
    """The home of every article's URL (/news/...): a paginated list of the latest stories."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ArticlePage"]
    max_count_per_parent = 1
    template = "content/article_index_page.html"

    class Meta:
        verbose_name = _("article index")

    def get_context(self, request, *args, **kwargs):
        from masthead.core.pagination import paginate

        from ..services import published_articles

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = paginate(request, published_articles(), 20)
        return context


class ArticlePage(PublicPageMixin, Page):
    summary = models.TextField(
        _("summary"),
        max_length=400,
        help_text=_("One or two sentences shown under the headline and in lists."),
    )
    hero_image = models.ForeignKey(
        "images.NewsImage",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("hero caption"), max_length=300, blank=True)
    hero_credit = models.CharField(
        _("hero photo credit"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the credit stored with the image."),
    )
    section = models.ForeignKey(
        "content.SectionPage",
        verbose_name=_("section"),
        null=True,  # a deleted section must not take its articles with it
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    body = StreamField(StoryBlock(), verbose_name=_("body"), blank=True)
    correction = models.TextField(
        _("correction"),
        blank=True,
        help_text=_("Say what was wrong and what changed. Shown at the top of the article."),
    )
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))
    narrate = models.BooleanField(
        _("AI narration"),
        default=True,
        help_text=_("Publish a narrated audio version made with a synthetic voice."),
    )
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )
    # A copy of Wagtail's first_published_at on this table, so every list of articles (newest first,
    # by section) is read from one index instead of sorting a join.
    published_at = models.DateTimeField(_("published at"), null=True, editable=False)
    # The edition's language, copied from the locale for the same reason: lists filter on it.
    language_code = models.CharField(_("language"), max_length=20, default="en", editable=False)

    base_form_class = ArticlePageForm
    content_panels = [
        # TitleFieldPanel fills the slug (on the Promote tab) from the headline as the writer types.
        # The label is hidden by Wagtail's large title field: the placeholder shows where to type.
        TitleFieldPanel(
            "title",
            heading=_("Headline"),
            placeholder=_("Headline*"),
            widget=AdminAutoHeightTextInput(),  # grows with a long headline instead of hiding it
            help_text=_("As readers will see it: on the site, in lists and in newsletters."),
        ),
        FieldPanel("summary"),
        InlinePanel("byline", heading=_("Byline"), label=_("Author"), min_num=1),
        FieldPanel("section"),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_caption"), FieldPanel("hero_credit")],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
        FieldPanel("correction"),
        FieldPanel("tags"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("first_published_at")]
    settings_panels = Page.settings_panels + [FieldPanel("narrate")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("section"),
        index.FilterField("first_published_at"),
        index.FilterField("language_code"),
    ]

    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types = []
    template = "content/article_page.html"
    # Loaded with the page when it is served (masthead.core.routing).
    route_select_related = ("hero_image", "section", "locale")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(
                fields=["language_code", "-published_at", "-page_ptr"], name="article_newest"
            ),
            models.Index(
                fields=["section", "-published_at", "-page_ptr"], name="article_section_newest"
            ),
        ]

    def save(self, *args, **kwargs):
        self.reading_minutes = reading.reading_minutes(self.body)
        self.published_at = self.first_published_at
        if not self.locale_id and self.path:
            self.locale = (
                self.get_default_locale()
            )  # Wagtail would, later in this save: its parent's
        if self.locale_id:
            self.language_code = self.locale.language_code
        return super().save(*args, **kwargs)

    @property
    def headline(self):
        return self.title

    @property
    def updated_at(self):
        """The last publication time, when it is meaningfully later than the first one."""
        first, last = self.first_published_at, self.last_published_at
        if first and last and last - first >= MEANINGFUL_UPDATE:
            return last
        return None

    @cached_property
    def appeal_position(self):
        """How many body blocks come before the membership appeal (0: none fits)."""
        return reading.appeal_position(self.body)

    @property
    def photo_credit(self):
        if self.hero_credit:
            return self.hero_credit
        return self.hero_image.credit if self.hero_image else ""

    @cached_property
    def authors(self):
        """The byline's authors in order, skipping any that have been unpublished."""
        return [
            entry.author
            for entry in self.byline.select_related("author").all()
            if entry.author.live
        ]

    @cached_property
    def tag_list(self):
        return list(self.tags.all())

    def get_meta_description(self):
        return self.search_description or self.summary

    @property
    def card_version(self):
        """Everything a story card shows changes only when one of these does: the key of its kept
        HTML (masthead.core.fragments). Reads only what listings fetch already."""
        section, image = self.section, self.hero_image
        return (
            self.pk,
            self.url_path,
            self.last_published_at,
            section and (section.pk, section.url_path, section.title, section.last_published_at),
            tuple(
                (entry.author_id, entry.author.title, entry.author.last_published_at)
                for entry in self.byline.all()
            ),
            image
            and (
                image.pk,
                image.file_hash,
                image.focal_point_x,
                image.focal_point_y,
                image.focal_point_width,
                image.focal_point_height,
                image.description,
                tuple(sorted((image.translated_descriptions or {}).items())),
            ),
        )

    def get_social_image(self):
        return self.hero_image

    def get_json_ld(self, request):
        from ..structured_data import news_article

        return news_article(self, request)

    def get_context(self, request, *args, **kwargs):
        from .. import services

        context = super().get_context(request, *args, **kwargs)
        context.update(services.article_sidebar(self))
        return context
