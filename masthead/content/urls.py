from django.urls import path

from . import feeds, sitemaps, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("tags/<slug:slug>/", views.tag_page, name="tag"),
    path("rss.xml", feeds.SiteFeed(), name="site_rss"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news_sitemap"),
]
