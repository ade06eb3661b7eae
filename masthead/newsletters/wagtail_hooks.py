from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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
