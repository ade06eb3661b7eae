from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "masthead.content"
    label = "content"
    verbose_name = "Content"
