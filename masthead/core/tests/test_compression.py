"""Brotli or gzip for every text answer: cached pages, uncached ones (search, 404) and static files."""

import gzip

import brotli
import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from masthead.core import pagecache
from masthead.core.compression import negotiate

pytestmark = pytest.mark.django_db

CHROMIUM = "gzip, deflate, br, zstd"


@pytest.mark.parametrize(
    "header, coding",
    [
        (CHROMIUM, "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("*", "br"),
        ("*;q=0", None),
        ("identity", None),
        ("", None),
        ("gzip;q=nonsense, br", "br"),
        ("BR", "br"),
    ],
)
def test_the_coding_follows_what_the_browser_accepts(header, coding):
    assert negotiate(header) == coding


def decoded(response):
    coding = response.get("Content-Encoding")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[coding](body)


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)


def test_cached_pages_are_sent_as_brotli_compressed_when_stored(client, newsroom, page_cache_on):
    newsroom.article(title="Compressed once")
    plain = client.get("/", HTTP_ACCEPT_ENCODING="identity")
    assert plain["X-Cache"] == "MISS" and "Content-Encoding" not in plain
    hit = client.get("/", HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert hit["X-Cache"] == "HIT"
    assert hit["Content-Encoding"] == "br"
    assert decoded(hit) == plain.content
    assert hit["Vary"] == "Accept-Encoding"
    assert client.get("/", HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"


def test_an_entry_stored_before_brotli_is_sent_as_gzip(client, newsroom, page_cache_on):
    client.get("/")
    key = pagecache.key_for(client.get("/").wsgi_request.META)
    entry = caches["pages"].get(key)
    del entry["br"]
    caches["pages"].set(key, entry)
    old = client.get("/", HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert old["X-Cache"] == "HIT" and old["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("path, status", [("/search/?q=grid", 200), ("/no/such/page/", 404)])
def test_pages_the_cache_does_not_keep_are_compressed_too(client, newsroom, path, status):
    newsroom.article(title="The grid held")
    plain = client.get(path)
    response = client.get(path, HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert response.status_code == status
    assert response["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Length"] == str(len(response.content))
    assert decoded(response) == plain.content


def test_a_personal_page_is_never_brotli(client, newsroom):
    """A page for a browser with cookies may carry a secret (a CSRF token, an address): gzip with
    Django's BREACH mitigation, so its compressed size cannot be used to guess the secret."""
    first = client.get("/members/sign-in/", HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert first.cookies  # the form's CSRF cookie
    assert first["Content-Encoding"] == "gzip"
    again = client.get("/members/sign-in/", HTTP_ACCEPT_ENCODING=CHROMIUM)  # sends the cookie
    assert again["Content-Encoding"] == "gzip"
    assert b"csrfmiddlewaretoken" in gzip.decompress(again.content)


def test_small_answers_and_media_are_left_as_they_are(client, newsroom, settings):
    robots = client.get("/robots.txt", HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert "Content-Encoding" not in robots or len(robots.content) < len(decoded(robots))
    path = settings.MEDIA_ROOT / "audio" / "story.mp3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"ID3" + b"\0" * 5000)
    sound = client.get("/media/audio/story.mp3", HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert "Content-Encoding" not in sound


@pytest.mark.parametrize(
    "storage",
    [
        "masthead.core.staticfiles.CompressedOnceStaticFilesStorage",  # the embedded default
        "whitenoise.storage.CompressedManifestStaticFilesStorage",  # production
    ],
)
def test_static_files_are_served_as_brotli_by_both_profiles(settings, tmp_path, storage):
    """collectstatic writes brotli and gzip copies; WhiteNoise sends the one the browser takes."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": storage}}
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.MIDDLEWARE = [
        "whitenoise.middleware.WhiteNoiseMiddleware",
        *[m for m in settings.MIDDLEWARE if "whitenoise" not in m],
    ]
    call_command("collectstatic", "--noinput", "--verbosity", "0")
    from django.templatetags.static import static

    url = static("css/site.css")
    client = Client()
    plain = client.get(url)
    smaller = client.get(url, HTTP_ACCEPT_ENCODING=CHROMIUM)
    assert smaller.status_code == 200
    assert smaller["Content-Encoding"] == "br"
    assert smaller["Vary"] == "Accept-Encoding"
    assert decoded(smaller) == b"".join(plain.streaming_content)
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    if "manifest" in storage.lower():
        return  # production collects once per deploy
    # `masthead run` collects on every start: unchanged files are not compressed again
    copy = settings.STATIC_ROOT / url.removeprefix("/static/")
    before = (copy.parent / (copy.name + ".br")).stat().st_mtime_ns
    call_command("collectstatic", "--noinput", "--verbosity", "0")
    assert (copy.parent / (copy.name + ".br")).stat().st_mtime_ns == before
