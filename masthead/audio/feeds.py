"""The podcast: each edition's narrated articles as RSS with enclosures, the tags Apple Podcasts
requires (itunes:) and the Podcast Index namespace's guid (podcast:).

Apple Podcasts lists a show whose feed has artwork (square, 1400 to 3000 pixels), an owner with an
e-mail, a category from its list, explicit, language and copyright; Podcast Index identifies a show
by a podcast:guid made from its feed's address. Each edition has its own feed, with its own
episodes, title, link and language (/audio/podcast.xml, /uk/audio/podcast.xml), and one per
section of that edition.
"""

import uuid
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

from masthead.content.models import SectionPage
from masthead.core import editions
from masthead.core.models import NewsroomSettings
from masthead.images import cards

from . import services
from .models import PODCAST_CATEGORIES, Narration

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
# podcast:guid is a UUIDv5 of the feed's address (scheme and trailing slashes removed) in this
# namespace, so any directory that knows the address computes the same guid.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def _absolute(url):
    """Feeds name the configured public address, not whatever Host the request carried."""
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def podcast_guid(feed_url):
    """The Podcast Index guid of the feed at this address."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


class PodcastFeedType(Rss201rev2Feed):
    content_type = "application/rss+xml; charset=utf-8"

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES, "xmlns:podcast": PODCAST}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        feed = self.feed
        handler.addQuickElement("itunes:author", feed["itunes_author"])
        handler.addQuickElement("itunes:summary", feed["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", feed["itunes_author"])
        handler.addQuickElement("itunes:email", feed["itunes_email"])
        handler.endElement("itunes:owner")
        category, _, subcategory = feed["itunes_category"].partition("/")
        handler.startElement("itunes:category", {"text": category})
        if subcategory:
            handler.addQuickElement("itunes:category", "", {"text": subcategory})
        handler.endElement("itunes:category")
        artwork = feed["artwork"]
        handler.addQuickElement("itunes:image", "", {"href": artwork.url})
        # RSS's own image, for readers that do not know the itunes: tags.
        handler.startElement("image", {})
        handler.addQuickElement("url", artwork.url)
        handler.addQuickElement("title", feed["title"])
        handler.addQuickElement("link", feed["link"])
        handler.endElement("image")
        handler.addQuickElement("podcast:guid", feed["podcast_guid"])
        handler.addQuickElement("podcast:locked", "no")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:summary", item["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:episodeType", "full")


@dataclass
class Podcast:
    """One request's podcast: the edition, the section (or None) and the settings it names.

    The Feed instance serves every request of the process, threads included, so what differs
    between requests travels in this object, never on the Feed itself."""

    language: str
    section: object
    config: object
    newsroom: object
    words: tuple

    @property
    def show_title(self):
        return self.words[0] or _("%(newsroom)s: narrated articles") % {
            "newsroom": self.newsroom.name
        }


class PodcastFeed(Feed):
    """An edition's narrated articles, newest first; `/audio/podcast/<section>.xml` narrows to one
    of its sections."""

    feed_type = PodcastFeedType
    limit = 100

    def get_object(self, request, section=None):
        language = editions.current()
        config = services.audio_settings()
        found = None
        if section is not None:
            # Every edition has its own tree of sections, often with the same slugs (war, culture).
            found = (
                SectionPage.objects.live()
                .filter(slug=section, locale__language_code=language)
                .first()
            )
            if found is None:
                raise Http404("No such section in this edition.")
        return Podcast(
            language=language,
            section=found,
            config=config,
            newsroom=NewsroomSettings.for_request(request),
            words=config.in_edition(language),
        )

    def title(self, podcast):
        base = podcast.show_title
        return f"{base} – {podcast.section.title}" if podcast.section else base

    def link(self, podcast):
        section = podcast.section
        path = section.url if section else editions.home_path(podcast.language)
        return _absolute(path)

    def description(self, podcast):
        return podcast.words[1] or _(
            "Our reporting, read aloud by a synthetic voice. This audio is created with AI "
            "assistance."
        )

    def feed_url(self, podcast):
        if podcast.section:
            return _absolute(reverse("audio:section_podcast", args=[podcast.section.slug]))
        return _absolute(reverse("audio:podcast"))

    def feed_copyright(self, podcast):
        return f"© {timezone.localdate().year} {podcast.newsroom.name}"

    def feed_extra_kwargs(self, podcast):
        config = podcast.config
        artwork = cards.podcast_artwork(
            config.podcast_image, podcast.show_title, podcast.newsroom, podcast.language
        )
        categories = {value for value, _label in PODCAST_CATEGORIES}
        return {
            "itunes_author": config.podcast_author or podcast.newsroom.name,
            "itunes_email": config.podcast_email or settings.DEFAULT_FROM_EMAIL,
            "itunes_category": (
                config.podcast_category if config.podcast_category in categories else "News"
            ),
            "artwork": replace(artwork, url=_absolute(artwork.url)),
            "podcast_guid": podcast_guid(self.feed_url(podcast)),
        }

    def items(self, podcast):
        narrations = Narration.objects.filter(
            state=Narration.State.READY,
            article__live=True,
            article__language_code=podcast.language,
        ).exclude(audio="")
        if podcast.section:
            narrations = narrations.filter(article__section=podcast.section)
        return narrations.select_related("article").order_by("-article__published_at")[: self.limit]

    def item_title(self, narration):
        return narration.article.title

    def item_description(self, narration):
        return narration.article.summary

    def item_link(self, narration):
        return _absolute(narration.article.url)

    def item_guid(self, narration):
        # As it always was: podcast apps know an episode by its guid, which must never change.
        return f"{narration.article.full_url}#audio-{narration.key[:12]}"

    item_guid_is_permalink = False

    def item_pubdate(self, narration):
        return narration.article.published_at or narration.article.first_published_at

    def item_enclosure_url(self, narration):
        return _absolute(narration.audio.url)

    def item_enclosure_length(self, narration):
        return narration.size_bytes

    item_enclosure_mime_type = "audio/mpeg"

    def item_extra_kwargs(self, narration):
        return {"duration": round(narration.duration_seconds)}
