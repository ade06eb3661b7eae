"""The fast path: cached pages answered from a process's memory before Django runs, never wrongly."""

import gzip
import io
import time
from contextlib import contextmanager
from wsgiref.util import setup_testing_defaults

import brotli
import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from masthead.core import pagecache
from masthead.core.fastpath import LOCAL, PageCacheApp
from masthead.feed import services as feed_services
from masthead.members import services as member_services
from masthead.members.models import Campaign
from masthead.members.tests import factories as member_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_TOPIC_REFRESH = 0.05
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)


class Answer:
    def __init__(self, status, headers, body):
        self.status = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body

    def __getitem__(self, name):
        return self.headers[name]

    @property
    def text(self):
        return self.body.decode()


class WSGIClient:
    """Calls the WSGI application as a server would, and notes whether Django itself ran."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.application = PageCacheApp(WSGIHandler())
        self.django_ran = 0

    def _started(self, **kwargs):
        self.django_ran += 1

    def get(self, path, method="GET", **headers):
        path, _, query = path.partition("?")
        environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method}
        environ.update(headers)
        environ.setdefault("HTTP_HOST", "localhost")
        environ["wsgi.input"] = io.BytesIO(b"")
        setup_testing_defaults(environ)
        answered = {}

        def start_response(status, response_headers, exc_info=None):
            answered["status"], answered["headers"] = status, response_headers

        with self._django_watched():
            result = self.application(environ, start_response)
            body = b"".join(result)
            if hasattr(result, "close"):
                result.close()
        return Answer(answered["status"], answered["headers"], body)

    @contextmanager
    def _django_watched(self):
        # As Django's test client does: the test's transaction must outlive each request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.connect(self._started)
        try:
            yield
        finally:
            request_started.disconnect(self._started)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi():
    return WSGIClient()


def test_a_cached_page_is_answered_without_django_or_a_query(wsgi, newsroom):
    newsroom.article(title="Trains run again to Kherson")
    first = wsgi.get("/")
    assert first["X-Cache"] == "MISS"
    assert wsgi.django_ran == 1
    with CaptureQueriesContext(connection) as queries:
        second = wsgi.get("/")
    assert wsgi.django_ran == 1  # Django never saw the second request
    assert len(queries) == 0
    assert second.status == 200
    assert second["X-Cache"] == "HIT"
    assert second.body == first.body
    assert "Trains run again to Kherson" in second.text
    # the page's own headers and the public cache headers
    for name in ("Cache-Control", "Vary", "ETag", "Last-Modified", "Content-Type"):
        assert second[name] == first[name], name
    assert second["Content-Length"] == str(len(second.body))
    assert "Set-Cookie" not in second.headers


def test_gzip_head_and_validators_on_the_fast_path(wsgi, newsroom):
    first = wsgi.get("/")
    zipped = wsgi.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == first.body
    # brotli where the browser takes it (every current one does, over HTTPS)
    smaller = wsgi.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    assert smaller["Content-Encoding"] == "br"
    assert brotli.decompress(smaller.body) == first.body
    assert len(smaller.body) < len(zipped.body)
    assert smaller["Content-Length"] == str(len(smaller.body))
    assert smaller["Vary"] == "Accept-Encoding"
    assert "Age" not in smaller.headers  # confirmed fresh a moment ago (issue 18, D7)
    # a browser that refuses brotli gets gzip; one that refuses both gets the plain page
    assert wsgi.get("/", HTTP_ACCEPT_ENCODING="br;q=0, gzip")["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in wsgi.get("/", HTTP_ACCEPT_ENCODING="identity").headers
    head = wsgi.get("/", method="HEAD")
    assert head.body == b"" and head["Content-Length"] == str(len(first.body))
    assert wsgi.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status == 304
    assert wsgi.get("/", HTTP_IF_NONE_MATCH='"other"').status == 200
    assert wsgi.django_ran == 1
    # dates are compared by the middleware, with the same answer
    assert wsgi.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status == 304
    assert wsgi.django_ran == 2


def test_a_change_in_this_process_shows_at_once(wsgi, newsroom, committed):
    wsgi.get("/")
    wsgi.get("/")
    committed(lambda: feed_services.post_item(text="Shelling reported in Nikopol."))
    page = wsgi.get("/")
    assert page["X-Cache"] == "MISS"
    assert "Shelling reported in Nikopol." in page.text


def test_a_change_made_on_another_machine_shows_within_the_refresh_interval(wsgi, newsroom):
    wsgi.get("/")
    assert wsgi.get("/")["X-Cache"] == "HIT"
    # another machine posts an item: only the shared cache hears of it
    feed_services.post_item(text="Bridge reopened to traffic.")
    caches["pages"].set("pagecache:topic:feed", time.time(), None)
    time.sleep(0.05 + pagecache.CLOCK_SKEW)
    page = wsgi.get("/")
    assert page["X-Cache"] == "MISS"
    assert "Bridge reopened to traffic." in page.text


def test_a_topic_time_lost_from_the_shared_cache_makes_copies_untrusted(wsgi, newsroom):
    wsgi.get("/")
    caches["pages"].delete("pagecache:topic:feed")  # evicted
    time.sleep(0.06)
    assert wsgi.get("/")["X-Cache"] != "HIT"


def test_personal_requests_always_reach_django(wsgi, newsroom):
    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    article = newsroom.article(
        title="Members read this too",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    assert "Help us reach 20,000 members" in wsgi.get(article.url).text
    cookie = member_services.member_cookie_value(member_factories.member("m@example.org"))
    member = wsgi.get(article.url, HTTP_COOKIE=f"{member_services.MEMBER_COOKIE}={cookie}")
    assert "X-Cache" not in member.headers
    assert "Thank you for being a member" in member.text
    assert "Thank you for being a member" not in wsgi.get(article.url).text
    session = wsgi.get(article.url, HTTP_COOKIE="sessionid=abc; theme=dark")
    assert "X-Cache" not in session.headers
    assert "X-Cache" not in wsgi.get(article.url + "?preview=1").headers
    assert wsgi.get(article.url, method="POST").status in (403, 405)
    assert wsgi.django_ran == 5  # the reader's second view came from memory
    # a cookie that personalises nothing is still a reader
    assert wsgi.get(article.url, HTTP_COOKIE="theme=dark")["X-Cache"] == "HIT"


def test_a_page_is_never_answered_for_the_other_scheme(wsgi, newsroom, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = wsgi.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure["X-Cache"] == "MISS"
    assert wsgi.get("/", HTTP_X_FORWARDED_PROTO="http")["X-Cache"] == "MISS"
    assert wsgi.get("/", HTTP_X_FORWARDED_PROTO="https")["X-Cache"] == "HIT"


def test_memory_is_bounded_and_the_least_read_page_goes_first(wsgi, newsroom, settings):
    home = wsgi.get("/")
    settings.PAGE_CACHE_LOCAL_BYTES = int(len(home.body) * 2.5)
    LOCAL.clear()
    wsgi.get("/")  # from the shared cache into memory
    wsgi.get("/news-feed/")
    assert len(LOCAL.copies) <= 2
    assert LOCAL.size <= settings.PAGE_CACHE_LOCAL_BYTES
    # pages pushed out of memory are still served from the shared cache, without a render
    assert wsgi.get("/")["X-Cache"] == "HIT"
