"""Roundups: 'Key developments on <date>', a day's news in short bullet points."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from masthead.core.models import PublicPageMixin


def roundup_title(date, language=None):
    """The headline in the roundup's own language, whatever language the editor's admin is in."""
    with translation.override(language or translation.get_language()):
        return str(
            _("Key developments on %(date)s") % {"date": formats.date_format(date, "DATE_FORMAT")}
        )


class RoundupIndexPage(PublicPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.RoundupPage"]
    max_count_per_parent = 1
    template = "content/roundup_index_page.html"

    class Meta:
        verbose_name = _("roundup index")

    def get_context(self, request, *args, **kwargs):
        from masthead.core.pagination import paginate

        context = super().get_context(request, *args, **kwargs)
        roundups = RoundupPage.objects.child_of(self).live().order_by("-date")
        context["roundups"] = paginate(request, roundups, 20)
        return context


class RoundupPage(PublicPageMixin, Page):
    date = models.DateField(_("date"), db_index=True)
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [
        FieldPanel("date"),
        FieldPanel("intro"),
        InlinePanel("items", heading=_("Key developments"), label=_("Development"), min_num=1),
    ]
    # No slug field: the address is the date (set in _name_after_date).
    promote_panels = [FieldPanel("seo_title"), FieldPanel("search_description")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["content.RoundupIndexPage"]
    subpage_types = []
    template = "content/roundup_page.html"

    class Meta:
        verbose_name = _("roundup")
        verbose_name_plural = _("roundups")

    def _name_after_date(self):
        # The headline and URL follow from the date, so editors only pick the day.
        if self.date:
            language = self.locale.language_code if self.locale_id else None
            self.title = self.draft_title = roundup_title(self.date, language)
            self.slug = self.date.isoformat()

    def full_clean(self, *args, **kwargs):
        self._name_after_date()
        return super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        # Wagtail cleans drafts with this lighter check instead of full_clean().
        self._name_after_date()
        return super().minimal_clean()

    def clean(self):
        # Checked before Wagtail's slug check, whose message would not tell editors what to do.
        if self.date:
            parent = self.get_parent() if self.path else None
            siblings = RoundupPage.objects.filter(date=self.date).exclude(pk=self.pk)
            if parent is not None:
                siblings = siblings.child_of(parent)
            if siblings.exists():
                raise ValidationError(
                    {"date": _("There is already a roundup for this day. Edit that one.")}
                )
        super().clean()

    def get_meta_description(self):
        return self.search_description or self.intro or str(self.title)

    def get_json_ld(self, request):
        from ..structured_data import roundup

        return roundup(self, request)


class RoundupItem(Orderable):
    roundup = ParentalKey(RoundupPage, related_name="items", on_delete=models.CASCADE)
    text = models.TextField(_("text"), max_length=600)
    article = models.ForeignKey(
        "content.ArticlePage",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feed_item = models.ForeignKey(
        "feed.FeedItem",
        verbose_name=_("News Feed item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("text"), FieldPanel("article"), FieldPanel("feed_item")]

    class Meta(Orderable.Meta):
        verbose_name = _("development")

    def __str__(self):
        return self.text[:60]
