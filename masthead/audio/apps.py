from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "masthead.audio"
    label = "audio"
    verbose_name = "Audio"

    def ready(self):
        from masthead.core import pagecache

        from . import signals  # noqa: F401 - narrates articles when they are published
        from .models import AudioSettings, Narration, PodcastEdition

        # A narration that becomes ready adds a player to its article and an episode to podcasts.
        pagecache.follow(Narration, "pages", "audio")
        pagecache.follow(AudioSettings, "pages", "audio")
        pagecache.follow(PodcastEdition, "audio")
