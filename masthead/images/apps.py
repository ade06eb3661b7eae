from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "masthead.images"
    label = "images"
    verbose_name = "Images"

    def ready(self):
        from . import permissions

        # Pictures and documents a live page shows are changed by editors only.
        permissions.register()
