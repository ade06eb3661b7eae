import datetime

import pytest
from django.utils import timezone

from masthead.content.tests.factories import RoundupPageFactory
from masthead.feed.tests.factories import FeedItemFactory

pytestmark = pytest.mark.django_db


def test_home_page_has_lead_top_stories_feed_picks_and_sections(client, newsroom):
    """Each story once: the section rows leave out the lead and the top stories, the picks box
    every story the page shows already."""
    # given a lead, four top stories and, older, four more in one section
    from masthead.content.models import EditorsPick, EditorsPicks

    now = timezone.now()
    older = [
        newsroom.article(
            title=f"Older story {n}",
            section=newsroom.sections[0],
            published_at=now - datetime.timedelta(days=2, hours=n),
        )
        for n in range(4)
    ]
    top = [
        newsroom.article(
            title=f"Top story {n}",
            section=newsroom.sections[n % 2],
            published_at=now - datetime.timedelta(hours=n + 1),
        )
        for n in range(4)
    ]
    lead = newsroom.article(title="Newest story", section=newsroom.sections[1])
    FeedItemFactory(text="Air raid alert in the capital.")
    picks = EditorsPicks.objects.create(site=newsroom.home.get_site())
    for position, article in enumerate([top[0], older[0], older[3]]):
        EditorsPick.objects.create(picks=picks, article=article, sort_order=position)
    # when
    html = client.get("/").content.decode()
    # then
    assert html.index("Newest story") < html.index("Top stories")
    assert 'class="lead-story"' in html and lead.url in html
    assert "Air raid alert in the capital." in html
    assert "Editors’ Picks" in html
    assert 'id="section-' in html
    for article in [lead, *top, *older]:
        assert html.count(f">{article.title}<") == 1, article.title
    picks_box = html[html.index('class="module picks-module"') :]
    assert "Older story 3" in picks_box
    assert "Older story 0" not in picks_box and "Top story 0" not in picks_box


def test_editor_chosen_lead_story_leads(client, newsroom):
    chosen = newsroom.article(
        title="The chosen one", published_at=timezone.now() - datetime.timedelta(days=3)
    )
    newsroom.article(title="Latest but not lead")
    newsroom.home.lead_story = chosen
    newsroom.home.save_revision().publish()
    html = client.get("/").content.decode()
    lead = html[html.index('class="lead-story"') :]
    assert lead.index("The chosen one") < lead.index("Top stories")


def test_section_page_lists_its_articles_paginated(client, newsroom):
    for n in range(21):
        newsroom.article(title=f"War story {n}", slug=f"war-{n}")
    newsroom.article(title="Culture story", section=newsroom.sections[1], slug="culture-1")
    first = client.get("/war/").content.decode()
    second = client.get("/war/?page=2").content.decode()
    assert "War story 20" in first and "Culture story" not in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "War story 0" in second


@pytest.mark.parametrize("query", ["?page=abc", "?page=0", "?page=-3", "?page=1.5", "?page="])
def test_bad_page_numbers_give_page_one(client, newsroom, query):
    newsroom.article(title="A war story")
    response = client.get(f"/war/{query}")
    assert response.status_code == 200
    assert "A war story" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/war/?page=99", "/authors/olena-marchenko/?page=5", "/tags/energy/?page=9"]
)
def test_page_number_past_the_end_is_not_found(client, newsroom, url):
    newsroom.article(tags=["energy"])
    assert client.get(url).status_code == 404


def test_empty_section_renders_a_friendly_message(client, newsroom):
    response = client.get("/culture/")
    assert response.status_code == 200
    assert "No articles here yet" in response.content.decode()


def test_author_page_lists_their_articles(client, newsroom):
    newsroom.article(title="By Olena", authors=[newsroom.authors[0]], slug="a")
    newsroom.article(title="By Taras", authors=[newsroom.authors[1]], slug="b")
    html = client.get(newsroom.authors[0].url).content.decode()
    assert "Olena Marchenko" in html and "Chief Executive Officer" in html
    assert "By Olena" in html and "By Taras" not in html


def test_author_index_lists_the_team(client, newsroom):
    html = client.get("/authors/").content.decode()
    assert "Olena Marchenko" in html and "Taras Bondar" in html


def test_tag_page_lists_tagged_articles(client, newsroom):
    newsroom.article(title="Tagged", tags=["energy"], slug="t1")
    newsroom.article(title="Untagged", slug="t2")
    html = client.get("/tags/energy/").content.decode()
    assert "Stories about energy" in html and "Tagged" in html and "Untagged" not in html
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_search_finds_articles_by_their_words(client, newsroom):
    newsroom.article(title="Substation repaired in Varena", slug="s1")
    newsroom.article(title="Theatre premiere", slug="s2")
    html = client.get("/search/", {"q": "substation"}).content.decode()
    assert "Substation repaired in Varena" in html and "Theatre premiere" not in html
    assert "1 result for" in html


