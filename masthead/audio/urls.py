from django.urls import path

from masthead.core.pagecache import cached_view

from .feeds import PodcastFeed

# "site": the newsroom's name and logo are in the title and the drawn artwork.
podcast = cached_view("audio", "pages", "site")(PodcastFeed())

app_name = "audio"
urlpatterns = [
    path("podcast.xml", podcast, name="podcast"),
    path("podcast/<slug:section>.xml", podcast, name="section_podcast"),
]
