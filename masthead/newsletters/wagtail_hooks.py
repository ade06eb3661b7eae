from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.core.context_processors import can_use_admin

from . import admin_views, outbox
from .models import Newsletter, Subscription


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    list_display = ["name", "cadence", "is_visible", "subscribe_by_default"]


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "group"
    menu_label = _("Subscribers")
    list_display = ["subscriber", "newsletter", "state", "created_at", "confirmed_at"]
    list_filter = ["newsletter", "state"]
    search_fields = ["subscriber__email"]
    ordering = ["-created_at"]
    inspect_view_enabled = True


class NewslettersGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, SubscriptionViewSet)
    menu_icon = "mail"
    menu_label = _("Newsletters")
    menu_name = "newsletters"
    menu_order = 160


register_snippet(NewslettersGroup)


@hooks.register("register_admin_urls")
def outbox_urls():
    return [
        path("outbox/", admin_views.outbox, name="newsletters_outbox"),
        path(
            "outbox/<str:message_id>/",
            admin_views.outbox_message,
            name="newsletters_outbox_message",
        ),
    ]


class OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return outbox.enabled() and can_use_admin(request.user)


@hooks.register("register_admin_menu_item")
def outbox_menu_item():
    return OutboxMenuItem(
        _("Outbox"), reverse_lazy("newsletters_outbox"), icon_name="mail", order=170
    )
