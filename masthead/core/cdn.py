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


def purge_restricted(page):
    """Purge a page and everything under it: made private (or public again), none of its copies
    may stay at the CDN. The page cache already dropped them (the "pages" topic)."""
    if not configured():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(page.get_descendants(inclusive=True).live().specific().iterator())
    batch.purge()


def follow_restrictions():
    """Purge at the CDN whatever a saved or deleted PageViewRestriction covers, after commit."""
    from django.db import transaction
    from wagtail.models import PageViewRestriction

    from .signals import on_change

    def handler(sender, instance, **kwargs):
        page_id = instance.page_id

        def purge():
            from wagtail.models import Page

            page = Page.objects.filter(pk=page_id).first()
            if page is not None:
                purge_restricted(page)

        transaction.on_commit(purge)

    on_change(PageViewRestriction, handler, "cdn:restrictions")


def purge_topics(topics):
    if not configured():
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    purge_urls_from_cache(urls_for(topics))
