"""The full-page cache for anonymous readers, and how the newsroom says what changed.

A view opts in by naming what its page shows (`show(request, "pages", "feed")`). The middleware,
first in the chain, stores the finished response (headers, body, a brotli and a gzip copy) for readers who
carry none of the cookies that personalise a page, and serves it to the next such reader without
touching the database or the template engine.

Invalidation is by topic, not by lifetime. `changed("feed")` (on commit) records the time the feed
last changed; an entry is fresh only if its render started after every topic it shows last changed.
So a change needs no list of URLs and a render that raced a change is never trusted. A stale entry is
still served to everyone but the one request that re-renders it, so a spike never stampedes the
database after a publish. Entries rendered within CLOCK_SKEW of a change are not trusted either, in
case the machine that made the change keeps a slightly different clock.

Topics: "site" (settings, navigation: every answer), "campaign" (the drive's banner: HTML pages),
"pages" (anything published in the page tree), "feed", "picks", "audio".
"""

import gzip
import hashlib
import time
from contextvars import ContextVar
from email.utils import formatdate, parsedate_to_datetime
from functools import wraps
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port

from . import compression
from .signals import on_change

TOPICS = ("site", "campaign", "pages", "feed", "picks", "audio")
EVERY_ANSWER = ("site",)
CLOCK_SKEW = 0.25
RENDER_LOCK_SECONDS = 10
# Query parameters a cached page may depend on (a list's page, the News Feed's cursor): an answer is
# stored under one only if its view said the value named a real page (keyed_by). Tracking
# parameters are ignored; any other skips the cache.
KEYED_PARAMETERS = {"page", "before"}
IGNORED_PARAMETERS = {"fbclid", "gclid", "mc_cid", "mc_eid", "ref"}
# Headers the cache sets itself on every answer.
# WSGI environ keys by which the fast path and the middleware hand each other an entry.
FETCHED = "masthead.pagecache.fetched"
STORED = "masthead.pagecache.stored"
OWN_HEADERS = {"cache-control", "vary", "etag", "last-modified", "content-length", "set-cookie"}


def shared_cache():
    """The cache every process shares, the worker's too: Redis, or a folder on the embedded default.
    Pages and topic times live here."""
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "pages")]


def enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def personal_cookies():
    """Cookies that mean the page may differ for this browser: staff, members, dismissed banners."""
    return (
        settings.SESSION_COOKIE_NAME,
        "messages",
        "masthead_member",
        "masthead_banner_dismissed",
    )


# --- What a page shows, and what changed -----------------------------------------------------------


def show(request, *topics):
    """Mark this response as cacheable for anonymous readers, depending on these topics."""
    request.page_cache_topics = set(EVERY_ANSWER) | set(topics)


def keyed_by(request, name):
    """Say that this answer is a real page of ?name= (page 2 of a list that has one): only then is
    it stored under that value. Junk (?page=abc, ?page=02) or a parameter the page ignores (an
    article's ?page=9) still gets its answer, but never fills the cache with copies."""
    request.page_cache_keyed = {*getattr(request, "page_cache_keyed", ()), name}


def _keyed_names(query):
    return {
        name
        for name, _value in parse_qsl(query, keep_blank_values=True)
        if name in KEYED_PARAMETERS
    }


def cached_view(*topics):
    """Decorate a function view whose page depends on these topics."""

    def decorate(view):
        @wraps(view)  # views may be Feed objects, which have no __name__: wraps skips it
        def wrapper(request, *args, **kwargs):
            show(request, *topics)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def changed(*topics):
    """Say that what these topics show has changed; cached pages showing them re-render after commit."""

    def record():
        now = time.time()
        shared_cache().set_many({f"pagecache:topic:{t}": now for t in topics}, timeout=None)
        from . import cdn, fastpath

        fastpath.LOCAL.heard(
            topics, now
        )  # this process need not wait for its next read of the times
        cdn.purge_topics(topics)

    transaction.on_commit(record)


def follow(model, *topics):
    """Treat every save or delete of this model as a change to these topics."""

    def handler(sender, **kwargs):
        changed(*topics)

    on_change(model, handler, f"pagecache:{model._meta.label}:{','.join(topics)}")


# --- The middleware --------------------------------------------------------------------------------


def key_for(environ):
    """The cache key for a WSGI request, or None when the request must not use the cache.

    Read from the raw WSGI environ, so the fast path (fastpath.py) and the middleware agree without
    building a request. A page's language follows from its address (editions live under their own
    path), so the key needs no Accept-Language. Only hosts Django accepted ever get an entry stored.
    """
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    cookies = environ.get("HTTP_COOKIE")
    if cookies and any(name in parse_cookie(cookies) for name in personal_cookies()):
        return None
    params = []
    query = environ.get("QUERY_STRING")
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name.startswith("utm_") or name in IGNORED_PARAMETERS:
                continue
            if name not in KEYED_PARAMETERS:
                return None
            params.append((name, value))
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    if not _plain_host(host, environ):
        return None
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    address = f"{_scheme(environ)}://{host}{path}?{urlencode(sorted(params))}"
    return (
        "pagecache:page:" + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    )


