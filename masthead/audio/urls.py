from django.urls import path

from .feeds import PodcastFeed

app_name = "audio"
urlpatterns = [
    path("podcast.xml", PodcastFeed(), name="podcast"),
    path("podcast/<slug:section>.xml", PodcastFeed(), name="section_podcast"),
]
