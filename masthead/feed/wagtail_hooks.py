from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import LocaleColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.core.admin_columns import YesNoColumn

from .models import FeedItem

EDITION = capfirst(_("edition"))  # a lazy "Edition": the word the campaigns and newsletters use


class FeedItemFilterSet(WagtailFilterSet):
    """Breaking, pinned, and the edition (Wagtail's locale filter, named as the newsroom says)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "locale" in self.filters:  # absent with a single edition
            self.filters["locale"].label = EDITION

    class Meta:
        model = FeedItem
        fields = ["is_breaking", "is_pinned"]


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
        # Each edition has its own feed; "Add" posts into the edition the list shows (or the
        # one chosen with "Switch locales" on the form), as Wagtail does for translatable snippets.
        LocaleColumn(label=EDITION),
    ]
    filterset_class = FeedItemFilterSet
    ordering = ["-published_at"]
    search_fields = ["text"]


register_snippet(FeedItemViewSet)


@hooks.register("after_create_snippet")
def remember_who_posted(request, instance):
    if isinstance(instance, FeedItem) and instance.posted_by_id is None:
        instance.posted_by = request.user
        instance.save(update_fields=["posted_by"])
