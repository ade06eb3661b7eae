from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "masthead.audio"
    label = "audio"
    verbose_name = "Audio"

    def ready(self):
        from . import signals  # noqa: F401 - narrates articles when they are published
