"""What the newsroom does with narration: decide what is read, narrate it once, retry, give up cleanly."""

import hashlib
import logging
import threading
import time
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.models import Site

from masthead.core import editions

from . import encoding, engines
from .models import AudioSettings, Narration, Pronunciation
from .speech_text import speakable

logger = logging.getLogger("masthead.audio")

MAX_ATTEMPTS = 3
FALLBACK_VOICE = "espeak-ng:en-us"
# Blocks a listener hears; images, embeds, related links and sign-up forms are skipped.
SPOKEN_BLOCKS = {"paragraph", "heading", "quote"}


def audio_settings():
    site = Site.objects.filter(is_default_site=True).first()
    return AudioSettings.for_site(site) if site else AudioSettings()


def _language(article):
    return getattr(article, "language_code", None) or editions.default_language()


def voice_for(article, config):
    """The voice that reads this article: the newsroom's choice if it speaks the article's language,
    else the first voice that does, else None (an article no voice here can read has no audio)."""
    language = _language(article)
    if engines.VOICE_LANGUAGES.get(config.voice, "en") == language:
        return config.voice
    return next(
        (
            voice
            for voice, _name in engines.VOICE_CHOICES
            if engines.VOICE_LANGUAGES.get(voice) == language
        ),
        None,
    )


def fallback_voice(voice):
    """eSpeak NG in the voice's language, when the chosen engine is not installed here."""
    language = engines.VOICE_LANGUAGES.get(voice, "en")
    return FALLBACK_VOICE if language == "en" else f"espeak-ng:{language}"


def narration_script(article):
    """The paragraphs the voice reads: headline, byline, then the body in order, in the article's
    own language."""
    with translation.override(_language(article)):
        return _narration_script(article)


def _narration_script(article):
    names = [author.title for author in article.authors]
    script = [article.title.rstrip(".") + "."]
    if names:
        joined = (
            names[0]
            if len(names) == 1
            else _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
        )
        script.append(_("By %(names)s.") % {"names": joined})
    for block in article.body:
        if block.block_type not in SPOKEN_BLOCKS:
            continue
        if block.block_type == "paragraph":
            text = strip_tags(block.value.source).strip()
        elif block.block_type == "heading":
            text = str(block.value).strip().rstrip(".") + "."
        else:
            text = str(block.value.get("text", "")).strip()
            if block.value.get("attribution"):
                text += " " + _("That was %(name)s.") % {"name": block.value["attribution"]}
        if text:
            script.append(" ".join(text.split()))
    return script


def narration_key(script, voice):
    digest = hashlib.sha256(voice.encode())
    for paragraph in script:
        digest.update(b"\n\n" + paragraph.encode())
    return digest.hexdigest()


_paused = threading.local()


@contextmanager
def paused():
    """Publish without narrating (the demo seeds sixty articles and narrates only the newest)."""
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = False


def request_narration(article, *, force=False):
    """Queue a narration if the article's text or the voice changed. Returns True if queued."""
    if getattr(_paused, "on", False):
        return False
    if not article.live:
        # Scheduling sends Wagtail's page_published too, with the page not live yet. Narrating
        # then would find no live page and leave the narration pending under the text's key, so
        # go-live (the same text) would queue nothing; publish_scheduled's own page_published
        # narrates it instead.
        return False
    config = audio_settings()
    if not getattr(article, "narrate", True):
        withdraw(article)
        return False
    if not config.narrate_articles:
        return False
    voice = voice_for(article, config)
    if voice is None:
        return False
    key = narration_key(narration_script(article), voice)
    narration, created = Narration.objects.get_or_create(article=article)
    unchanged = narration.key == key and narration.state in (
        Narration.State.READY,
        Narration.State.PENDING,
    )
    if unchanged and not created and not force:
        return False
    Narration.objects.filter(pk=narration.pk).update(
        state=Narration.State.PENDING,
        key=key,
        attempts=0,
        error="",
        requested_at=timezone.now(),
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.narrate_article.enqueue(article.pk))
    return True


def withdraw(article):
    """An article opted out: its audio goes, from the page, the podcast and storage."""
    narration = Narration.objects.filter(article=article).first()
    if narration is None:
        return
    if narration.audio:
        default_storage.delete(narration.audio.name)
    narration.delete()


def narrate(article_id):
    """Narrate an article if its current text has no audio yet. Returns a status word.

    Idempotent: the audio is keyed by the text and the voice; a second run with both unchanged
    does nothing. Failures are retried up to MAX_ATTEMPTS times, then recorded with the reason
    and the page shows no player (never a broken one).
    """
    from masthead.content.models import ArticlePage

    article = ArticlePage.objects.live().filter(pk=article_id).first()
    narration = Narration.objects.filter(article_id=article_id).first()
    if article is None or narration is None:
        if narration is not None and narration.state == Narration.State.PENDING:
            # Forget the key, so publishing the page later queues its narration again.
            Narration.objects.filter(pk=narration.pk).update(key="")
        return "gone"
    voice = voice_for(article, audio_settings())
    if voice is None:
        return "no voice"
    script = narration_script(article)
    key = narration_key(script, voice)
    if narration.state == Narration.State.READY and narration.key == key:
        return "unchanged"
    last_error = ""
    for attempt in range(narration.attempts + 1, MAX_ATTEMPTS + 1):
        try:
            used = _synthesize(article, script, key, voice, narration)
        except Exception as error:  # noqa: BLE001 - any engine or storage failure: retry, then record
            last_error = f"{error.__class__.__name__}: {error}"[:1000]
            logger.warning(
                "Narrating article %s failed (attempt %s): %s", article_id, attempt, last_error
            )
            Narration.objects.filter(pk=narration.pk).update(attempts=attempt, error=last_error)
            continue
        logger.info("Narrated article %s with %s", article_id, used)
        return "ready"
    Narration.objects.filter(pk=narration.pk).update(
        state=Narration.State.FAILED, error=last_error, finished_at=timezone.now()
    )
    return "failed"


def _synthesize(article, script, key, voice, narration):
    started = time.perf_counter()
    lexicon = dict(Pronunciation.objects.values_list("term", "spoken"))
    try:
        engine = engines.get_engine(voice)
    except engines.EngineUnavailable:
        logger.warning("Voice %s is not available; using %s", voice, fallback_voice(voice))
        engine = engines.get_engine(fallback_voice(voice))
    # The written-English rules (numbers, dates, money) are for English; eSpeak NG reads the
    # Ukrainian edition's numbers itself.
    english = engines.VOICE_LANGUAGES.get(engine.name, "en") == "en"
    speeches = engine.synthesize_many(
        [speakable(paragraph, lexicon) if english else paragraph for paragraph in script]
    )
    rate = speeches[0].sample_rate
    pcm = encoding.join([speech.pcm for speech in speeches], rate)
    mp3 = encoding.to_mp3(pcm, rate)
    old = narration.audio.name
    name = f"narrations/article-{article.pk}-{key[:16]}.mp3"
    if name != old and default_storage.exists(name):
        default_storage.delete(name)  # the same audio, stored by a run killed before recording it
    name = default_storage.save(name, ContentFile(mp3))
    Narration.objects.filter(pk=narration.pk).update(
        state=Narration.State.READY,
        key=key,
        voice=engine.name,
        audio=name,
        size_bytes=len(mp3),
        duration_seconds=encoding.duration_seconds(pcm, rate),
        words=sum(len(p.split()) for p in script),
        synthesis_seconds=time.perf_counter() - started,
        error="",
        finished_at=timezone.now(),
    )
    if old and old != name:
        default_storage.delete(old)
    return engine.name
