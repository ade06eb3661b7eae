"""schema.org for the News Feed: the feed as a LiveBlogPosting, each item as a BlogPosting."""

import datetime

from django.conf import settings
from django.urls import reverse

from masthead.content.structured_data import image_object, publisher
from masthead.core import editions
from masthead.core.models import NewsroomSettings
from masthead.images import cards

# The News Feed has no last day: its coverage is said to run a day past its newest update, so
# search engines keep treating it as live while updates keep coming.
COVERAGE_AHEAD = datetime.timedelta(days=1)


def _absolute(path):
    return path if path.startswith("http") else settings.SITE_URL + path


def _modified(item):
    return max(item.published_at, item.updated_at or item.published_at)


def blog_posting(request, item, *, context=False):
    """One item as schema.org BlogPosting: a liveBlogUpdate, or the item's own page."""
    organisation = publisher(request)
    data = {
        "@type": "BlogPosting",
        "headline": item.text[:110],
        "articleBody": item.text,
        "datePublished": item.published_at.isoformat(),
        "dateModified": _modified(item).isoformat(),
        "url": _absolute(item.get_absolute_url()),
        "author": organisation,
    }
    if item.article_id and item.article and item.article.live:
        data["citation"] = _absolute(item.article.url)
    if context:
        feed_url = _absolute(reverse("feed:page"))
        newsroom = NewsroomSettings.for_request(request)
        data = {
            "@context": "https://schema.org",
            **data,
            "mainEntityOfPage": data["url"],
            "publisher": organisation,
            "inLanguage": editions.current(),
            "image": image_object(cards.social_card(newsroom)),
            "isPartOf": {"@type": "LiveBlogPosting", "url": feed_url},
        }
    return data


def live_blog(request, items, title, description, coverage_start=None):
    """LiveBlogPosting for the News Feed page, its updates newest first (pinned ones in their
    place by time: a pinned item is old news kept in view, not the latest)."""
    updates = sorted(items, key=lambda item: (item.published_at, item.pk), reverse=True)
    url = _absolute(reverse("feed:page"))
    organisation = publisher(request)
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": title,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": editions.current(),
        "author": organisation,
        "publisher": organisation,
        "image": image_object(cards.social_card(NewsroomSettings.for_request(request))),
        "liveBlogUpdate": [blog_posting(request, item) for item in updates],
    }
    if updates:
        start = coverage_start or updates[-1].published_at
        newest = max(_modified(item) for item in updates)
        data["datePublished"] = start.isoformat()
        data["coverageStartTime"] = start.isoformat()
        data["dateModified"] = newest.isoformat()
        data["coverageEndTime"] = (updates[0].published_at + COVERAGE_AHEAD).isoformat()
    return data
