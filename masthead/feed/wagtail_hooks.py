from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.core.admin_columns import YesNoColumn

from .models import FeedItem


class FeedItemViewSet(SnippetViewSet):
    """The News Feed in the admin: one short form to post, a list newest first."""

    model = FeedItem
    icon = "time"
    menu_label = _("News Feed")
    menu_order = 150
    add_to_admin_menu = True
    list_display = [
        "text",
        "published_at",
        YesNoColumn.of(FeedItem, "is_breaking"),
        YesNoColumn.of(FeedItem, "is_pinned"),
        "article",
    ]
    list_filter = ["is_breaking", "is_pinned"]
    ordering = ["-published_at"]
    search_fields = ["text"]


register_snippet(FeedItemViewSet)


@hooks.register("after_create_snippet")
def remember_who_posted(request, instance):
    if isinstance(instance, FeedItem) and instance.posted_by_id is None:
        instance.posted_by = request.user
        instance.save(update_fields=["posted_by"])
