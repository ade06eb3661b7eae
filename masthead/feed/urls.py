from django.urls import path

from masthead.core.pagecache import cached_view

from . import feeds, views

app_name = "feed"
urlpatterns = [
    path("", views.feed_page, name="page"),
    path("feed.json", views.feed_json, name="json"),
    path("rss.xml", cached_view("feed", "pages")(feeds.NewsFeedRss()), name="rss"),
    path("items/<int:pk>/", views.item, name="item"),
]
