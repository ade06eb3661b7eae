"""Kept pieces of pages (story cards, article bodies, side modules) and each process's near copies:
a page the page cache does not hold renders from them, and every change still reaches readers."""

import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import PageViewRestriction

from masthead.content.models import ArticlePage
from masthead.content.tests.factories import paragraph_body
from masthead.core import fragments, pagecache
from masthead.feed import services as feed_services
from masthead.images.tests.factories import NewsImageFactory
from masthead.members import services as member_services
from masthead.members.models import Campaign
from masthead.members.tests import factories as member_factories

pytestmark = pytest.mark.django_db

NEAR = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "far"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    "near": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "near"},
    "renditions": {"BACKEND": "masthead.core.cache.NearFirstCache"},
}


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)


@pytest.fixture
def rendered(monkeypatch):
    """The names of the pieces each request had to render (not found kept)."""
    made = []
    keep = fragments.kept

    def spy(name, parts, topics, render, request=None):
        def counted():
            made.append(name)
            return render()

        return keep(name, parts, topics, counted, request)

    monkeypatch.setattr(fragments, "kept", spy)
    return made


def uncached(client, url):
    """A request the page cache does not answer (an address it does not know), rendered anew."""
    response = client.get(url, {"from": "a-link-nobody-shared-before"})
    assert "X-Cache" not in response
    return response


def test_a_page_the_cache_does_not_hold_renders_from_kept_pieces_without_a_query(
    client, newsroom, rendered
):
    story = newsroom.article(title="Grain corridor reopens")
    newsroom.article(title="Schools return underground")
    for url in ("/", story.url):
        first = uncached(client, url)
        with CaptureQueriesContext(connection) as queries:
            second = uncached(client, url)
        assert len(queries) == 0, (url, [q["sql"] for q in queries])
        assert second.content == first.content
    rendered.clear()
    uncached(client, "/")
    assert rendered == []


def test_a_publish_renders_only_the_cards_that_changed(client, newsroom, committed, rendered):
    for n in range(6):
        committed(lambda n=n: newsroom.article(title=f"Story {n}"))
    uncached(client, "/")
    rendered.clear()
    committed(lambda: newsroom.article(title="Breaking: dam breached"))
    home = uncached(client, "/").content.decode()
    assert "Breaking: dam breached" in home
    cards = rendered.count("story-card")
    assert 1 <= cards <= 2  # the new story; perhaps the one it pushed into another list
    assert home.count('class="story-card') >= 5


def test_a_new_headline_reaches_every_kept_piece_that_shows_it(client, newsroom, committed):
    story = committed(lambda: newsroom.article(title="Old headline", tags=["energy"]))
    urls = ["/", story.url, newsroom.sections[0].url, newsroom.news.url, "/tags/energy/"]
    for url in urls:
        assert "Old headline" in client.get(url).content.decode()

    def retitle():
        story.title = "New headline"
        story.save_revision().publish()

    committed(retitle)
    for url in urls:
        page = client.get(url).content.decode()
        assert "New headline" in page, url
        assert "Old headline" not in page, url


def test_a_renamed_section_or_author_reaches_the_cards(client, newsroom, committed):
    section, author = newsroom.sections[0], newsroom.authors[0]
    committed(lambda: newsroom.article(title="Power cuts extended"))
    assert section.title in client.get("/").content.decode()
    assert author.title in client.get(newsroom.news.url).content.decode()

    def rename():
        section.title, author.title = "Front line", "Olena Renamed"
        section.save_revision().publish()
        author.save_revision().publish()

    committed(rename)
    assert ">Front line</a>" in client.get("/").content.decode()
    assert "Olena Renamed" in client.get(newsroom.news.url).content.decode()


def test_a_picture_s_new_description_reaches_the_cards(client, newsroom, committed):
    image = NewsImageFactory(description="Smoke over the port")
    committed(lambda: newsroom.article(title="Port shelled", hero_image=image))
    assert 'alt="Smoke over the port"' in client.get("/").content.decode()

    def describe():
        image.description = "Firefighters at the grain terminal"
        image.save()

    committed(describe)
    page = client.get("/").content.decode()
    assert 'alt="Firefighters at the grain terminal"' in page
    assert "Smoke over the port" not in page


def test_side_modules_follow_the_feed(client, newsroom, committed):
    story = committed(lambda: newsroom.article(title="Bridge repaired"))
    for url in ("/", story.url):
        client.get(url)
    committed(lambda: feed_services.post_item(text="Air raid alert over Odesa."))
    for url in ("/", story.url):
        assert "Air raid alert over Odesa." in client.get(url).content.decode(), url