def _plain_host(host, environ):
    """Whether a host is written as the newsroom's own address is: lower case, no trailing dot,
    and no port but the one this server listens on or SITE_URL's. Django accepts
    "EXAMPLE.org.:1234" for example.org, and every spelling would keep a copy of every page of its
    own (and a page's structured data names the host as it was spelt): such requests are answered,
    never kept."""
    domain, port = split_domain_port(host)
    if not domain or host != (f"{domain}:{port}" if port else domain):
        return False
    return (
        not port
        or port == str(environ.get("SERVER_PORT", ""))
        or port == str(urlsplit(settings.SITE_URL).port or "")
    )


def _scheme(environ):
    """http or https as Django would judge it, so a page never answers for the other scheme."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        header, secure_value = proxy_header
        if header in environ:
            return "https" if environ[header].split(",")[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")


def _fresh(entry, cache):
    names = [f"pagecache:topic:{t}" for t in entry["topics"]]
    changed_at = cache.get_many(names)
    if len(changed_at) < len(names):
        # A topic's time was evicted: we cannot tell what changed, so start counting again now.
        now = time.time()
        for name in names:
            if name not in changed_at:
                cache.add(name, now, timeout=None)
        return False
    return all(entry["started"] > when + CLOCK_SKEW for when in changed_at.values())


# --- Kept parts: what many pages share -------------------------------------------------------------

# A render reads every topic time once, at its first kept part, and judges all its parts by that one
# reading. What it builds is dated from that reading, not from when it was built: a part built from
# another that missed a later change is then itself older than that change, so neither it nor the
# page it went into (whose render started earlier still) can be judged fresh. Outside a render
# (tasks, shells) each call reads the times afresh. A context variable, not a thread's: under ASGI
# the sync parts of several requests may take turns on one thread.
_reading = ContextVar("masthead_pagecache_reading", default=None)
_inside = ContextVar("masthead_pagecache_inside", default=False)
NEAR_SECONDS = 300


def render_started():
    _reading.set(None)
    _inside.set(True)


def render_finished():
    _reading.set(None)
    _inside.set(False)


def topic_times():
    """({topic: when it last changed}, when they were read): one round trip a render."""
    reading = _reading.get()
    if reading is not None:
        return reading
    cache = shared_cache()
    names = {f"pagecache:topic:{t}": t for t in TOPICS}
    read_at = time.time()
    found = cache.get_many(list(names))
    times = {}
    for name, topic in names.items():
        if name not in found:
            # A topic's time was evicted: we cannot tell what changed, so start counting again now.
            cache.add(name, read_at, timeout=None)
        times[topic] = found.get(name, read_at)
    reading = (times, read_at)
    if _inside.get():
        _reading.set(reading)
    return reading


def _fresh_by(entry, times):
    return all(entry["started"] > times.get(t, float("inf")) + CLOCK_SKEW for t in entry["topics"])


def near_cache():
    """This process's own memory in front of the shared cache, where production configures one."""
    return caches["near"] if "near" in settings.CACHES else None


# Values read by every request and never changed by their readers (the sites), held as they are:
# a copy from the near cache costs unpickling them on each request.
_held = {}


def forget(name):
    """Drop a kept part at once, here and in the shared cache (before the change is even committed,
    for the rest of the request that made it; other processes hear of it by its topic)."""
    key = f"pagecache:part:{name}"
    _held.pop(key, None)
    near = near_cache()
    if near is not None:
        near.delete(key)
    default_cache.delete(key)


def forget_local_copies():
    """Drop this process's copies (tests, whose databases start again under the same topic times)."""
    _held.clear()
    near = near_cache()
    if near is not None:
        near.clear()


def kept(key, topics, build, *, read_only=False):
    """Return build()'s value, kept until one of the topics changes (key: a full cache key).

    Each process keeps a copy in its memory and the shared cache keeps one for all; freshness is
    judged by the same topic times as pages, so a copy in memory is exactly as trustworthy. A
    read_only value is held in this process as the very object, shared by its requests.
    """
    if not enabled():
        return build()
    times, read_at = topic_times()
    if read_only:
        entry = _held.get(key)
        if entry is not None and _fresh_by(entry, times):
            return entry["value"]
    near = near_cache()
    entry = near.get(key) if near is not None else None
    if entry is not None and _fresh_by(entry, times):
        if read_only:
            _held[key] = entry
        return entry["value"]
    entry = default_cache.get(key)
    if entry is None or not _fresh_by(entry, times):
        entry = {
            "value": build(),
            "started": read_at,
            "topics": sorted({*EVERY_ANSWER, *topics}),
        }
        default_cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    if near is not None:
        near.set(key, entry, min(NEAR_SECONDS, settings.PAGE_CACHE_SECONDS))
    if read_only:
        _held[key] = entry
    return entry["value"]


