from django import template
from django.utils.translation import gettext

from masthead.audio.models import AudioSettings, Narration
from masthead.core.models import NewsroomSettings

register = template.Library()


@register.inclusion_tag("audio/player.html", takes_context=True)
def narration_player(context, article):
    """The article's audio with its disclosure, or nothing until a narration is ready."""
    narration = (
        Narration.objects.filter(article_id=article.pk, state=Narration.State.READY)
        .only("audio", "duration_seconds", "size_bytes")
        .first()
    )
    disclosure = ""
    request = context.get("request")
    if narration is not None and request is not None:
        # The edition's own words, else the newsroom's; the default wording has a translation.
        own = getattr(NewsroomSettings.for_request(request), "audio_disclosure", "")
        disclosure = own or gettext(AudioSettings.for_request(request).disclosure)
    return {"narration": narration, "disclosure": disclosure}
