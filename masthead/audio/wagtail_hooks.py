from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.content.models import ArticlePage
from masthead.core.admin_bulk import PermittedBulkActionsIndexView

from . import admin_views
from .models import Narration, Pronunciation


class ListenColumn(Column):
    """A player (or the reason it failed) and a regenerate button, so editors need not leave."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if instance.state == Narration.State.READY and instance.audio:
            heard = format_html(
                '<audio controls preload="none" src="{}" aria-label="{}"></audio>',
                instance.audio.url,
                _("Listen to %(article)s") % {"article": instance.article.title},
            )
        else:
            heard = instance.error[:300] if instance.state == Narration.State.FAILED else ""
        regenerate = format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
            'value="{}"><button type="submit" class="button button-small button-secondary">{}'
            "</button></form>",
            reverse("audio_regenerate", args=[instance.article_id]),
            get_token(request) if request else "",
            _("Regenerate"),
        )
        context["value"] = format_html("{}{}", heard, regenerate)
        return context


class NarrationViewSet(SnippetViewSet):
    model = Narration
    icon = "media"
    menu_label = _("Narrations")
    index_view_class = PermittedBulkActionsIndexView  # editors regenerate narrations, never delete
    list_display = [
        "article",
        "state",
        "voice",
        "duration_seconds",
        "finished_at",
        ListenColumn("listen", label=_("Listen, or why it failed")),
    ]
    list_filter = ["state"]
    search_fields = ["article__title"]
    inspect_view_enabled = True
    ordering = ["-requested_at"]


class PronunciationViewSet(SnippetViewSet):
    model = Pronunciation
    icon = "openquote"
    list_display = ["term", "spoken"]
    search_fields = ["term"]


class AudioGroup(SnippetViewSetGroup):
    menu_label = _("Audio")
    menu_icon = "media"
    menu_order = 320
    items = (NarrationViewSet, PronunciationViewSet)


register_snippet(AudioGroup)


@hooks.register("register_admin_urls")
def audio_admin_urls():
    return [
        path(
            "audio/regenerate/<int:page_id>/",
            admin_views.regenerate,
            name="audio_regenerate",
        )
    ]


@hooks.register("register_page_header_buttons")
def narration_button(page, user, view_name, next_url=None):
    if page.specific_class is ArticlePage and page.live and user.has_perm("audio.change_narration"):
        narration = Narration.objects.filter(article_id=page.pk).first()
        state = narration.get_state_display() if narration else _("not made yet")
        yield Button(
            _("Narration: %(state)s") % {"state": state},
            url=reverse("wagtailsnippets_audio_narration:list") + f"?q={page.title}",
            icon_name="media",
            priority=41,
        )