def test_search_with_no_match_or_hostile_query_answers_plainly(client, newsroom):
    assert "Nothing matched" in client.get("/search/", {"q": "zzzz"}).content.decode()
    response = client.get("/search/", {"q": "<script>alert(1)</script>' OR 1=1 --" * 20})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert client.get("/search/").status_code == 200


def test_roundup_page_lists_key_developments_with_links(client, newsroom):
    article = newsroom.article(title="Rail link restored")
    from masthead.content.models import RoundupItem

    roundup = RoundupPageFactory(
        parent=newsroom.roundups,
        date=datetime.date(2026, 11, 20),
        items=["Alert in the east.", RoundupItem(text="Trains run again.", article=article)],
    )
    html = client.get(roundup.url).content.decode()
    assert roundup.url == "/roundups/2026-11-20/"
    assert "Key developments on November 20, 2026" in html
    assert "Alert in the east." in html and "Trains run again." in html and article.url in html
    assert roundup.title in client.get("/roundups/").content.decode()


def test_latest_roundup_appears_inside_articles(client, newsroom):
    RoundupPageFactory(
        parent=newsroom.roundups, date=timezone.localdate(), items=["Sirens at dawn."]
    )
    html = client.get(newsroom.article().url).content.decode()
    assert "Key developments on" in html and "Sirens at dawn." in html


def test_related_latest_box_shows_same_section_stories(client, newsroom):
    newsroom.article(title="Other war story", slug="o1")
    newsroom.article(title="Culture piece", section=newsroom.sections[1], slug="o2")
    article = newsroom.article(title="This story", slug="o3")
    html = client.get(article.url).content.decode()
    side = html[html.index('class="article-side"') :]
    assert "Latest in War" in side and "Other war story" in side and "Culture piece" not in side


def test_unknown_url_gives_designed_404(client, newsroom):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html
    assert 'class="skip-link"' in html


def test_skip_link_is_the_first_link_on_every_page(client, newsroom):
    article = newsroom.article()
    for url in ["/", article.url, "/war/", "/news-feed/", "/search/?q=x", "/authors/", "/no-such/"]:
        html = client.get(url).content.decode()
        body = html[html.index("<body") :]
        first_link = body[body.index("<a ") : body.index("</a>")]
        assert 'href="#main"' in first_link and "Skip to content" in body[: body.index("</a>")], url
        assert 'id="main"' in body


def test_staff_see_an_edit_link_and_readers_do_not(client, newsroom, django_user_model):
    article = newsroom.article()
    assert "staff-bar__edit" not in client.get(article.url).content.decode()
    editor = django_user_model.objects.create_user("ed", password="pw-long-enough", is_staff=True)
    editor.is_superuser = True
    editor.save()
    client.force_login(editor)
    html = client.get(article.url).content.decode()
    assert f'href="/admin/pages/{article.pk}/edit/"' in html
    feed_html = client.get("/news-feed/").content.decode()
    assert 'class="staff-bar__edit" href="/admin/snippets/feed/feeditem/"' in feed_html


def test_robots_txt_points_to_sitemaps(client, newsroom):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Sitemap: http://testserver/news-sitemap.xml" in body


def test_a_newsroom_with_no_articles_yet_still_has_a_front_page(client, newsroom):
    response = client.get("/")
    assert response.status_code == 200
    assert "No stories have been published yet." in response.content.decode()


def test_article_whose_section_was_deleted_still_renders(client, newsroom):
    article = newsroom.article(section=newsroom.sections[1])
    newsroom.sections[1].delete()
    response = client.get(article.url)
    assert response.status_code == 200
    assert 'class="kicker"' not in response.content.decode().split('class="article-side"')[0]


@pytest.mark.parametrize("before", ["junk", "1-2-3", "%00", "9" * 40, "-1--1"])
def test_feed_page_with_a_garbled_cursor_shows_the_latest(client, newsroom, before):
    from masthead.feed.tests.factories import FeedItemFactory

    FeedItemFactory(text="The newest update.")
    for url in ("/news-feed/", "/news-feed/feed.json"):
        response = client.get(url, {"before": before})
        assert response.status_code == 200
        assert "The newest update." in response.content.decode()


def test_editors_made_in_the_admin_without_is_staff_still_get_the_edit_link(
    client, newsroom, django_user_model
):
    from django.contrib.auth.models import Group

    # given an editor as Wagtail's user form makes them: in the Editor group, is_staff left off
    editor = django_user_model.objects.create_user("olena", "o@example.org", "pw-long-enough-1")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    article = newsroom.article()
    # then
    assert f'href="/admin/pages/{article.pk}/edit/"' in client.get(article.url).content.decode()
