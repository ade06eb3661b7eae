import datetime
import xml.etree.ElementTree as ET

import extruct
import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from masthead.core.templatetags.newsroom import newsroom_time
from masthead.feed import services
from masthead.feed.tests.factories import FeedItemFactory

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
    html = client.get("/news-feed/").content.decode()
    assert html.index("Pinned note") < html.index("Big news")
    assert "Breaking" in html and "Pinned" in html
    assert html.count("Pinned note</p>") == 1  # shown once, not again in the timeline
    assert html.count("badge--pinned") == 1  # and only the pinned item says so


def test_feed_page_carries_live_blog_structured_data(client, newsroom):
    make_items(3)
    html = client.get("/news-feed/").content.decode()
    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    (live,) = [d for d in data if d["@type"] == "LiveBlogPosting"]
    assert [u["articleBody"] for u in live["liveBlogUpdate"]] == ["Item 0", "Item 1", "Item 2"]
    assert datetime.datetime.fromisoformat(live["coverageStartTime"]).utcoffset() is not None


def test_json_endpoint_pages_with_next_links(client, newsroom):
    # given
    article = newsroom.article(title="Linked story")
    make_items(21)
    FeedItemFactory(
        text="With link",
        article=article,
        published_at=timezone.now() + datetime.timedelta(seconds=-1),
    )
    # when
    first = client.get("/news-feed/feed.json").json()
    second = client.get(first["next"].replace("http://testserver", "")).json()
    # then
    assert len(first["items"]) == 20 and first["next"]
    linked = [i for i in first["items"] if i["text"] == "With link"][0]
    assert linked["article"] == {"title": "Linked story", "url": f"http://testserver{article.url}"}
    assert len(second["items"]) == 2 and second["next"] is None
    assert (
        datetime.datetime.fromisoformat(first["items"][0]["published_at"]).utcoffset() is not None
    )


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


def test_item_permalink_goes_to_its_place_in_the_feed(client, newsroom):
    (item,) = make_items(1)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == f"/news-feed/#item-{item.pk}"
    assert client.get("/news-feed/items/999999/").status_code == 404


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
