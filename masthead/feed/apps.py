from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "masthead.feed"
    label = "feed"
    verbose_name = "News Feed"

    def ready(self):
        from masthead.core import pagecache

        from .models import FeedItem

        pagecache.follow(FeedItem, "feed")
