from django import template

from masthead.audio.models import AudioSettings, Narration

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
        disclosure = AudioSettings.for_request(request).disclosure
    return {"narration": narration, "disclosure": disclosure}
