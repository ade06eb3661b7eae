import datetime
import json
import xml.etree.ElementTree as ET

import extruct
import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from masthead.core.templatetags.newsroom import newsroom_time
from masthead.feed import services
from masthead.feed.tests.factories import FeedItemFactory
from tests.judges import json_feed_problems

pytestmark = pytest.mark.django_db


def make_items(count, start=None):
    start = start or timezone.now()
    return [
        FeedItemFactory(text=f"Item {n}", published_at=start - datetime.timedelta(minutes=n))
        for n in range(count)
    ]


def test_post_item_refuses_empty_text(newsroom):
    with pytest.raises(ValidationError):
        services.post_item(text="   \n ")
    assert services.latest_items() == []


def test_post_item_stores_a_trimmed_item(newsroom, django_user_model):
    editor = django_user_model.objects.create_user("ed")
    item = services.post_item(text="  Sirens in Lysk.  ", user=editor, is_breaking=True)
    assert item.text == "Sirens in Lysk."
    assert item.posted_by == editor and item.is_breaking
    assert item.locale.language_code == "en"


def test_items_scheduled_for_later_stay_hidden_until_their_time(newsroom):
    FeedItemFactory(text="Embargoed", published_at=timezone.now() + datetime.timedelta(hours=1))
    FeedItemFactory(text="Out now")
    assert [i.text for i in services.latest_items()] == ["Out now"]


def test_keyset_pages_cover_every_item_exactly_once(newsroom):
    # given 45 items, two sharing the same moment
    items = make_items(44)
    FeedItemFactory(text="Twin", published_at=items[10].published_at)
    # when
    seen, cursor = [], None
    while True:
        page, cursor = services.feed_page(before=cursor, size=20)
        seen += [i.pk for i in page]
        if not cursor:
            break
    # then
    assert len(seen) == 45 and len(set(seen)) == 45


@pytest.mark.parametrize("cursor", ["junk", "12-", "-5", "99999999999999999999999-1", "1.5-2", ""])
def test_malformed_cursor_means_the_first_page(newsroom, cursor):
    make_items(3)
    page, _ = services.feed_page(before=cursor)
    assert [i.text for i in page] == ["Item 0", "Item 1", "Item 2"]


def test_feed_page_has_more_news_link_that_works_without_javascript(client, newsroom):
    # given
    make_items(25)
    # when
    first = client.get("/news-feed/").content.decode()
    href = first[first.index('rel="next" href="') + len('rel="next" href="') :].split('"')[0]
    second = client.get("/news-feed/" + href.replace("&amp;", "&")).content.decode()
    # then
    assert "More news" in first and "Item 19" in first and "Item 20" not in first
    assert "Item 20" in second and "Item 24" in second and "Item 19" not in second


def test_pinned_and_breaking_items_are_marked(client, newsroom):
    make_items(3)
    FeedItemFactory(
        text="Pinned note", is_pinned=True, published_at=timezone.now() - datetime.timedelta(days=1)
    )
    FeedItemFactory(text="Big news", is_breaking=True)
    page = client.get("/news-feed/").content.decode()
    html = page[page.index("<body") :]  # the page as read (its structured data goes by time)
    assert html.index("Pinned note") < html.index("Big news")
    assert "Breaking" in html and "Pinned" in html
    assert html.count("Pinned note</p>") == 1  # shown once, not again in the timeline
    assert html.count("badge--pinned") == 1  # and only the pinned item says so


def test_feed_page_carries_live_blog_structured_data(client, newsroom):
    """LiveBlogPosting: updates newest first (the pinned one by its time, not on top),
    dateModified the newest update's, coverage from the first item ever, author and publisher."""
    # given a day-old pinned note, three recent items, and older items on later pages
    now = timezone.now()
    oldest = FeedItemFactory(text="Where it began", published_at=now - datetime.timedelta(days=3))
    make_items(25, start=now - datetime.timedelta(hours=2))
    FeedItemFactory(
        text="Pinned note", is_pinned=True, published_at=now - datetime.timedelta(days=1)
    )
    newest = FeedItemFactory(text="Newest", published_at=now - datetime.timedelta(minutes=1))
    # when
    html = client.get("/news-feed/").content.decode()
    (live,) = [
        d
        for d in extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
        if d["@type"] == "LiveBlogPosting"
    ]
    # then
    times = [datetime.datetime.fromisoformat(u["datePublished"]) for u in live["liveBlogUpdate"]]
    assert times == sorted(times, reverse=True)
    assert live["liveBlogUpdate"][0]["articleBody"] == "Newest"
    assert "Pinned note" in [u["articleBody"] for u in live["liveBlogUpdate"]]
    assert datetime.datetime.fromisoformat(live["dateModified"]) == newest.updated_at
    assert datetime.datetime.fromisoformat(live["coverageStartTime"]) == oldest.published_at
    assert live["datePublished"] == live["coverageStartTime"]
    assert datetime.datetime.fromisoformat(live["coverageEndTime"]) > newest.published_at
    assert live["author"]["@type"] == live["publisher"]["@type"] == "NewsMediaOrganization"
    assert live["publisher"]["name"] == "Masthead"
    assert live["url"] == "http://testserver/news-feed/"
    assert all(
        u["url"].startswith("http://testserver/news-feed/items/") for u in live["liveBlogUpdate"]
    )


