from django.urls import path

from . import feeds, views

app_name = "feed"
urlpatterns = [
    path("", views.feed_page, name="page"),
    path("feed.json", views.feed_json, name="json"),
    path("rss.xml", feeds.NewsFeedRss(), name="rss"),
    path("items/<int:pk>/", views.item, name="item"),
]
