"""The full-page cache: what readers get from it, who never does, and how changes reach it."""

import gzip
import http.server
import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.core import pagecache
from masthead.feed import services as feed_services
from masthead.members import services as member_services
from masthead.members.models import Campaign, Member
from masthead.members.tests import factories as member_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    # nothing has changed since long ago (a cache with no times trusts nothing at first)
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)


def test_a_reader_gets_the_second_view_from_the_cache_without_a_query(client, newsroom):
    newsroom.article(title="Power back in Kharkiv")
    first = client.get("/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/")
    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert len(queries) == 0
    assert second.content == first.content
    assert "Power back in Kharkiv" in second.content.decode()
    # the stored answer keeps the page's own headers; its policy has no nonce to replay
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "nonce" not in second["Content-Security-Policy"]
    assert second["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "stale-while-revalidate" in second["Cache-Control"]
    assert second["Vary"] == "Accept-Encoding"
    assert not second.cookies


def test_every_public_page_type_is_kept(client, newsroom):
    article = newsroom.article(title="Kept", tags=["energy"])
    urls = [
        "/",
        article.url,
        newsroom.sections[0].url,  # routable pages (sections, authors) too
        newsroom.authors[0].url,
        newsroom.news.url,
        "/tags/energy/",
        "/news-feed/",
        "/news-feed/feed.json",
        "/rss.xml",
    ]
    for url in urls:
        assert client.get(url)["X-Cache"] == "MISS", url
        assert client.get(url)["X-Cache"] == "HIT", url


def test_validators_give_304_and_gzip_is_served_to_those_who_ask(client, newsroom):
    first = client.get("/")
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get("/", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content


def test_publishing_reaches_the_cached_front_page_feeds_and_sitemap(client, newsroom, committed):
    # given cached pages
    for url in ("/", "/rss.xml", "/news-sitemap.xml", "/news-feed/feed.json"):
        client.get(url)
    # when a story and a feed item are published
    article = committed(lambda: newsroom.article(title="Dam breached near Nova Kakhovka"))
    committed(lambda: feed_services.post_item(text="Evacuation ordered downstream."))
    # then the next reader sees both
    home = client.get("/")
    assert home["X-Cache"] == "MISS"
    assert "Dam breached near Nova Kakhovka" in home.content.decode()
    assert "Evacuation ordered downstream." in home.content.decode()
    assert article.title in client.get("/rss.xml").content.decode()
    assert article.slug in client.get("/news-sitemap.xml").content.decode()
    assert "Evacuation ordered downstream." in client.get("/news-feed/feed.json").content.decode()


def test_a_feed_item_leaves_pages_that_do_not_show_the_feed_cached(client, newsroom, committed):
    client.get("/rss.xml")
    committed(lambda: feed_services.post_item(text="Air raid alert in Kyiv."))
    assert client.get("/rss.xml")["X-Cache"] == "HIT"
    assert client.get("/news-feed/rss.xml")["X-Cache"] == "MISS"


def test_unpublishing_removes_a_story_from_cached_pages(client, newsroom, committed):
    article = committed(lambda: newsroom.article(title="A story pulled for a correction"))
    assert "A story pulled" in client.get("/").content.decode()
    committed(lambda: article.unpublish())
    assert "A story pulled" not in client.get("/").content.decode()
    assert client.get(article.url).status_code == 404


def test_staff_markup_never_reaches_the_public_cache(client, admin_client, newsroom):
    article = newsroom.article(title="Edited story")
    # staff first: their page has the Edit link, and no shared cache may keep it
    staff_page = admin_client.get(article.url)
    assert "/admin/pages/" in staff_page.content.decode()
    assert staff_page["Cache-Control"] == "private, no-cache"
    # then a reader: no Edit link, from a fresh render that is stored
    reader_page = client.get(article.url)
    assert reader_page["X-Cache"] == "MISS"
    assert "/admin/pages/" not in reader_page.content.decode()
    # and staff after the reader still get their own page, not the stored one
    again = admin_client.get(article.url)
    assert "X-Cache" not in again
    assert "/admin/pages/" in again.content.decode()


def test_members_and_readers_who_dismissed_the_banner_get_their_own_page(client, newsroom):
    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    article = newsroom.article(
        title="A long story",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    assert "Help us reach 20,000 members" in client.get(article.url).content.decode()
    paid = member_factories.member("paid@example.org")
    member = Client()
    member.cookies[member_services.MEMBER_COOKIE] = member_services.member_cookie_value(paid)
    page = member.get(article.url)
    assert "X-Cache" not in page
    assert "Thank you for being a member" in page.content.decode()
    assert "Help us reach 20,000 members" not in page.content.decode()
    # the stored page stays the reader's
    assert "Thank you for being a member" not in client.get(article.url).content.decode()
    dismissed = Client()
    dismissed.cookies[member_services.DISMISS_COOKIE] = "1"
    assert "X-Cache" not in dismissed.get("/")


def test_campaign_progress_reaches_cached_pages(client, newsroom, committed):
    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    # the count is hidden below the drive's threshold (one member, by default)...
    assert "of 20,000 members" not in client.get("/").content.decode()
    committed(lambda: member_services.progress_changed())
    Member.objects.create(email="new@example.org", is_active=True)
    committed(lambda: member_services.progress_changed())
    # ...and reaches the cached page as soon as it shows
    assert "1 of 20,000 members" in client.get("/").content.decode()


def test_only_known_parameters_make_a_separate_page(client, newsroom):
    client.get("/")
    # tracking parameters from shares are the same page
    assert client.get("/?utm_source=telegram&fbclid=x")["X-Cache"] == "HIT"
    # pagination is its own page
    assert client.get("/news/?page=1")["X-Cache"] == "MISS"
    assert client.get("/news/?page=1")["X-Cache"] == "HIT"
    # anything else is rendered and not kept, so junk parameters cannot fill the cache
    assert "X-Cache" not in client.get("/?x=1")
    assert "X-Cache" not in client.get("/?x=1")


@pytest.mark.parametrize(
    "path",
    [
        "/news/?page=abc",
        "/news/?page=01",
        "/news/?page=-3",
        "/news/?page=%EF%BC%91",  # a full-width digit one, which int() reads as 1
        "/?page=7",  # the front page has no pages
        "/news-feed/?before=junk",
        "/news-feed/feed.json?before=junk",
    ],
)
def test_a_page_value_that_names_no_real_page_is_answered_but_never_kept(client, newsroom, path):
    """A flood of made-up ?page= values cannot fill the cache: only real pages are stored."""
    newsroom.article(title="Listed")
    first = client.get(path)
    assert first.status_code == 200
    assert "X-Cache" not in first and "X-Cache" not in client.get(path)
    assert "public" not in first["Cache-Control"]  # nor kept by a CDN
    assert not [k for k in caches["pages"]._cache if ":page:" in k]


def test_a_real_second_page_is_kept(client, newsroom):
    for n in range(21):
        newsroom.article(title=f"Story {n}")
    assert client.get("/news/?page=2")["X-Cache"] == "MISS"
    assert client.get("/news/?page=2")["X-Cache"] == "HIT"


def test_a_stale_page_is_served_while_one_request_renders_it(client, newsroom, committed):
    client.get("/")
    committed(lambda: feed_services.post_item(text="New item."))
    key = pagecache.key_for(_request("/").META)
    caches["pages"].add(key + ":rendering", 1, 10)  # another process is rendering it
    stale = client.get("/")
    assert stale["X-Cache"] == "STALE"
    assert "New item." not in stale.content.decode()
    caches["pages"].delete(key + ":rendering")
    fresh = client.get("/")
    assert fresh["X-Cache"] == "MISS"
    assert "New item." in fresh.content.decode()


def _request(path):
    from django.test import RequestFactory

    return RequestFactory().get(path)


def test_non_pages_and_errors_are_never_stored(client, newsroom):
    assert "X-Cache" not in client.get("/search/?q=grid")
    assert client.get("/no-such-page/").status_code == 404
    assert "X-Cache" not in client.get("/no-such-page/")
    assert "X-Cache" not in client.get("/members/join/")


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    purged = []

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.purged.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def varnish(settings):
    """A local server that takes HTTP PURGE requests, as Varnish does."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PurgeRecorder.purged = []
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield PurgeRecorder.purged
    server.shutdown()


def test_publishing_purges_the_cdn_for_the_page_and_the_pages_that_list_it(
    newsroom, committed, varnish
):
    article = committed(lambda: newsroom.article(title="Purged"))
    paths = {path for _host, path in varnish}
    assert article.url in paths  # Wagtail's own purge of the page
    assert {"/", "/rss.xml", "/news-sitemap.xml"} <= paths
    # on the site's own address, as Wagtail purges the page
    assert {host for host, _path in varnish} == {"localhost"}
    varnish.clear()
    committed(lambda: feed_services.post_item(text="Purge the feed."))
    assert {path for _h, path in varnish} >= {"/news-feed/", "/news-feed/feed.json", "/"}


def test_an_embargoed_feed_item_reaches_cached_pages_when_its_time_comes(
    client, newsroom, committed
):
    import datetime

    from django.utils import timezone

    from masthead.core.management.commands import newsroom_worker

    # given an item posted for one second from now, and the feed page cached without it
    soon = timezone.now() + datetime.timedelta(seconds=1)
    feed_services.post_item(text="Embargoed statement.", published_at=soon)
    newsroom_worker._clock["last"] = timezone.now()
    assert "Embargoed statement." not in client.get("/news-feed/").content.decode()
    # when its time has come and the worker's scheduler makes its round
    time.sleep(1.1)
    committed(newsroom_worker.follow_the_clock)
    # then the cached page shows it
    assert "Embargoed statement." in client.get("/news-feed/").content.decode()


def test_a_page_made_private_in_the_admin_leaves_the_cdn_with_its_children(
    admin_client, client, newsroom, committed, varnish
):
    """An editor makes a section private from the page's Privacy dialog: the CDN drops the
    section and every story under it, not only the listings."""
    # given a section with a story, both cached
    story = newsroom.article(title="Soon private", parent=newsroom.sections[1])
    section = newsroom.sections[1]
    assert client.get(story.url)["X-Cache"] == "MISS"
    varnish.clear()
    # when the editor sets "Private, accessible to logged-in users" and saves
    response = committed(
        lambda: admin_client.post(
            f"/admin/pages/{section.pk}/privacy/", {"restriction_type": "login"}
        )
    )
    assert response.status_code == 200
    # then the CDN is told to drop the section and the story beneath it
    paths = {path for _host, path in varnish}
    assert {section.url, story.url} <= paths
    # and the page cache no longer answers for it
    assert client.get(story.url).status_code == 302  # to the sign-in page


def test_a_page_confirmed_fresh_is_fresh_for_a_cdn_however_old_its_render(client, newsroom):
    """Age would say how long ago the page was rendered; a CDN then counts it against s-maxage
    and takes a page the origin confirmed a moment ago for stale (issue 18, D7: robots.txt with
    Age: 824 and s-maxage=300). A fresh answer carries no Age; a stale one says it is due."""
    client.get("/robots.txt")
    # given an entry rendered twenty minutes ago that nothing has changed since
    key = pagecache.key_for(_request("/robots.txt").META)
    entry = caches["pages"].get(key)
    entry["started"] -= 1200
    caches["pages"].set(key, entry)
    hit = client.get("/robots.txt")
    assert hit["X-Cache"] == "HIT"
    assert "Age" not in hit
    assert "s-maxage=300" in hit["Cache-Control"]
    # a stale copy, served while another request renders the new one, is due for renewal at once
    caches["pages"].set("pagecache:topic:site", time.time(), None)
    caches["pages"].add(key + ":rendering", 1, 10)
    stale = client.get("/robots.txt")
    assert stale["X-Cache"] == "STALE"
    assert stale["Age"] == "300"


def test_junk_page_values_keep_no_pieces_of_pages_either(client, newsroom):
    """The head of a list is kept per real page; ?page=abc shows page 1 and reuses its pieces."""
    from django.core.cache import cache

    newsroom.article(title="Listed")

    def pieces():
        return {k for k in cache._cache if "pagecache:fragment:" in k}

    client.get("/news/")
    before = pieces()
    for junk in ("abc", "01", "%EF%BC%92", "1"):
        client.get(f"/news/?page={junk}")
    assert pieces() == before


@pytest.mark.parametrize(
    "host", ["TESTSERVER", "testserver.", "testserver:81", "TestServer.:8080", "testserver:65535"]
)
def test_another_spelling_of_the_host_is_answered_but_never_kept(client, newsroom, host):
    """Django takes "TestServer.:8080" for testserver; if each spelling kept its own copy of every
    page, a flood of spellings would fill the cache (and a copy names its host as it was spelt)."""
    newsroom.article(title="Listed")
    assert client.get("/", HTTP_HOST="testserver")["X-Cache"] == "MISS"
    kept = {k for k in caches["pages"]._cache if ":page:" in k}
    first = client.get("/", HTTP_HOST=host)
    assert first.status_code == 200
    assert "X-Cache" not in first and "X-Cache" not in client.get("/", HTTP_HOST=host)
    assert {k for k in caches["pages"]._cache if ":page:" in k} == kept
    assert client.get("/", HTTP_HOST="testserver")["X-Cache"] == "HIT"