def test_json_feed_is_json_feed_1_1_and_pages_with_next_url(client, newsroom):
    """version, title, string ids, content, dates, authors, `_masthead` and next_url, served as
    application/feed+json, and valid against the JSON Feed 1.1 schema on every page."""
    # given
    article = newsroom.article(title="Linked story")
    make_items(21)
    FeedItemFactory(
        text="With link",
        article=article,
        is_breaking=True,
        published_at=timezone.now() + datetime.timedelta(seconds=-1),
    )
    # when
    response = client.get("/news-feed/feed.json")
    first = json.loads(response.content)
    second_response = client.get(first["next_url"].replace("http://testserver", ""))
    second = json.loads(second_response.content)
    # then
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert json_feed_problems(first) == [] and json_feed_problems(second) == []
    assert first["version"] == "https://jsonfeed.org/version/1.1"
    assert first["title"] == "News Feed – Masthead"
    assert first["home_page_url"] == "http://testserver/news-feed/"
    assert first["feed_url"] == "http://testserver/news-feed/feed.json"
    assert len(first["items"]) == 20 and "next" not in first
    linked = [i for i in first["items"] if i["content_text"] == "With link"][0]
    assert linked["_masthead"]["breaking"] is True and linked["_masthead"]["pinned"] is False
    assert linked["external_url"] == f"http://testserver{article.url}"
    assert linked["url"] == linked["id"] and linked["url"].startswith(
        "http://testserver/news-feed/items/"
    )
    assert client.get(linked["url"].replace("http://testserver", "")).status_code == 200
    assert len(second["items"]) == 2 and "next_url" not in second
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    assert (
        datetime.datetime.fromisoformat(first["items"][0]["date_published"]).utcoffset() is not None
    )


def test_json_feed_schema_refuses_what_the_old_feed_served():
    """The schema is a real judge: numeric ids, no version or title, and unprefixed custom
    fields are each refused."""
    old = {"items": [{"id": 5, "text": "x", "is_breaking": False}], "next": None}
    problems = " ".join(json_feed_problems(old))
    assert "'version' is a required property" in problems
    assert "'title' is a required property" in problems
    assert "5 is not of type 'string'" in problems
    assert "'next' does not match any of the regexes: '^_[a-zA-Z]'" in problems
    assert "'is_breaking', 'text' do not match any of the regexes" in problems
    assert "is not valid under any of the given schemas" in problems  # no content_html/text


def test_rss_feed_parses_and_lists_newest_first(client, newsroom):
    make_items(3)
    FeedItemFactory(
        text="Breaking news here",
        is_breaking=True,
        published_at=timezone.now() + datetime.timedelta(seconds=-1),
    )
    response = client.get("/news-feed/rss.xml")
    ET.fromstring(response.content)
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.entries[0].title == "Item 0"
    assert feed.entries[1].title == "Breaking: Breaking news here"


def test_each_item_has_a_page_of_its_own_at_its_permalink(client, newsroom):
    """An item from page three of the feed answers 200 at its permalink, with its text, its
    structured data and a link back; RSS links go there."""
    # given 50 items: the oldest are on later pages of the feed
    items = make_items(50)
    old = items[-1]
    # when
    response = client.get(old.get_absolute_url())
    html = response.content.decode()
    # then
    assert response.status_code == 200
    assert "Item 49" in html and "Item 48" not in html
    (posting,) = [
        d
        for d in extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
        if d["@type"] == "BlogPosting"
    ]
    assert posting["articleBody"] == "Item 49"
    assert (
        posting["url"]
        == posting["mainEntityOfPage"]
        == f"http://testserver{old.get_absolute_url()}"
    )
    assert datetime.datetime.fromisoformat(posting["datePublished"]) == old.published_at
    assert posting["isPartOf"]["url"] == "http://testserver/news-feed/"
    rss = feedparser.parse(client.get("/news-feed/rss.xml").content)
    assert [e.link for e in rss.entries][-1] == f"http://testserver{old.get_absolute_url()}"
    for entry in rss.entries:
        assert client.get(entry.link.replace("http://testserver", "")).status_code == 200


def test_an_item_page_answers_only_for_published_items_in_their_own_edition(client, ukrainian):
    """Embargoed and unknown items are 404 (a number too large too); a Ukrainian item asked for
    in the English edition moves to its Ukrainian address."""
    embargoed = FeedItemFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
    ukrainian_item = FeedItemFactory(text="Оновлення", locale=ukrainian.locale)
    assert client.get(f"/news-feed/items/{embargoed.pk}/").status_code == 404
    assert client.get("/news-feed/items/999999/").status_code == 404
    assert client.get(f"/news-feed/items/{10**30}/").status_code == 404
    moved = client.get(f"/news-feed/items/{ukrainian_item.pk}/")
    assert (
        moved.status_code == 301
        and moved["Location"] == f"/uk/news-feed/items/{ukrainian_item.pk}/"
    )
    assert "Оновлення" in client.get(moved["Location"]).content.decode()


def test_times_read_like_a_newsroom_writes_them(settings):
    # given the newsroom in Kyiv
    settings.TIME_ZONE = "Europe/Kyiv"
    now = timezone.localtime()
    today = now.replace(hour=19, minute=4)
    earlier = (
        datetime.datetime(now.year, 1, 16, 19, 4, tzinfo=now.tzinfo) if now.month != 1 else None
    )
    # then
    assert newsroom_time(today) == "7:04 PM"
    if earlier:
        assert newsroom_time(earlier) == "Jan 16, 7:04 PM"
    assert (
        newsroom_time(datetime.datetime(2020, 12, 16, 17, 4, tzinfo=datetime.UTC))
        == "Dec 16, 2020, 7:04 PM"
    )
