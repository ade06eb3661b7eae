import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    ET.fromstring(response.content)  # strictly well-formed, not only what feedparser forgives
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def test_site_rss_lists_latest_articles_with_absolute_links(client, newsroom):
    # given
    newsroom.article(
        title="Older", slug="older", published_at=timezone.now() - datetime.timedelta(days=2)
    )
    newsroom.article(title="Newer", slug="newer", authors=newsroom.authors)
    # when
    feed = parse_feed(client, "/rss.xml")
    # then
    assert [e.title for e in feed.entries] == ["Newer", "Older"]
    assert feed.entries[0].link == "http://testserver/news/newer/"
    assert feed.entries[0].author == "Olena Marchenko, Taras Bondar"
    assert feed.entries[0].tags[0].term == "War"
    assert feed.entries[0].published_parsed is not None


def test_section_and_author_feeds_hold_only_their_articles(client, newsroom):
    newsroom.article(title="War piece", slug="w", authors=[newsroom.authors[0]])
    newsroom.article(
        title="Culture piece", slug="c", section=newsroom.sections[1], authors=[newsroom.authors[1]]
    )
    section_feed = parse_feed(client, "/culture/rss/")
    author_feed = parse_feed(client, "/authors/olena-marchenko/rss/")
    assert [e.title for e in section_feed.entries] == ["Culture piece"]
    assert [e.title for e in author_feed.entries] == ["War piece"]
    assert "Culture" in section_feed.feed.title


def test_sitemap_index_pages_and_article_images(client, newsroom, image):
    # given
    article = newsroom.article(hero_image=image)
    # when
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    articles = ET.fromstring(client.get("/sitemap-articles.xml").content)
    pages = ET.fromstring(client.get("/sitemap-pages.xml").content)
    # then
    assert "http://testserver/sitemap-articles.xml" in locations
    assert "http://testserver/sitemap-pages.xml" in locations
    (entry,) = articles.findall("sm:url", NS)
    assert entry.find("sm:loc", NS).text == f"http://testserver{article.url}"
    assert entry.find("image:image/image:loc", NS).text.startswith("http://testserver/media/")
    page_urls = {loc.text for loc in pages.findall("sm:url/sm:loc", NS)}
    assert {
        "http://testserver/",
        "http://testserver/war/",
        "http://testserver/authors/olena-marchenko/",
    } <= page_urls


def test_google_news_sitemap_has_only_the_last_48_hours(client, newsroom):
    # given
    newsroom.article(title="Fresh", slug="fresh")
    newsroom.article(
        title="Stale", slug="stale", published_at=timezone.now() - datetime.timedelta(hours=49)
    )
    # when
    root = ET.fromstring(client.get("/news-sitemap.xml").content)
    # then
    (entry,) = root.findall("sm:url", NS)
    news = entry.find("news:news", NS)
    assert news.find("news:title", NS).text == "Fresh"
    assert news.find("news:publication/news:name", NS).text == "Masthead"
    assert news.find("news:publication/news:language", NS).text == "en"
    published = datetime.datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert published.utcoffset() is not None


def test_draft_articles_are_in_no_feed_or_sitemap(client, newsroom):
    newsroom.article(title="Secret draft", slug="draft", publish=False)
    for url in ["/rss.xml", "/sitemap-articles.xml", "/news-sitemap.xml", "/war/rss/"]:
        assert "Secret draft" not in client.get(url).content.decode(), url