def test_the_appeal_inside_a_kept_article_is_still_the_reader_s_own(client, newsroom):
    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    story = newsroom.article(
        title="A long story",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    body = uncached(client, story.url).content.decode().split('class="article__body"')[1]
    assert body.index("Paragraph 3.") < body.index("Help us reach") < body.index("Paragraph 4.")
    # a member (recognised by the cookie) gets the same kept body without the appeal
    member = member_factories.member("reader@example.org")
    client.cookies[member_services.MEMBER_COOKIE] = member_services.member_cookie_value(member)
    page = client.get(story.url).content.decode()
    assert "Paragraph 5." in page
    assert "Help us reach" not in page.split('class="article__body"')[1].split("</article>")[0]


def test_a_page_made_private_leaves_the_cache(client, newsroom, committed):
    story = committed(lambda: newsroom.article(title="Source protection guide"))
    assert "Source protection guide" in client.get(story.url).content.decode()
    committed(
        lambda: PageViewRestriction.objects.create(
            page=story, restriction_type=PageViewRestriction.LOGIN
        )
    )
    response = client.get(story.url)
    assert response.status_code == 302  # to sign in, not the kept public copy
    assert "Source protection guide" not in response.content.decode()


def test_pagination_links_carry_only_what_the_page_depends_on(client, newsroom):
    for n in range(25):
        newsroom.article(title=f"Story {n}")
    page = client.get(newsroom.news.url, {"utm_source": "newsletter", "fbclid": "x"})
    assert 'href="?page=2"' in page.content.decode()


@override_settings(CACHES=NEAR)
def test_near_copies_are_judged_by_the_topic_times_of_the_shared_cache(committed):
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert pagecache.remember("sections:en", ("pages",), build) == 1
    caches["default"].clear()  # the shared copy is gone: this process still holds its own
    assert pagecache.remember("sections:en", ("pages",), build) == 1
    committed(lambda: pagecache.changed("pages"))
    assert pagecache.remember("sections:en", ("pages",), build) == 2
    assert pagecache.remember("sections:en", ("feed",), build) == 2


@override_settings(CACHES=NEAR)
def test_renditions_are_read_from_this_process_once_held():
    renditions = caches["renditions"]
    caches["default"].set("wagtail-rendition-1-abc", "kept")
    assert renditions.get("wagtail-rendition-1-abc") == "kept"
    caches["default"].clear()
    assert renditions.get("wagtail-rendition-1-abc") == "kept"  # from near: a round trip saved
    # a value already held is not written to the shared cache again (Wagtail writes back reads)
    renditions.set_many({"wagtail-rendition-1-abc": "kept", "wagtail-rendition-2-def": "new"})
    assert caches["default"].get("wagtail-rendition-1-abc") is None
    assert caches["default"].get("wagtail-rendition-2-def") == "new"
    renditions.delete("wagtail-rendition-2-def")
    assert renditions.get("wagtail-rendition-2-def") is None


def test_an_editor_s_preview_shows_the_draft_not_the_kept_pieces(client, admin_client, newsroom):
    story = newsroom.article(title="Curfew lifted", body=paragraph_body(["The published text."]))
    assert "The published text." in uncached(client, story.url).content.decode()
    draft = ArticlePage.objects.get(pk=story.pk)
    draft.body = paragraph_body(["The corrected text."])
    revision = draft.save_revision()
    # the draft keeps the live version's key (pk, last publication): only being a preview tells
    preview = revision.as_object().make_preview_request().content.decode()
    assert "The corrected text." in preview
    assert "The published text." not in preview
    assert (
        "The corrected text."
        in admin_client.get(f"/admin/pages/{story.pk}/view_draft/").content.decode()
    )
    # and the reader still gets the published text
    assert "The published text." in uncached(client, story.url).content.decode()


def test_a_piece_built_from_a_part_that_missed_a_change_is_not_trusted_afterwards():
    feed = ["Old item"]
    assert pagecache.remember("feed:en:5", ("feed",), lambda: list(feed)) == ["Old item"]
    # a render reads the topic times; then the feed changes while it is still rendering
    pagecache.render_started()
    try:
        pagecache.topic_times()
        feed[0] = "New item"
        caches["pages"].set("pagecache:topic:feed", time.time(), None)
        time.sleep(pagecache.CLOCK_SKEW + 0.05)  # the piece is built well after the change...

        def module():  # ...from the part as this render judged it: still the old list
            return " ".join(pagecache.remember("feed:en:5", ("feed",), lambda: list(feed)))

        assert pagecache.kept("pagecache:fragment:feed-module", ("feed",), module) == "Old item"
    finally:
        pagecache.render_finished()
    # the next render does not trust that piece: it is dated from the reading, before the change
    assert pagecache.kept("pagecache:fragment:feed-module", ("feed",), module) == "New item"
