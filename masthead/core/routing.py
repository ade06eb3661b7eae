"""Finding the page for a URL in two queries, whatever its depth, or none once found before.

Wagtail walks the page tree one level at a time (two queries a level) and looks the site up on every
request. Sites change rarely, so they are kept in the cache; a page is found by its url_path, which
Wagtail keeps for every page, then loaded as its own type with what it shows beside itself.
Anything this does not recognise (sub-routes of routable pages, private pages) goes through
Wagtail's own routing, so behaviour is Wagtail's; only the number of queries changes. With the page
cache on, sites and found pages are kept with the parts pages share (pagecache.remember), in each
process's memory, until pages change.
"""

import hashlib
import time

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models.signals import post_save
from django.http.request import split_domain_port
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction, Site

from . import pagecache
from .signals import on_change

SITES_KEY = "routing:sites"
RESTRICTIONS_KEY = "routing:any-view-restrictions"


def _sites():
    if pagecache.enabled():  # in this process's memory, renewed when sites or pages change
        return pagecache.remember("sites", ("site", "pages"), _load_sites, read_only=True)
    sites = cache.get(SITES_KEY)
    if sites is None:
        sites = _load_sites()
        cache.set(SITES_KEY, sites, 3600)
    return sites


def _load_sites():
    return list(Site.objects.select_related("root_page"))


def site_for_request(request):
    """Wagtail's choice of site (hostname and port, then a unique hostname, then the default)."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = str(request.get_port())
    sites = _sites()
    by_name = [s for s in sites if s.hostname == hostname]
    exact = next((s for s in by_name if str(s.port) == port), None)
    if exact is not None:
        return exact
    if len(by_name) == 1:
        return by_name[0]
    return next((s for s in sites if s.is_default_site), None)


def any_view_restrictions():
    """Whether any page is private at all: most newsrooms have none, which saves a query a page."""
    if pagecache.enabled():  # a restriction saved is a change to pages (content/signals.py)
        return pagecache.remember(
            "any-view-restrictions", ("pages",), _any_restriction, read_only=True
        )
    found = cache.get(RESTRICTIONS_KEY)
    if found is None:
        found = _any_restriction()
        cache.set(RESTRICTIONS_KEY, found, 3600)
    return found


def _any_restriction():
    return PageViewRestriction.objects.exists()


# Every page.url asks Wagtail for the site root paths, which it keeps in the shared cache: a page
# with fifty links made fifty cache round trips. This process keeps them a moment longer.
ROOT_PATHS_SECONDS = 1.0
_root_paths = {"value": None, "at": 0.0}


def forget_root_paths():
    _root_paths["value"] = None


def keep_root_paths_in_process():
    """Wrap Wagtail's Site.get_site_root_paths with a per-process copy (changes clear it here at
    once, and reach other processes within ROOT_PATHS_SECONDS)."""
    fetch = Site.get_site_root_paths
    clear = Site.clear_site_root_paths_cache

    def get_site_root_paths():
        now = time.monotonic()
        if _root_paths["value"] is None or now - _root_paths["at"] > ROOT_PATHS_SECONDS:
            _root_paths["value"], _root_paths["at"] = fetch(), now
        return _root_paths["value"]

    def clear_site_root_paths_cache():
        forget_root_paths()
        clear()

    Site.get_site_root_paths = staticmethod(get_site_root_paths)
    Site.clear_site_root_paths_cache = staticmethod(clear_site_root_paths_cache)


def _forget_sites(*args, **kwargs):
    cache.delete(SITES_KEY)
    pagecache.forget("sites")


def _forget_restrictions(*args, **kwargs):
    cache.delete(RESTRICTIONS_KEY)
    pagecache.forget("any-view-restrictions")


on_change(Site, _forget_sites, "routing:sites")
on_change(PageViewRestriction, _forget_restrictions, "routing:restrictions")


def _page_saved(sender, instance, **kwargs):
    # A site keeps its root page (url_path, live) in the cache: any page saved may be one.
    if isinstance(instance, Page):
        _forget_sites()
        if instance.depth == 2:
            # A new edition's home page (a translation of a site's root) is a new root path.
            Site.clear_site_root_paths_cache()


post_save.connect(_page_saved, weak=False, dispatch_uid="routing:pages")


def edition_root_path(site):
    """The url_path of the home page of the edition being served: the site's root page, or its
    translation in the address's language (Wagtail's root paths, kept in this process)."""
    language = translation.get_language()
    for root in Site.get_site_root_paths():
        if root.site_id == site.pk and root.language_code == language:
            return root.root_path
    return site.root_page.url_path


def find_page(site, path):
    """Return the live page at this path in the edition's tree as its own type, or None.

    Kept with the parts pages share until pages change, so a page the page cache does not hold
    (a new address, or any page after a publish elsewhere) is found without a query."""
    url_path = edition_root_path(site) + "".join(f"{part}/" for part in path.split("/") if part)
    name = "route:" + hashlib.sha256(url_path.encode()).hexdigest()
    return pagecache.remember(name, ("pages",), lambda: _live_page(url_path))


def _live_page(url_path):
    rows = (
        # url_path starts with the home page's slug, so it is unique across the whole tree.
        Page.objects.filter(url_path=url_path, live=True)
        .order_by()  # one page has this url_path; sorting by path made PostgreSQL walk them all
        .values_list("pk", "content_type_id")[:1]
    )
    row = next(iter(rows), None)
    if row is None:
        return None
    model = ContentType.objects.get_for_id(row[1]).model_class()
    if model is None or issubclass(model, RoutablePageMixin):
        return None
    related = getattr(model, "route_select_related", ())
    return model.objects.select_related(*related).filter(pk=row[0]).first()


class SiteMiddleware:
    """Give every request its Wagtail site from the cache (settings and feeds ask for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._wagtail_site = site_for_request(request)
        return self.get_response(request)


def serve(request, path):
    """Wagtail's serve view, with the page found the quick way when possible."""
    site = Site.find_for_request(request)
    if site is not None and site.root_page.live:
        page = find_page(site, path)
        if page is not None:
            request._wagtail_route_for_request = (page, [], {})
    return wagtail_views.serve(request, path)
