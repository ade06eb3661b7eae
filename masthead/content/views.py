"""Views outside the page tree: tag pages and search. Thin: they ask services and render."""

import re

from django.contrib.sitemaps import views as sitemap_views
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from taggit.models import Tag

from masthead.core import editions, pagecache, ratelimit
from masthead.core.pagination import paginate

from .models import ArticlePage
from .services import published_articles
from .sitemaps import SITEMAPS

SEARCH_QUERY_MAX = 200


@pagecache.cached_view("pages", "campaign")
def tag_page(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = paginate(request, published_articles().filter(tags=tag), 20)
    return render(request, "content/tag_page.html", {"tag": tag, "articles": articles})


@ratelimit.limited("search", methods=("GET",))
def search(request):
    query = (request.GET.get("q") or "").strip()[:SEARCH_QUERY_MAX]
    # Words only: punctuation means nothing to readers here, and SQLite's full-text engine would
    # take quotes and brackets as its own syntax (found by the fuzzing tests).
    words = " ".join(re.findall(r"\w+", query))
    results = None
    if words:
        # Each edition searches its own articles.
        matches = (
            ArticlePage.objects.live()
            .public()
            .filter(language_code=editions.current())
            .search(words, operator="and")
        )
        results = paginate(request, matches, 20)
        # Search results come back as a list; fetch what each card shows in fixed queries.
        ids = [page.pk for page in results.object_list]
        by_id = {a.pk: a for a in published_articles().filter(pk__in=ids)}
        results.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return render(
        request,
        "content/search_page.html",
        {
            "query": query,
            "results": results,
            "admin_edit_url": reverse("wagtailadmin_pages:search"),
        },
    )


def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


def sitemap_section(request, section):
    return sitemap_views.sitemap(
        request, SITEMAPS, section=section, template_name="content/sitemap.xml"
    )
