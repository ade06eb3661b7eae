"""A crawler over the live site, as a search engine, a feed reader and a link checker see it.

From `/` and `/uk/`, robots.txt, every sitemap, every feed and every public address the README
documents, in both editions, it follows every address of the site it finds (links, pictures,
scripts, enclosures, sitemap entries, feed links), at most MAX_ADDRESSES, and asks each with GET
and with HEAD. It asserts that nothing answers 5xx, that no address the site itself links to is
missing, that HEAD and GET agree (status and the headers clients act on), and that every HTML
page passes the Nu HTML Checker (run once over all of them: it is slow to start).

The newsroom is the demo newsroom at a small size, narrated articles included.
"""

import http.client
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.conf import settings

from masthead.audio import services as audio_services
from masthead.audio.tests.test_podcast import narrated
from masthead.content.models import ArticlePage
from masthead.demo.builder import build_newsroom
from tests.browser.helpers import nu_html_errors
from tests.fixtures import ensure_page_tree_root

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_ADDRESSES = 500
SITE_URL = "http://testserver"  # the configured public address (settings.test): links name it
START = [
    "/",
    "/robots.txt",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/rss.xml",
    "/search/?q=power",
    "/news-feed/",
    "/news-feed/feed.json",
    "/news-feed/rss.xml",
    "/roundups/",
    "/authors/",
    "/newsletters/",
    "/audio/podcast.xml",
]


def documented_addresses():
    """The README's public URLs that name one address (not a pattern like /news/<slug>/)."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    paragraph = readme[readme.index("Public URLs:") :].split("\n\n", 1)[0]
    return [a for a in re.findall(r"`(/[^`<\s]*)`", paragraph) if "<" not in a]


START += [a for a in documented_addresses() if a not in START]
START += ["/uk" + address for address in START if address != "/robots.txt"]
# Headers a client acts on: a HEAD must promise what the GET delivers.
AGREEING_HEADERS = [
    "content-type",
    "cache-control",
    "location",
    "vary",
    "content-language",
    "content-disposition",
    "allow",
    "x-robots-tag",
]


class Links(HTMLParser):
    """Every address an HTML page points at: links, pictures, scripts, media, forms that GET."""

    ATTRIBUTES = {
        "a": ["href"],
        "link": ["href"],
        "img": ["src", "srcset"],
        "source": ["src", "srcset"],
        "script": ["src"],
        "audio": ["src"],
        "video": ["src", "poster"],
        "iframe": ["src"],
    }

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.found.append(attrs.get("action") or "")
        for name in self.ATTRIBUTES.get(tag, []):
            value = attrs.get(name)
            if not value:
                continue
            if name == "srcset":
                self.found += [part.strip().split(" ")[0] for part in value.split(",")]
            elif not (tag == "link" and attrs.get("rel") in ("preconnect", "dns-prefetch")):
                self.found.append(value)


def addresses_in(content_type, body, base):
    """The addresses a response names, by what it is."""
    text = body.decode("utf-8", "replace")
    if content_type.startswith("text/html"):
        parser = Links()
        parser.feed(text)
        return [urljoin(base, link) for link in parser.found]
    if "json" in content_type:
        found = []

        def walk(value):
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key.endswith("url") and isinstance(inner, str):
                        found.append(inner)
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(json.loads(text))
        return found
    if "xml" in content_type:
        found = []
        for element in ET.fromstring(body).iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("loc", "link", "url") and (element.text or "").strip():
                found.append(element.text.strip())
            for attribute in ("href", "url"):
                if element.get(attribute):
                    found.append(element.get(attribute))
        return found
    if content_type.startswith("text/plain"):
        return [
            line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if ":" in line and line.lower().startswith("sitemap")
        ]
    return []


def local_path(address, live_url):
    """The path and query of an address on this site, or None for another site's."""
    for origin in (SITE_URL, live_url):
        if address.startswith(origin):
            address = address[len(origin) :] or "/"
            break
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("/admin/"):
        return None  # the staff's side: signed-in only, crawled by the role table (F4)
    # As a browser sends it: letters outside ASCII (Ukrainian tag slugs) percent-encoded.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return path + (f"?{quote(parts.query, safe='=&%+-._~')}" if parts.query else "")


def ask(live_url, method, path):
    host = urlsplit(live_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    connection.request(method, path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    headers = {name.lower(): value for name, value in response.getheaders()}
    connection.close()
    return response.status, headers, body


@pytest.fixture
def demo_newsroom(settings):
    """The demo newsroom, small: both editions, feeds, roundups, newsletters, a campaign, and
    two narrated articles in each podcast."""
    settings.ALLOWED_HOSTS = ["*"]
    ensure_page_tree_root()  # a transactional test before this one may have flushed it
    with audio_services.paused():
        build_newsroom(articles=8, feed_items=45, days=2, narrate=False)
    for language in ("en", "uk"):
        for article in ArticlePage.objects.live().filter(language_code=language)[:2]:
            narrated(article)


def test_crawl_the_whole_site_in_both_editions(live_server, demo_newsroom, tmp_path):
    live_url = live_server.url
    queue, seen, linked_from = list(START), set(START), {}
    findings, pages = [], {}
    while queue and len(seen) <= MAX_ADDRESSES:
        path = queue.pop(0)
        status, headers, body = ask(live_url, "GET", path)
        head_status, head_headers, head_body = ask(live_url, "HEAD", path)
        if status >= 500 or head_status >= 500:
            findings.append((path, "5xx", f"GET {status}, HEAD {head_status}"))
        if status == 404 and path in linked_from:
            findings.append((path, "missing", f"404, linked from {linked_from[path]}"))
        if head_status != status:
            findings.append((path, "head", f"HEAD {head_status} but GET {status}"))
        else:
            for name in AGREEING_HEADERS:
                if head_headers.get(name) != headers.get(name):
                    findings.append(
                        (
                            path,
                            "head",
                            f"{name}: HEAD {head_headers.get(name)!r}, GET {headers.get(name)!r}",
                        )
                    )
            if head_body:
                findings.append((path, "head", "HEAD answered with a body"))
        content_type = headers.get("content-type", "")
        if status == 200 and content_type.startswith("text/html"):
            pages[path] = body
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            found = [urljoin(path, headers["location"])]
        elif status == 200 and not path.startswith(("/media/", "/static/")):
            try:
                found = addresses_in(content_type, body, SITE_URL + path)
            except (ET.ParseError, json.JSONDecodeError) as error:
                findings.append((path, "unreadable", f"{content_type}: {error}"))
                found = []
        else:
            found = []
        for address in found:
            local = local_path(address, live_url)
            if local and local not in seen:
                seen.add(local)
                linked_from[local] = path
                queue.append(local)

    # every HTML page through the Nu checker, in one run
    files = {}
    for number, (path, body) in enumerate(sorted(pages.items())):
        file = tmp_path / f"page-{number:03d}.html"
        file.write_bytes(body)
        files[file.name] = path
    for error in nu_html_errors([str(tmp_path / name) for name in files]):
        findings.append(
            (
                files.get(error["file"], error["file"]),
                "html",
                f"line {error['line']}: {error['message']}",
            )
        )

    # then
    print(f"crawled {len(seen)} addresses, {len(pages)} HTML pages, {len(findings)} findings")
    assert len(seen) >= 150, f"the crawl found only {len(seen)} addresses"
    assert {p for p in seen if p.startswith("/uk/")}, "the Ukrainian edition was not reached"
    assert any(p.startswith("/media/narrations/") for p in seen), "no podcast enclosure reached"
    assert findings == [], "\n".join(f"{path} [{kind}] {what}" for path, kind, what in findings)
