"""Narrations: an article read aloud by a neural voice, kept as one MP3 per (text, voice)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from masthead.core import editions

from .engines import VOICE_CHOICES

DEFAULT_DISCLOSURE = "This audio is created with AI assistance."
# Apple Podcasts lists a show under one of its own categories, named exactly (the ones a newsroom's
# narrated journalism belongs in); "News/Politics" is a subcategory of News.
PODCAST_CATEGORIES = [
    ("News", "News"),
    ("News/Daily News", "News › Daily News"),
    ("News/Politics", "News › Politics"),
    ("News/News Commentary", "News › News Commentary"),
    ("News/Business News", "News › Business News"),
    ("News/Tech News", "News › Tech News"),
    ("News/Sports News", "News › Sports News"),
    ("News/Entertainment News", "News › Entertainment News"),
    ("Government", "Government"),
    ("History", "History"),
    ("Society & Culture", "Society & Culture"),
    ("Society & Culture/Documentary", "Society & Culture › Documentary"),
    ("Business", "Business"),
    ("Science", "Science"),
    ("Technology", "Technology"),
    ("Arts", "Arts"),
    ("Education", "Education"),
]
ARTWORK_MIN, ARTWORK_MAX = 1400, 3000  # pixels a side, Apple Podcasts' rule


@register_setting(icon="media")
class AudioSettings(ClusterableModel, BaseSiteSetting):
    """The voice, the disclosure readers see beside the player, and the podcast's details."""

    narrate_articles = models.BooleanField(
        _("narrate articles"),
        default=True,
        help_text=_("Narrate articles when they are published."),
    )
    voice = models.CharField(
        _("voice"), max_length=100, choices=VOICE_CHOICES, default=VOICE_CHOICES[0][0]
    )
    disclosure = models.CharField(
        _("disclosure"),
        max_length=200,
        default=DEFAULT_DISCLOSURE,
        help_text=_("Shown beside every player. Readers must be told the voice is synthetic."),
    )
    podcast_title = models.CharField(_("podcast title"), max_length=200, blank=True)
    podcast_description = models.TextField(_("podcast description"), blank=True)
    podcast_author = models.CharField(_("podcast author"), max_length=200, blank=True)
    podcast_email = models.EmailField(
        _("podcast contact e-mail"),
        blank=True,
        help_text=_(
            "Podcast directories write here to confirm the podcast is yours. Leave empty to use "
            "the address the site sends e-mail from."
        ),
    )
    podcast_category = models.CharField(
        _("podcast category"), max_length=100, choices=PODCAST_CATEGORIES, default="News"
    )
    podcast_image = models.ForeignKey(
        "images.NewsImage",
        verbose_name=_("podcast artwork"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Square, at least 1400 × 1400 pixels, for podcast apps. Leave empty for artwork made "
            "from the podcast’s title and the newsroom’s logo."
        ),
    )

    panels = [
        FieldPanel("narrate_articles"),
        FieldPanel("voice"),
        FieldPanel("disclosure"),
        MultiFieldPanel(
            [
                FieldPanel("podcast_title"),
                FieldPanel("podcast_description"),
                FieldPanel("podcast_author"),
                FieldPanel("podcast_email"),
                FieldPanel("podcast_category"),
                FieldPanel("podcast_image"),
            ],
            heading=_("Podcast feed"),
        ),
        MultiFieldPanel(
            [InlinePanel("editions", label=_("Edition"))],
            heading=_("The podcast in other editions"),
        ),
    ]

    class Meta:
        verbose_name = _("audio")

    def clean(self):
        super().clean()
        image = self.podcast_image
        if image is not None and min(image.width, image.height) < ARTWORK_MIN:
            raise ValidationError(
                {
                    "podcast_image": _(
                        "Podcast apps need artwork at least %(min)s × %(min)s pixels; this "
                        "picture is %(width)s × %(height)s. Choose a larger one, or leave it "
                        "empty for artwork made from the title."
                    )
                    % {"min": ARTWORK_MIN, "width": image.width, "height": image.height}
                }
            )

    def in_edition(self, language):
        """The podcast's title and description for this edition's feed ('' where not given)."""
        if language == editions.default_language():
            return self.podcast_title, self.podcast_description
        row = next((row for row in self.editions.all() if row.language == language), None)
        return (row.podcast_title, row.podcast_description) if row else ("", "")


class PodcastEdition(Orderable):
    """The podcast's title and description in another edition's language."""

    settings = ParentalKey(AudioSettings, related_name="editions", on_delete=models.CASCADE)
    language = editions.language_field(_("edition"))
    podcast_title = models.CharField(_("podcast title"), max_length=200, blank=True)
    podcast_description = models.TextField(_("podcast description"), blank=True)

    panels = [
        FieldPanel("language"),
        FieldPanel("podcast_title"),
        FieldPanel("podcast_description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("podcast edition")
        constraints = [
            models.UniqueConstraint(fields=["settings", "language"], name="one_podcast_per_edition")
        ]


class Narration(models.Model):
    wagtail_reference_index_ignore = True  # records, not content: no index task per save (soak)

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    article = models.OneToOneField(
        "content.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="narration",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    # sha256 of the narrated text and the voice: the same key means the same audio.
    key = models.CharField(max_length=64, blank=True)
    voice = models.CharField(_("voice"), max_length=100, blank=True)
    audio = models.FileField(_("audio"), upload_to="narrations/", blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(_("duration"), default=0)
    words = models.PositiveIntegerField(default=0)
    synthesis_seconds = models.FloatField(_("synthesis time (seconds)"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("reason"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("narration")

    def __str__(self):
        return f"{self.article} ({self.get_state_display()})"

    @property
    def minutes(self):
        return max(1, round(self.duration_seconds / 60))

    # Wagtail's listing and inspect view show get_<field>_display() instead of the raw float.
    def get_duration_seconds_display(self):
        """The length as a player shows it: 4:05, or 1:02:05."""
        minutes, seconds = divmod(round(self.duration_seconds), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"

    def get_synthesis_seconds_display(self):
        return formats.number_format(self.synthesis_seconds, 1)


class Pronunciation(models.Model):
    """How the voice says a word: acronyms spelled out (S B U) or read as words (Nay-toe)."""

    term = models.CharField(
        _("written"), max_length=60, unique=True, help_text=_("As it appears, e.g. NATO.")
    )
    spoken = models.CharField(
        _("spoken as"),
        max_length=120,
        help_text=_('e.g. "Nay-toe", or letters with spaces to spell it out: "S B U".'),
    )

    panels = [FieldPanel("term"), FieldPanel("spoken")]

    class Meta:
        verbose_name = _("pronunciation")
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} → {self.spoken}"
