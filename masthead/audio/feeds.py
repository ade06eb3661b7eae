"""The podcast: narrated articles as RSS with enclosures and the iTunes tags podcast apps expect."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from masthead.content.models import SectionPage

from . import services
from .models import Narration

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


class PodcastFeedType(Rss201rev2Feed):
    content_type = "application/rss+xml; charset=utf-8"

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        feed = self.feed
        handler.addQuickElement("itunes:author", feed["itunes_author"])
        handler.addQuickElement("itunes:summary", feed["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", feed["itunes_author"])
        if feed.get("itunes_email"):
            handler.addQuickElement("itunes:email", feed["itunes_email"])
        handler.endElement("itunes:owner")
        handler.addQuickElement("itunes:category", "", {"text": feed["itunes_category"]})
        if feed.get("itunes_image"):
            handler.addQuickElement("itunes:image", "", {"href": feed["itunes_image"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:summary", item["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:episodeType", "full")


class PodcastFeed(Feed):
    """All narrated articles, newest first; `/audio/podcast/<section>.xml` narrows to one section."""

    feed_type = PodcastFeedType
    limit = 100

    def get_object(self, request, section=None):
        self.request = request
        self.config = services.audio_settings()  # read once; the feed's hooks all need it
        if section is None:
            return None
        return get_object_or_404(SectionPage.objects.live(), slug=section)

    def title(self, section):
        from masthead.core.models import NewsroomSettings

        base = self.config.podcast_title or (
            f"{NewsroomSettings.for_request(self.request).name}: narrated articles"
        )
        return f"{base} – {section.title}" if section else base

    def link(self, section):
        return section.url if section else "/"

    def description(self, section):
        return self.config.podcast_description or (
            "Our reporting, read aloud by a synthetic voice. This audio is created with AI assistance."
        )

    def feed_url(self, section):
        if section:
            return reverse("audio:section_podcast", args=[section.slug])
        return reverse("audio:podcast")

    def feed_extra_kwargs(self, section):
        config = self.config
        image = ""
        if config.podcast_image:
            rendition = config.podcast_image.get_rendition("fill-1400x1400|format-jpeg")
            image = self.request.build_absolute_uri(rendition.url)
        return {
            "itunes_author": config.podcast_author or self.title(None),
            "itunes_email": config.podcast_email,
            "itunes_category": config.podcast_category or "News",
            "itunes_image": image,
        }

    def items(self, section):
        narrations = Narration.objects.filter(
            state=Narration.State.READY, article__live=True
        ).exclude(audio="")
        if section:
            narrations = narrations.filter(article__section=section)
        return narrations.select_related("article").order_by("-article__published_at")[: self.limit]

    def item_title(self, narration):
        return narration.article.title

    def item_description(self, narration):
        return narration.article.summary

    def item_link(self, narration):
        return narration.article.url

    def item_guid(self, narration):
        return f"{narration.article.full_url}#audio-{narration.key[:12]}"

    item_guid_is_permalink = False

    def item_pubdate(self, narration):
        return narration.article.published_at or narration.article.first_published_at

    def item_enclosure_url(self, narration):
        return self.request.build_absolute_uri(narration.audio.url)

    def item_enclosure_length(self, narration):
        return narration.size_bytes

    item_enclosure_mime_type = "audio/mpeg"

    def item_extra_kwargs(self, narration):
        return {"duration": round(narration.duration_seconds)}
