"""Narrate an article whenever it is published, from the admin, the scheduler or the shell."""

from wagtail.signals import page_published

from masthead.content.models import ArticlePage

from . import services


def narrate_on_publish(sender, instance, **kwargs):
    services.request_narration(instance)


page_published.connect(narrate_on_publish, sender=ArticlePage)
