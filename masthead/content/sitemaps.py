"""sitemap.xml (an index of pages with their images) and a Google News sitemap of the last 48 hours."""

import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import Page

from masthead.core import editions
from masthead.core.models import NewsroomSettings

from .models import ArticlePage
from .services import NEWEST_FIRST


class PageSitemap(Sitemap):
    """Every live, public page of the edition other than articles (sections, authors, roundups,
    the home page). Each edition has its own sitemap, at its own address."""

    limit = 5000

    def items(self):
        return (
            Page.objects.live()
            .public()
            .not_type(ArticlePage)
            .filter(depth__gt=1, locale__language_code=editions.current())
            .specific()
            .order_by("path")
        )

    def location(self, page):
        return page.url

    def lastmod(self, page):
        return page.last_published_at

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[1]

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.split("://", 1)[0]


class ArticleSitemap(PageSitemap):
    """Articles with their hero images (the image sitemap extension)."""

    limit = 2000

    def items(self):
        return (
            ArticlePage.objects.live()
            .public()
            .filter(language_code=editions.current())
            .select_related("hero_image")
            .order_by(*NEWEST_FIRST)
        )

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for entry in urls:
            image = entry["item"].hero_image
            entry["image"] = (
                {"loc": f"{settings.SITE_URL}{image.file.url}", "title": image.title}
                if image
                else None
            )
        return urls


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap}

NEWS_WINDOW = datetime.timedelta(hours=48)


def news_sitemap(request):
    """Google News sitemap of the edition: its articles first published in the last 48 hours (at
    most 1,000), each with its language."""
    since = timezone.now() - NEWS_WINDOW
    articles = (
        ArticlePage.objects.live()
        .public()
        .filter(published_at__gte=since, language_code=editions.current())
        .select_related("locale")
        .order_by("-published_at")[:1000]
    )
    newsroom = NewsroomSettings.for_request(request)
    body = render_to_string(
        "content/news_sitemap.xml",
        {"articles": articles, "publication_name": newsroom.name, "SITE_URL": settings.SITE_URL},
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
