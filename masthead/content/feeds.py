"""RSS 2.0 for the whole site, each section and each author (Django's syndication framework)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed

from masthead.core import editions
from masthead.core.models import NewsroomSettings

from .services import published_articles

FEED_LENGTH = 30


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        self.newsroom = NewsroomSettings.for_request(request)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return self.newsroom.name

    def link(self, obj):
        # Feeds name the configured public address, not whatever Host the request carried.
        return settings.SITE_URL + editions.home_path()

    def description(self, obj):
        return self.newsroom.description or self.newsroom.tagline or self.newsroom.name

    def articles(self, obj):
        return published_articles()

    def items(self, obj):
        return self.articles(obj)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return settings.SITE_URL + item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return ", ".join(entry.author.title for entry in item.byline.all()) or None

    def item_categories(self, item):
        return [item.section.title] if item.section else []


class SiteFeed(ArticleFeed):
    pass


class ListingFeed(ArticleFeed):
    """The feed of a page that lists articles (a section, an author): see ArticleListingMixin."""

    def get_object(self, request, listing):
        return listing

    def title(self, obj):
        return f"{obj.title} – {self.newsroom.name}"

    def link(self, obj):
        return settings.SITE_URL + obj.url

    def description(self, obj):
        return obj.get_meta_description() or super().description(obj)

    def articles(self, obj):
        return obj.listed_articles()
