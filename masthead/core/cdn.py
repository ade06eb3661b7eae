"""Purging a CDN or reverse proxy (Varnish, Cloudflare, CloudFront) in front of the site.

Wagtail's frontend cache app purges each page it publishes or unpublishes. What it cannot know is
which other addresses show that page: the front page, the News Feed, the feeds and sitemaps. This
module purges those for each topic that changed (see pagecache), through the same backends and the
same background task. Pages that only show a topic in a side box (an article's feed module) follow
within PAGE_CACHE_CDN_SECONDS instead; purging every article on each feed item would flood the CDN.
"""

from django.conf import settings

# Addresses (paths) that lead with each topic.
LISTINGS = {
    "pages": [
        "/",
        "/news/",
        "/rss.xml",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
    ],
    "feed": ["/", "/news-feed/", "/news-feed/feed.json", "/news-feed/rss.xml"],
    "picks": ["/"],
    "campaign": ["/"],
    "site": ["/"],
    "audio": ["/audio/podcast.xml"],
}


def configured():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def urls_for(topics):
    """Full URLs to purge, on every site's own address (as Wagtail purges pages)."""
    from wagtail.models import Site

    from . import editions

    paths = []
    for topic in topics:
        for path in LISTINGS.get(topic, []):
            for code in editions.codes():  # each edition has the same listings under its prefix
                edition_path = editions.path_in(path, code)
                if edition_path not in paths:
                    paths.append(edition_path)
    roots = {root.root_url for root in Site.get_site_root_paths()} or {settings.SITE_URL}
    return [root + path for root in sorted(roots) for path in paths]


def purge_topics(topics):
    if not configured():
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    purge_urls_from_cache(urls_for(topics))
