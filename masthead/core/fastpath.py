"""Cached pages answered before Django runs: the WSGI application's first step.

The page cache middleware (pagecache.py) decides what is kept, renders what is not and judges entries
by the topic times in the shared cache. This wrapper only answers with copies that process has already
seen: it keeps the most-read entries in its own memory and re-reads the topic times from the shared
cache at most every PAGE_CACHE_TOPIC_REFRESH seconds (0.1 s). A hit then costs no network round trip
and no Django request, and a change made on any machine still reaches every process within the
refresh interval, well inside the one second a newsroom expects a published story to take.

Anything the fast path is unsure of (no copy, a stale copy, a topic time it has not read, a
conditional request it cannot answer) goes to Django, which answers exactly as without it.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings

from . import compression, pagecache

STATUS_LINES = {200: "200 OK"}


class Copy:
    """An entry made ready to send: header lists and bodies for each coding (None: plain)."""

    __slots__ = ("started", "expires", "topics", "etag", "status", "public", "answers", "size")

    def __init__(self, entry):
        self.started = entry["started"]
        self.expires = entry["started"] + settings.PAGE_CACHE_SECONDS
        self.topics = tuple(entry["topics"])
        self.etag = entry["etag"]
        self.status = STATUS_LINES.get(entry["status"], f"{entry['status']} OK")
        self.public = pagecache.public_headers(entry)
        common = [*entry["headers"], *self.public]
        self.answers = {
            None: ([*common, ("Content-Length", str(len(entry["body"])))], entry["body"])
        }
        for coding in ("br", "gzip"):
            if coding in entry:  # entries stored before brotli have gzip only
                body = entry[coding]
                headers = [
                    *common,
                    ("Content-Encoding", coding),
                    ("Content-Length", str(len(body))),
                ]
                self.answers[coding] = (headers, body)
        self.size = sum(len(body) for _headers, body in self.answers.values())

    def answer(self, accept_encoding):
        """(headers, body) for a client that sent this Accept-Encoding."""
        coding = compression.negotiate(accept_encoding)
        if coding not in self.answers:
            coding = compression.negotiate(accept_encoding, False)
        return self.answers[coding]


class LocalPages:
    """This process's copies of the most-read pages, and the topic times as last read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.copies = OrderedDict()
        self.size = 0
        self.topic_times = {}
        self.read_at = 0.0

    def clear(self):
        with self.lock:
            self.copies.clear()
            self.size = 0
            self.topic_times = {}
            self.read_at = 0.0

    def heard(self, topics, when):
        """A change made in this process: no need to wait for the next read of the times."""
        with self.lock:
            self.topic_times = {**self.topic_times, **dict.fromkeys(topics, when)}

    def times(self, now):
        if now - self.read_at >= getattr(settings, "PAGE_CACHE_TOPIC_REFRESH", 0.1):
            names = {f"pagecache:topic:{t}": t for t in pagecache.TOPICS}
            found = pagecache.shared_cache().get_many(list(names))
            self.topic_times = {names[name]: when for name, when in found.items()}
            self.read_at = now
        return self.topic_times

    def fresh(self, copy, now):
        if now >= copy.expires:
            return False
        times = self.times(now)
        for topic in copy.topics:
            when = times.get(topic)
            if when is None or copy.started <= when + pagecache.CLOCK_SKEW:
                return False
        return True

    def get(self, key):
        copy = self.copies.get(key)
        if copy is not None:
            with self.lock:
                if key in self.copies:
                    self.copies.move_to_end(key)
        return copy

    def keep(self, key, entry):
        copy = Copy(entry)
        limit = getattr(settings, "PAGE_CACHE_LOCAL_BYTES", 64 * 1024 * 1024)
        if copy.size > limit:
            return copy
        with self.lock:
            old = self.copies.pop(key, None)
            if old is not None:
                self.size -= old.size
            self.copies[key] = copy
            self.size += copy.size
            while self.size > limit:
                _, dropped = self.copies.popitem(last=False)
                self.size -= dropped.size
        return copy


LOCAL = LocalPages()


class PageCacheApp:
    """WSGI middleware: answer fresh cached pages from memory, hand everything else to Django."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not pagecache.enabled():
            return self.application(environ, start_response)
        key = pagecache.key_for(environ)
        if key is None:
            return self.application(environ, start_response)
        now = time.time()
        copy = LOCAL.get(key)
        if copy is None or not LOCAL.fresh(copy, now):
            entry = pagecache.shared_cache().get(key)
            copy = LOCAL.keep(key, entry) if entry is not None else None
            if copy is None or not LOCAL.fresh(copy, now):
                return self._django(key, environ, start_response, entry)
        return self._answer(environ, start_response, copy)

    def _django(self, key, environ, start_response, entry):
        environ[pagecache.FETCHED] = entry  # spare the middleware a second read
        response = self.application(environ, start_response)
        stored = environ.get(pagecache.STORED)
        if stored is not None:
            LOCAL.keep(key, stored)
        return response

    def _answer(self, environ, start_response, copy):
        if "HTTP_IF_MODIFIED_SINCE" in environ and "HTTP_IF_NONE_MATCH" not in environ:
            return self.application(environ, start_response)  # the middleware compares dates
        extra = [("X-Cache", "HIT")]  # no Age: just confirmed fresh (pagecache._answer)
        validators = environ.get("HTTP_IF_NONE_MATCH")
        if validators is not None and pagecache.etag_matches(validators, copy.etag):
            start_response("304 Not Modified", copy.public + extra)
            return []
        headers, body = copy.answer(environ.get("HTTP_ACCEPT_ENCODING", ""))
        start_response(copy.status, headers + extra)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
