"""Every feed and every kind of page, in both editions, through third-party judges: feedparser and
a strict XML parser on each RSS and podcast feed, the JSON Feed 1.1 schema, Apple Podcasts' rules,
and extruct on each page's JSON-LD and Open Graph, checking the values (types, dates, languages,
and picture sizes against the real files), not only that they are there."""

import datetime
import io
import json

import extruct
import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from masthead.audio.tests.test_podcast import fetch, narrated
from masthead.content.models import RoundupItem
from masthead.content.tests.factories import RoundupPageFactory
from masthead.feed.tests.factories import FeedItemFactory
from masthead.images.tests.factories import NewsImageFactory
from tests.judges import apple_podcast_problems, feed_problems, json_feed_problems

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def real_size(url):
    """The width and height of the picture file at this address."""
    assert url.startswith(f"{SITE}/media/"), url
    with default_storage.open(url.removeprefix(f"{SITE}/media/")) as handle:
        return Image.open(io.BytesIO(handle.read())).size


def moment(text):
    """An ISO 8601 time with its offset (a time without one is ambiguous to a search engine)."""
    value = datetime.datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value


@pytest.fixture
def furnished(newsroom, ukrainian, committed):
    """Both editions with a story, its translation, an author photo, roundups and feed items."""
    from masthead.audio import services

    photo = NewsImageFactory(width=600, height=600, description="Portrait of Olena Marchenko")
    newsroom.authors[0].photo = photo
    newsroom.authors[0].save_revision().publish()
    hero = NewsImageFactory(
        description="Rescue workers at a damaged building at dusk",
        translated_descriptions={"uk": "Рятувальники біля пошкодженого будинку в сутінках"},
    )
    with services.paused():
        english = newsroom.article(title="Rail link restored", hero_image=hero, tags=["rail"])
        english.save_revision().publish()
        translated = ukrainian.translate(english, title="Залізницю відновлено")
    narrated(english)
    narrated(translated)
    item = FeedItemFactory(text="Trains run again between the two cities.", article=english)
    uk_item = FeedItemFactory(text="Потяги знову курсують.", locale=ukrainian.locale)
    today = timezone.localdate()
    RoundupPageFactory(
        parent=newsroom.roundups,
        date=today,
        intro="The day in brief.",
        items=[RoundupItem(text="Rail link restored.", article=english, feed_item=item)],
    )
    return {
        "english": english,
        "translated": translated,
        "item": item,
        "uk_item": uk_item,
        "roundup": f"/roundups/{today.isoformat()}/",
        "photo": photo,
    }


def feeds(furnished):
    return [
        "/rss.xml",
        "/uk/rss.xml",
        "/war/rss/",
        "/authors/olena-marchenko/rss/",
        "/news-feed/rss.xml",
        "/uk/news-feed/rss.xml",
    ]


PODCASTS = ["/audio/podcast.xml", "/uk/audio/podcast.xml", "/audio/podcast/war.xml"]


def test_every_rss_feed_parses_strictly_and_in_feedparser(client, furnished):
    """bozo 0 and well-formed XML for every RSS feed of both editions, each with entries."""
    for address in feeds(furnished) + PODCASTS:
        response = client.get(address)
        assert response.status_code == 200, address
        assert feed_problems(response.content) == [], address


def test_every_podcast_feed_meets_apple_podcasts_rules(client, furnished):
    for address in PODCASTS:
        assert apple_podcast_problems(client.get(address).content, fetch(client)) == [], address


def test_both_editions_json_feeds_are_json_feed_1_1(client, furnished):
    english = json.loads(client.get("/news-feed/feed.json").content)
    ukrainian = json.loads(client.get("/uk/news-feed/feed.json").content)
    assert json_feed_problems(english) == [] and json_feed_problems(ukrainian) == []
    assert [i["content_text"] for i in english["items"]] == [
        "Trains run again between the two cities."
    ]
    assert [i["content_text"] for i in ukrainian["items"]] == ["Потяги знову курсують."]
    assert (english["language"], ukrainian["language"]) == ("en", "uk")
    assert ukrainian["feed_url"] == f"{SITE}/uk/news-feed/feed.json"


