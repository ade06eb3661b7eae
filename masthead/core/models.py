"""Site-wide settings and the mixin every public page shares. No newsroom domain models live here."""

import copy

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from . import editions
from .page_forms import NewsroomPageForm


class SharedSettingMixin:
    """A site setting read from the cache (every page reads it) until it is saved again."""

    cache_topics = ("site",)

    @classmethod
    def for_site(cls, site):
        from . import pagecache

        parent = super()
        if site is None:
            return parent.for_site(site)
        key = f"settings:{cls._meta.label}:{site.pk}"
        return pagecache.remember(key, cls.cache_topics, lambda: cls.load(parent.for_site(site)))

    @classmethod
    def load(cls, setting):
        """Fetch what the kept copy should carry with it (child rows)."""
        return setting


@register_setting(icon="site")
class NewsroomSettings(SharedSettingMixin, ClusterableModel, BaseSiteSetting):
    """Who the newsroom is: its name, logo and the words search engines and social cards show.

    The tagline and description are written in the default edition's language; each other edition
    gives its own in an edition row (pages of that edition show them)."""

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
        help_text=_("Shown to search engines as the publisher’s logo."),
    )
    social_image = models.ForeignKey(
        "images.NewsImage",
        verbose_name=_("picture for shared links"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown when a page without a picture of its own is shared (the home page, the News "
            "Feed, roundups). Best at 1200 × 630 pixels. Leave empty for a card made from the "
            "newsroom’s name and logo."
        ),
    )
    twitter_handle = models.CharField(
        _("X/Twitter handle"), max_length=50, blank=True, help_text=_("Without the @.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        FieldPanel("description"),
        FieldPanel("logo"),
        FieldPanel("social_image"),
        FieldPanel("twitter_handle"),
        MultiFieldPanel(
            [InlinePanel("editions", label=_("Edition"))],
            heading=_("Other editions"),
        ),
    ]

    class Meta:
        verbose_name = _("newsroom")

    def __str__(self):
        return self.name

    @classmethod
    def load(cls, setting):
        from . import pagecache

        if pagecache.enabled() and setting.pk:  # the kept copy carries the editions' words
            setting.edition_rows = {row.language: row for row in setting.editions.all()}
        return setting

    @classmethod
    def for_request(cls, request):
        setting = super().for_request(request)
        language = editions.current()
        return setting if language == editions.default_language() else setting.in_edition(language)

    def in_edition(self, language):
        """These settings as readers of an edition see them (a copy: never saved)."""
        rows = getattr(self, "edition_rows", None)
        if rows is None:
            rows = {row.language: row for row in self.editions.all()} if self.pk else {}
        row = rows.get(language)
        if row is None:
            return self
        shown = copy.copy(self)
        for name in ("tagline", "description"):
            setattr(shown, name, getattr(row, name) or getattr(self, name))
        shown.audio_disclosure = row.audio_disclosure
        return shown


class NewsroomEdition(Orderable):
    """The newsroom's words in another edition's language."""

    settings = ParentalKey(NewsroomSettings, related_name="editions", on_delete=models.CASCADE)
    language = editions.language_field(_("edition"))
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("default description"), blank=True)
    audio_disclosure = models.CharField(
        _("audio disclosure"),
        max_length=300,
        blank=True,
        help_text=_(
            "Beside every player in this edition; empty for the translation of the default."
        ),
    )

    panels = [
        FieldPanel("language"),
        FieldPanel("tagline"),
        FieldPanel("description"),
        FieldPanel("audio_disclosure"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("edition")
        constraints = [
            models.UniqueConstraint(fields=["settings", "language"], name="one_row_per_edition")
        ]


class PublicPageMixin:
    """What every public page can say about itself to templates, search engines and social cards."""

    base_form_class = NewsroomPageForm

    # What the page shows besides itself, for the page cache (core/wagtail_hooks.py): its lists,
    # side boxes and the banner.
    cache_topics = ("pages", "feed", "picks", "campaign")

    def get_site_id(self):
        """The id of the site this page belongs to, from Wagtail's cached root paths (no query)."""
        from wagtail.models import Site

        for root in Site.get_site_root_paths():
            if self.url_path.startswith(root.root_path):
                return root.site_id
        return None

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        from .routing import any_view_restrictions

        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_meta_description(self):
        return getattr(self, "search_description", "") or ""

    def get_social_image(self):
        return None

    def get_json_ld(self, request):
        """Return structured data (a dict or list) for the page, or None."""
        return None


class HeldTask(models.Model):
    """A task the queue could not take (Redis was down), kept in the database until it can.

    Wagtail and Masthead queue work inside saves and publishes; with the queue unreachable those
    must still succeed. The worker hands held tasks to the queue once it answers (core/queue.py).
    """

    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    task_path = models.CharField(max_length=255)
    queue_name = models.CharField(max_length=100, default="default")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    run_after = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=0)
    held_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task_path}{tuple(self.args)}"


class TaskLease(models.Model):
    """A task a worker process is running, for as long as that process keeps renewing it.

    Written when a worker starts a task and deleted when it finishes; the worker's lease keeper
    pushes `expires_at` forward every few seconds while the process lives. A lease that runs out
    means its worker died: the task is handed back to the queue (masthead/core/leases.py).
    """

    wagtail_reference_index_ignore = True  # records, not content

    task_id = models.CharField(max_length=64, primary_key=True)
    backend = models.CharField(max_length=32)
    task_path = models.CharField(max_length=255)
    queue_name = models.CharField(max_length=100, default="default")
    priority = models.IntegerField(default=0)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.task_path} on {self.worker} until {self.expires_at:%H:%M:%S}"
