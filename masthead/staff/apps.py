from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class StaffConfig(AppConfig):
    """The newsroom's staff and their roles. Installed last, so that its `post_migrate` comes
    after every app's permissions are made."""

    default = True  # this module holds two app configs; "masthead.staff" means this one
    name = "masthead.staff"
    label = "staff"
    verbose_name = "Masthead staff"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        post_migrate.connect(signals.apply_roles, sender=self, dispatch_uid="staff:roles")


class UsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app with the newsroom's list of users (each one's role shown)."""

    default = False
    user_viewset = "masthead.staff.views.UserViewSet"
