"""The admin's list of users, with each person's role as its access level."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users

from . import roles


class UserIndexView(users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("groups")

    @cached_property
    def columns(self):
        # Wagtail's "Access level" names superusers only; a writer's and an editor's row was blank.
        return [
            Column(
                "is_superuser",
                accessor=lambda user: ", ".join(
                    str(roles.LABELS[name]) for name in roles.role_names(user)
                ),
                label=_("Access level"),
                classname="level",
                width="15%",
            )
            if column.name == "is_superuser"
            else column
            for column in super().columns
        ]


class UserViewSet(users.UserViewSet):
    index_view_class = UserIndexView
