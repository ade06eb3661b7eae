from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "masthead.content"
    label = "content"
    verbose_name = "Content"

    def ready(self):
        from . import signals  # noqa: F401 - cached pages follow what is published
