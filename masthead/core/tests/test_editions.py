"""Editions: English at the root, Ukrainian under /uk/, each with its own pages, lists, feeds,
sitemaps and words, and a translated page linked to its original."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone, translation

from masthead.core.templatetags.newsroom import newsroom_time
from masthead.feed.tests.factories import FeedItemFactory

pytestmark = pytest.mark.django_db

NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def story(newsroom, ukrainian):
    """An English story and its Ukrainian translation."""
    original = newsroom.article(title="Rail link to Varena restored", slug="rail-link")
    translated = ukrainian.translate(
        original, title="Залізницю до Варени відновили", summary="Що відомо про ремонт."
    )
    return original, translated


def test_each_edition_lists_only_its_own_stories_in_its_own_language(client, newsroom, story):
    # given an English-only story beside the translated one
    newsroom.article(title="Theatre stages a premiere", slug="theatre")
    # when
    english = soup(client.get("/"))
    ukrainian = soup(client.get("/uk/"))
    # then each home page shows its edition's stories, in its language
    assert english.html["lang"] == "en"
    assert "Rail link to Varena restored" in english.text
    assert "Залізницю до Варени відновили" not in english.text
    assert ukrainian.html["lang"] == "uk"
    assert "Залізницю до Варени відновили" in ukrainian.text
    assert "Theatre stages a premiere" not in ukrainian.text
    assert ukrainian.find("a", class_="skip-link").text == "Перейти до змісту"
    assert ukrainian.find("a", class_="brand")["href"] == "/uk/"
    assert english.find("a", class_="skip-link").text == "Skip to content"


def test_a_translation_and_its_original_point_at_each_other(client, story):
    original, translated = story
    assert original.url == "/news/rail-link/"
    assert translated.url == "/uk/news/rail-link/"
    for page, here in ((original, "en"), (translated, "uk")):
        # when
        html = soup(client.get(page.url))
        # then hreflang names both, absolute, with the default edition as x-default
        alternates = {
            link["hreflang"]: link["href"]
            for link in html.find_all("link", rel="alternate", hreflang=True)
        }
        assert alternates == {
            "en": "http://testserver/news/rail-link/",
            "uk": "http://testserver/uk/news/rail-link/",
            "x-default": "http://testserver/news/rail-link/",
        }
        # and the switcher leads to the same story in the other language
        switcher = html.find("nav", class_="editions")
        links = {a["lang"]: a for a in switcher.find_all("a")}
        assert links["en"]["href"] == original.url and links["uk"]["href"] == translated.url
        assert links[here].get("aria-current") == "true"
        assert links["uk"].text == "Українська" and links["en"].text == "English"


def test_an_untranslated_page_switches_to_the_other_editions_front_page(
    client, newsroom, ukrainian
):
    article = newsroom.article(title="Only in English", slug="only-english")
    html = soup(client.get(article.url))
    switcher = {a["lang"]: a["href"] for a in html.find("nav", class_="editions").find_all("a")}
    assert switcher == {"en": article.url, "uk": "/uk/"}
    assert not html.find("link", rel="alternate", hreflang="uk")


def test_pages_outside_the_tree_exist_in_each_edition(client, ukrainian):
    html = soup(client.get("/uk/news-feed/"))
    assert html.html["lang"] == "uk"
    assert html.find("h1").text.strip() == "Стрічка новин"
    switcher = {a["lang"]: a["href"] for a in html.find("nav", class_="editions").find_all("a")}
    assert switcher == {"en": "/news-feed/", "uk": "/uk/news-feed/"}


def test_each_edition_has_its_own_news_feed(client, ukrainian):
    FeedItemFactory(text="Air raid alert in the east.")
    FeedItemFactory(text="Повітряна тривога на сході.", locale=ukrainian.locale)
    english = client.get("/news-feed/").content.decode()
    ukrainian_page = client.get("/uk/news-feed/").content.decode()
    assert "Air raid alert" in english and "Повітряна тривога" not in english
    assert "Повітряна тривога" in ukrainian_page and "Air raid alert" not in ukrainian_page
    feed = feedparser.parse(client.get("/uk/news-feed/rss.xml").content)
    assert feed.feed.language == "uk"
    assert [entry.description for entry in feed.entries] == ["Повітряна тривога на сході."]


def test_each_edition_has_its_own_rss_and_sitemaps(client, story):
    original, translated = story
    # RSS
    english = feedparser.parse(client.get("/rss.xml").content)
    ukrainian = feedparser.parse(client.get("/uk/rss.xml").content)
    assert english.feed.language == "en" and ukrainian.feed.language == "uk"
    assert ukrainian.feed.link == "http://testserver/uk/"
    assert [e.link for e in ukrainian.entries] == ["http://testserver/uk/news/rail-link/"]
    assert [e.link for e in english.entries] == ["http://testserver/news/rail-link/"]
    # Google News sitemap, with each edition's language
    for path, language, url in (
        ("/news-sitemap.xml", "en", original.url),
        ("/uk/news-sitemap.xml", "uk", translated.url),
    ):
        tree = ET.fromstring(client.get(path).content)
        assert [e.text for e in tree.iter(f"{{{NEWS}}}language")] == [language]
        assert [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")] == [
            f"http://testserver{url}"
        ]
    # sitemaps: each edition's pages only
    pages = client.get("/uk/sitemap-pages.xml").content.decode()
    assert "http://testserver/uk/" in pages and "http://testserver/news/" not in pages
    articles = client.get("/uk/sitemap-articles.xml").content.decode()
    assert translated.url in articles and "http://testserver/news/rail-link/" not in articles
    # and robots.txt names both editions' sitemaps
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/uk/news-sitemap.xml" in robots
    assert "Sitemap: http://testserver/news-sitemap.xml" in robots


def test_search_stays_in_its_edition(client, story):
    english = client.get("/search/", {"q": "Varena"}).content.decode()
    ukrainian = client.get("/uk/search/", {"q": "Варени"}).content.decode()
    assert "Rail link to Varena restored" in english
    assert "Залізницю до Варени відновили" in ukrainian
    assert "Rail link" not in ukrainian


def test_dates_and_times_are_written_as_each_edition_writes_them(settings):
    moment = timezone.make_aware(datetime.datetime(2025, 12, 16, 19, 4))
    with translation.override("en"):
        assert newsroom_time(moment) == "Dec 16, 2025, 7:04 PM"
    with translation.override("uk"):
        assert newsroom_time(moment) == "16 грудня 2025, 19:04"
    today = timezone.localtime().replace(hour=9, minute=5)
    with translation.override("uk"):
        assert newsroom_time(today) == "09:05"


def test_a_roundup_is_titled_in_its_editions_language(ukrainian):
    from masthead.content.models import RoundupIndexPage, RoundupPage

    index = ukrainian.home.add_child(
        instance=RoundupIndexPage(title="Підсумки дня", slug="roundups", locale=ukrainian.locale)
    )
    roundup = RoundupPage(date=datetime.date(2026, 11, 26), locale=ukrainian.locale)
    with translation.override("en"):  # an editor whose admin is in English
        index.add_child(instance=roundup)
    assert roundup.title == "Головне за 26 листопада 2026"
    assert roundup.slug == "2026-11-26"


def test_an_editor_translates_a_story_in_the_admin_and_publishes_it(
    client, newsroom, ukrainian, django_user_model
):
    from django.contrib.auth.models import Group

    from masthead.content.models import ArticleAuthor, ArticlePage

    # given an editor, and an English story
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "long-password-123")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    original = newsroom.article(title="Bridge reopens in Kostel", slug="bridge")
    # when they use Translate on it, choosing Ukrainian
    listing = client.get(f"/admin/pages/{newsroom.news.pk}/").content.decode()
    assert f"/admin/translation/submit/page/{original.pk}/" in listing
    response = client.post(
        f"/admin/translation/submit/page/{original.pk}/", {"locales": [ukrainian.locale.pk]}
    )
    # then a Ukrainian draft linked to the original opens for editing
    assert response.status_code == 302
    draft = ArticlePage.objects.get(
        locale=ukrainian.locale, translation_key=original.translation_key
    )
    assert response["Location"] == f"/admin/pages/{draft.pk}/edit/"
    assert not draft.live and draft.get_parent().pk == ukrainian.news.pk
    # and once written in Ukrainian and published, it is the story's Ukrainian edition
    draft.title = "Міст у Костелі знову відкрили"
    draft.byline = [ArticleAuthor(author=ukrainian.authors[0], sort_order=0)]
    draft.section = ukrainian.sections[0]
    draft.save_revision().publish()
    client.logout()
    html = client.get("/uk/news/bridge/").content.decode()
    assert "Міст у Костелі знову відкрили" in html
    assert 'hreflang="en" href="http://testserver/news/bridge/"' in html


def test_the_error_page_speaks_the_editions_language(rf):
    from masthead.core.views import server_error

    with translation.override("uk"):
        response = server_error(rf.get("/uk/news/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="uk">' in page and "Щось пішло не так на нашому боці" in page
    assert '<a href="/uk/">перейдіть на головну сторінку</a>' in page