def page_data(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    html = response.content.decode()
    data = extruct.extract(
        html, base_url=SITE + address, syntaxes=["json-ld", "opengraph"], uniform=True
    )
    (og,) = data["opengraph"]
    tree = lxml.html.fromstring(html)
    twitter = {m.get("name"): m.get("content") for m in tree.xpath("//meta[@name]")}
    return data["json-ld"], og, twitter, tree


def assert_social_card_is_true(og, twitter, locale):
    """og:image and twitter:image name a real file of exactly the declared size."""
    assert og["og:locale"] == locale
    assert og["og:url"].startswith(SITE)
    width, height = real_size(og["og:image"])
    assert (int(og["og:image:width"]), int(og["og:image:height"])) == (width, height)
    assert og["og:image:alt"]
    assert twitter["twitter:image"] == og["og:image"]
    assert twitter["twitter:title"] == og["og:title"]
    assert twitter["twitter:card"] in ("summary", "summary_large_image")
    assert twitter["twitter:image:alt"] == og["og:image:alt"]


def assert_image_objects_are_true(value):
    """Every ImageObject anywhere in the data declares its file's real size."""
    if isinstance(value, dict):
        if value.get("@type") == "ImageObject":
            assert (value["width"], value["height"]) == real_size(value["url"]), value
        for inner in value.values():
            assert_image_objects_are_true(inner)
    elif isinstance(value, list):
        for inner in value:
            assert_image_objects_are_true(inner)


PAGE_TYPES = {
    # address (English, Ukrainian), the schema.org type the page must carry (None: none needed)
    "home": (("/", "/uk/"), "WebSite"),
    "article": (("{english}", "{translated}"), "NewsArticle"),
    "section": (("/war/", "/uk/war/"), None),
    "author": (("/authors/olena-marchenko/", None), "Person"),
    "authors": (("/authors/", None), None),
    "roundup": (("{roundup}", None), "NewsArticle"),
    "roundups": (("/roundups/", None), None),
    "news feed": (("/news-feed/", "/uk/news-feed/"), "LiveBlogPosting"),
    "feed item": (("{item}", "{uk_item}"), "BlogPosting"),
    "tag": (("/tags/rail/", None), None),
}


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_declares_true_structured_data_and_social_cards(client, furnished, kind):
    addresses, schema_type = PAGE_TYPES[kind]
    values = {
        "english": furnished["english"].url,
        "translated": furnished["translated"].url,
        "roundup": furnished["roundup"],
        "item": furnished["item"].get_absolute_url(),
        "uk_item": f"/uk/news-feed/items/{furnished['uk_item'].pk}/",
    }
    for address, locale, language in zip(addresses, ("en_US", "uk_UA"), ("en", "uk"), strict=True):
        if address is None:
            continue
        address = address.format(**values)
        json_ld, og, twitter, _tree = page_data(client, address)
        assert_social_card_is_true(og, twitter, locale)
        assert_image_objects_are_true(json_ld)
        if schema_type is None:
            continue
        (data,) = [d for d in json_ld if d["@type"] == schema_type]
        assert data["@context"] == "https://schema.org"
        assert data["url"] == SITE + address
        for field in ("datePublished", "dateModified", "coverageStartTime", "coverageEndTime"):
            if field in data:
                moment(data[field])
        if schema_type in ("NewsArticle", "LiveBlogPosting", "BlogPosting"):
            assert data["inLanguage"] == language
            assert data["publisher"]["@type"] == "NewsMediaOrganization"
            assert data["author"]
            assert moment(data["dateModified"]) >= moment(data["datePublished"])


def test_an_author_photo_smaller_than_a_card_is_declared_at_its_real_size(client, furnished):
    """A 600 × 600 portrait becomes a 600 × 316 card: the page says so, not 1200 × 630."""
    _json_ld, og, _twitter, _tree = page_data(client, "/authors/olena-marchenko/")
    assert (og["og:image:width"], og["og:image:height"]) == ("600", "316")
    assert real_size(og["og:image"]) == (600, 316)


def test_pages_without_a_picture_share_the_newsroom_card_of_1200_by_630(client, furnished):
    for address in ("/", "/uk/", "/news-feed/", furnished["roundup"]):
        _json_ld, og, _twitter, _tree = page_data(client, address)
        assert real_size(og["og:image"]) == (1200, 630), address
        assert og["og:image:alt"] == "Masthead"


def test_the_ukrainian_article_describes_its_picture_in_ukrainian(client, furnished):
    """The image library keeps the alt text in each edition's language; an untranslated one is
    marked as English so a screen reader reads it in the right voice."""
    _json_ld, og, _twitter, tree = page_data(client, furnished["translated"].url)
    (hero,) = tree.xpath("//figure[@class='hero']//img")
    assert hero.get("alt") == "Рятувальники біля пошкодженого будинку в сутінках"
    assert hero.get("lang") is None
    assert og["og:image:alt"] == "Рятувальники біля пошкодженого будинку в сутінках"
    _json_ld, og, _twitter, tree = page_data(client, furnished["english"].url)
    (hero,) = tree.xpath("//figure[@class='hero']//img")
    assert hero.get("alt") == "Rescue workers at a damaged building at dusk"
    # a picture with no Ukrainian description yet
    furnished["translated"].hero_image.translated_descriptions = {}
    furnished["translated"].hero_image.save()
    furnished["translated"].save_revision().publish()
    _json_ld, og, _twitter, tree = page_data(client, furnished["translated"].url)
    (hero,) = tree.xpath("//figure[@class='hero']//img")
    assert (hero.get("alt"), hero.get("lang")) == (
        "Rescue workers at a damaged building at dusk",
        "en",
    )
