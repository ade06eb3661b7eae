from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    verbose_name = "Masthead core"

    def ready(self):
        from wagtail.models import Locale, Site

        from . import pagecache, routing
        from .models import NewsroomSettings

        # The newsroom's name, its sites and editions appear on every page.
        for model in (NewsroomSettings, Site, Locale):
            pagecache.follow(model, "site")
        routing.keep_root_paths_in_process()
