"""The live News Feed: short, timestamped items posted by editors through one short form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index


class FeedItemQuerySet(models.QuerySet):
    def published(self):
        """Items readers may see: their time has come (editors may post ahead, e.g. embargoes)."""
        return self.filter(published_at__lte=timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class FeedItem(TranslatableMixin, index.Indexed, models.Model):
    text = models.TextField(
        _("text"),
        max_length=1000,
        help_text=_("What happened, in a sentence or three. Plain text; links go below."),
    )
    article = models.ForeignKey(
        "content.ArticlePage",
        verbose_name=_("linked article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feed_items",
    )
    is_breaking = models.BooleanField(_("breaking"), default=False)
    is_pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Keep at the top of the feed.")
    )
    published_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedItemQuerySet.as_manager()

    panels = [
        FieldPanel("text"),
        FieldPanel("article"),
        FieldRowPanel([FieldPanel("is_breaking"), FieldPanel("is_pinned")]),
        FieldPanel("published_at"),
    ]
    search_fields = [index.SearchField("text"), index.FilterField("published_at")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("News Feed item")
        verbose_name_plural = _("News Feed items")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["locale", "-published_at", "-id"], name="feed_item_timeline"),
            # Pinned items are few among a million: without this, finding them read the whole feed.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(is_pinned=True),
                name="feed_item_pinned",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        if not (self.text or "").strip():
            raise ValidationError(
                {"text": _("Write what happened: a News Feed item cannot be empty.")}
            )
        self.text = self.text.strip()

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("feed:item", args=[self.pk])

    @property
    def anchor(self):
        return f"item-{self.pk}"
