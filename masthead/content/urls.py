from django.urls import path, re_path

from masthead.core.pagecache import cached_view

from . import feeds, sitemaps, views

listing = cached_view("pages")

urlpatterns = [
    path("search/", views.search, name="search"),
    # Tags in Ukrainian have Ukrainian slugs (Unicode letters), so not Django's ASCII <slug:>.
    re_path(r"^tags/(?P<slug>[-\w]+)/$", views.tag_page, name="tag"),
    path("rss.xml", listing(feeds.SiteFeed()), name="site_rss"),
    path("sitemap.xml", listing(views.sitemap_index), name="sitemap_index"),
    path("sitemap-<section>.xml", listing(views.sitemap_section), name="sitemap_section"),
    path("news-sitemap.xml", listing(sitemaps.news_sitemap), name="news_sitemap"),
]
