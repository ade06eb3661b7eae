from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    verbose_name = "Masthead core"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.models import Locale, Site

        from . import cdn, editions, leases, pagecache, routing
        from .models import NewsroomSettings

        # The newsroom's name, its sites and editions appear on every page.
        for model in (NewsroomSettings, Site, Locale):
            pagecache.follow(model, "site")
        routing.keep_root_paths_in_process()
        cdn.follow_restrictions()
        # A task outlives its worker: leases taken as workers start tasks (core/leases.py).
        leases.connect()
        post_migrate.connect(editions.ensure_locales, sender=self, dispatch_uid="core:locales")
