from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from . import editions, pagecache


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@pagecache.cached_view()
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/"]
    lines += [f"Disallow: {editions.path_in('/search/', code)}" for code in editions.codes()]
    lines.append("")
    for code in editions.codes():  # each edition has its own sitemaps
        lines.append(f"Sitemap: {settings.SITE_URL}{editions.path_in('/sitemap.xml', code)}")
        lines.append(f"Sitemap: {settings.SITE_URL}{editions.path_in('/news-sitemap.xml', code)}")
    lines.append("")
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
