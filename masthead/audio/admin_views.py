from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masthead.content.models import ArticlePage
from masthead.core.security import local_path

from . import services


@require_POST
def regenerate(request, page_id):
    """Narrate an article again, even if its text is unchanged (a new voice, a fixed lexicon)."""
    if not request.user.has_perm("audio.change_narration"):
        raise PermissionDenied
    article = get_object_or_404(ArticlePage.objects.live(), pk=page_id)
    if services.request_narration(article, force=True):
        messages.success(request, _("A new narration is being made. It takes about a minute."))
    else:
        messages.warning(
            request,
            _("Narration is switched off for this article or for the site (Settings → Audio)."),
        )
    return redirect(
        local_path(request.POST.get("next"), reverse("wagtailsnippets_audio_narration:list"))
    )