def remember(name, topics, build, *, read_only=False):
    """Return build()'s value, kept until one of the topics changes: the parts many pages share."""
    return kept(f"pagecache:part:{name}", topics, build, read_only=read_only)


def public_headers(entry):
    """The headers every public copy of an entry carries, whoever serves it."""
    return [
        (
            "Cache-Control",
            f"public, max-age=0, s-maxage={settings.PAGE_CACHE_CDN_SECONDS}, "
            "stale-while-revalidate=30, stale-if-error=86400",
        ),
        ("Vary", "Accept-Encoding"),
        ("ETag", entry["etag"]),
        ("Last-Modified", formatdate(entry["started"], usegmt=True)),
    ]


def etag_matches(validators, etag):
    """Whether an If-None-Match header names this entity tag."""
    return validators.strip() == "*" or etag in [t.strip() for t in validators.split(",")]


def _not_modified(request, entry):
    validators = request.headers.get("If-None-Match")
    if validators is not None:
        return etag_matches(validators, entry["etag"])
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return int(entry["started"]) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _answer(request, entry, state):
    if _not_modified(request, entry):
        response = HttpResponseNotModified()
    else:
        coding = compression.negotiate(request.headers.get("Accept-Encoding", ""))
        if coding == "br" and "br" not in entry:
            coding = compression.negotiate(request.headers.get("Accept-Encoding", ""), False)
        body = entry[coding] if coding else entry["body"]
        response = HttpResponse(body, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        if coding:
            response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(response.content))
    for name, value in public_headers(entry):
        response[name] = value
    if state == "STALE":
        # Known to be out of date: a CDN takes it as due for renewal at once (and may keep serving
        # it for stale-while-revalidate while it fetches the new one).
        response["Age"] = str(settings.PAGE_CACHE_CDN_SECONDS)
    # A fresh entry (HIT or MISS) carries no Age: it was rendered long ago, maybe, but the origin
    # has just confirmed it against every topic it shows, as good as a new render. Counted from
    # the render, Age would run past s-maxage and a CDN would take a page confirmed a moment ago for
    # stale (RFC 9111 4.2.3: Age is the time since the origin generated or validated it).
    response["X-Cache"] = state
    return response


def _storable(request, response):
    return (
        getattr(request, "page_cache_topics", None)
        and request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Content-Encoding")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
        and _keyed_names(request.META.get("QUERY_STRING", ""))
        <= getattr(request, "page_cache_keyed", set())
    )


def _entry(request, response, started):
    body = response.content
    return {
        "status": response.status_code,
        "headers": [(k, v) for k, v in response.items() if k.lower() not in OWN_HEADERS],
        "body": body,
        # Compressed once here, so no answer from the cache compresses (core/compression.py).
        "br": compression.brotli_compress(body),
        "gzip": gzip.compress(body, compresslevel=6, mtime=0),
        "etag": f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
        "started": started,
        "topics": sorted(request.page_cache_topics),
    }


def _uncached(request, response):
    """A cacheable page rendered for this browser alone: no shared cache may keep it."""
    if getattr(request, "page_cache_topics", None) and response.status_code == 200:
        response["Cache-Control"] = "private, no-cache"
    return response


class PageCacheMiddleware:
    """Serve anonymous readers from the page cache; store what opted-in views render for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        render_started()
        try:
            return self._respond(request)
        finally:
            render_finished()

    def _respond(self, request):
        key = key_for(request.META) if enabled() else None
        if key is None:
            return _uncached(request, self.get_response(request))

        cache = shared_cache()
        # The fast path in front of Django may have read the entry already.
        entry = request.META.pop(FETCHED) if FETCHED in request.META else cache.get(key)
        if entry is not None:
            if _fresh(entry, cache):
                request.META[STORED] = entry  # the fast path keeps a copy in this process
                return _answer(request, entry, "HIT")
            if not cache.add(key + ":rendering", 1, RENDER_LOCK_SECONDS):
                return _answer(request, entry, "STALE")  # another request is re-rendering it

        started = time.time()
        response = self.get_response(request)
        if not _storable(request, response):
            if entry is not None:
                cache.delete(key + ":rendering")
            return _uncached(request, response)
        entry = _entry(request, response, started)
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        cache.delete(key + ":rendering")
        request.META[STORED] = entry
        return _answer(request, entry, "MISS")
