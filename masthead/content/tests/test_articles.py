import datetime

import extruct
import pytest
from django.utils import timezone

from masthead.content.models import ArticlePage
from masthead.content.reading import reading_minutes
from masthead.content.tests.factories import paragraph_body

pytestmark = pytest.mark.django_db


def words(n):
    return " ".join(["word"] * n)


def test_reading_time_is_words_over_230_rounded_up_and_at_least_one(newsroom):
    # given
    short = newsroom.article(body=paragraph_body(["Just a few words."]))
    long = newsroom.article(body=paragraph_body([words(400), words(300)]))
    # then
    assert short.reading_minutes == 1
    assert long.reading_minutes == 4  # 700 words / 230 = 3.04 -> 4


def test_reading_time_ignores_captions_and_counts_quotes():
    # given a body with 230 words of quote and a long image caption
    page = ArticlePage(
        body=[
            {"type": "quote", "value": {"text": words(230), "attribution": "someone"}},
            {"type": "related_article", "value": {"article": None, "label": words(500)}},
        ]
    )
    # then
    assert reading_minutes(page.body) == 1


@pytest.mark.parametrize(
    ("kinds", "position"),
    [
        ("p p p p p p", 4),  # after the fourth block, as before
        ("p p p h p p q", 5),  # not between the heading and its text: after that text
        ("p h p h p h p", 0),  # no two paragraphs side by side: no appeal
        ("p p p image p p", 5),  # not between the picture and the story around it
        ("p p", 0),  # too short to ask
    ],
)
def test_the_appeal_goes_between_two_paragraphs_only(kinds, position):
    # given a body of these blocks
    value = {
        "p": ("paragraph", "<p>Text.</p>"),
        "h": ("heading", "What comes next"),
        "q": ("quote", {"text": "We keep going.", "attribution": ""}),
        "image": ("image", {"image": None, "caption": "", "credit": ""}),
    }
    page = ArticlePage(body=[{"type": value[k][0], "value": value[k][1]} for k in kinds.split()])
    # then the appeal comes after this many blocks (0: none)
    assert page.appeal_position == position


def test_article_page_shows_what_readers_expect(client, newsroom, image):
    # given
    article = newsroom.article(
        title="Power restored in Northbridge",
        summary="Engineers worked through the night.",
        authors=newsroom.authors,
        hero_image=image,
        hero_caption="Crews at the substation.",
        tags=["energy"],
        body=paragraph_body([words(460)]),
    )
    # when
    html = client.get(article.url).content.decode()
    # then
    assert "<h1" in html and "Power restored in Northbridge" in html
    assert "Engineers worked through the night." in html
    assert "Olena Marchenko" in html and "Chief Executive Officer" in html
    assert "Taras Bondar" in html and "War Correspondent" in html
    assert html.index("Olena Marchenko") < html.index("Taras Bondar")
    assert "2 min read" in html
    assert "Crews at the substation." in html and "Photo: Iryna Moroz" in html
    assert 'alt="Rescue workers at a damaged building at dusk"' in html
    assert 'href="/tags/energy/"' in html
    assert (
        f'<time datetime="{timezone.localtime(article.first_published_at).isoformat(timespec="seconds")}"'
        in html
    )


def test_update_time_shown_only_when_meaningfully_later(client, newsroom):
    # given one article republished 5 minutes after publication and one 3 hours after
    published = timezone.now() - datetime.timedelta(hours=5)
    typo_fix = newsroom.article(slug="typo-fix")
    real_update = newsroom.article(slug="real-update")
    ArticlePage.objects.filter(pk=typo_fix.pk).update(
        first_published_at=published, last_published_at=published + datetime.timedelta(minutes=5)
    )
    ArticlePage.objects.filter(pk=real_update.pk).update(
        first_published_at=published, last_published_at=published + datetime.timedelta(hours=3)
    )
    # then
    assert "Updated" not in client.get(typo_fix.url).content.decode()
    assert "Updated" in client.get(real_update.url).content.decode()


def test_correction_note_is_shown_at_the_top(client, newsroom):
    article = newsroom.article(correction="An earlier version misnamed the town.")
    html = client.get(article.url).content.decode()
    assert "Correction:" in html
    assert html.index("An earlier version misnamed the town.") < html.index('class="article__body"')


def test_article_without_hero_image_renders(client, newsroom):
    article = newsroom.article(hero_image=None)
    response = client.get(article.url)
    assert response.status_code == 200
    assert 'class="hero"' not in response.content.decode()


def test_article_whose_author_was_deleted_still_renders(client, newsroom):
    # given
    article = newsroom.article(authors=[newsroom.authors[1]])
    # when the only author's page is deleted
    newsroom.authors[1].delete()
    # then
    response = client.get(article.url)
    assert response.status_code == 200
    assert "Taras Bondar" not in response.content.decode()


def test_unpublished_author_is_left_out_of_the_byline(client, newsroom):
    article = newsroom.article(authors=newsroom.authors)
    newsroom.authors[1].unpublish()
    html = client.get(article.url).content.decode()
    assert "Olena Marchenko" in html
    assert "Taras Bondar" not in html


def test_news_article_structured_data(client, newsroom, image):
    # given
    article = newsroom.article(
        title="Rail link restored", hero_image=image, authors=newsroom.authors
    )
    # when
    html = client.get(article.url).content.decode()
    data = extruct.extract(
        html, base_url="http://testserver" + article.url, syntaxes=["json-ld"], uniform=True
    )
    # then
    (news,) = [d for d in data["json-ld"] if d.get("@type") == "NewsArticle"]
    assert news["headline"] == "Rail link restored"
    (picture,) = news["image"]
    assert picture["@type"] == "ImageObject"
    assert picture["url"].startswith("http://testserver/media/")
    assert (picture["width"], picture["height"]) == (1200, 630)
    assert datetime.datetime.fromisoformat(news["datePublished"]).utcoffset() is not None
    assert datetime.datetime.fromisoformat(news["dateModified"]).utcoffset() is not None
    assert [a["name"] for a in news["author"]] == ["Olena Marchenko", "Taras Bondar"]
    assert all(
        a["@type"] == "Person" and a["url"].startswith("http://testserver/authors/")
        for a in news["author"]
    )
    assert news["publisher"]["name"] == "Masthead"
    assert news["articleSection"] == "War"


def test_publisher_logo_is_in_structured_data_when_set(client, newsroom, image):
    from masthead.core.models import NewsroomSettings

    NewsroomSettings.objects.filter(site=newsroom.home.get_site()).update(logo=image)
    article = newsroom.article()
    data = extruct.extract(
        client.get(article.url).content.decode(), syntaxes=["json-ld"], uniform=True
    )
    (news,) = [d for d in data["json-ld"] if d.get("@type") == "NewsArticle"]
    assert news["publisher"]["logo"]["url"].startswith("http://testserver/media/")


def test_head_has_canonical_description_and_social_cards(client, newsroom, image):
    article = newsroom.article(summary="A short summary.", hero_image=image)
    html = client.get(article.url).content.decode()
    assert f'<link rel="canonical" href="http://testserver{article.url}">' in html
    assert '<meta name="description" content="A short summary.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/media/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_slots_for_later_features_render_no_markup(client, newsroom):
    html = client.get(newsroom.article().url).content.decode()
    assert "Slot for" not in html
    assert "campaign" not in html.lower()


def test_responsive_hero_image_has_srcset_webp_and_dimensions(client, newsroom, image):
    html = client.get(newsroom.article(hero_image=image).url).content.decode()
    hero = html[html.index('<figure class="hero">') :]
    hero = hero[: hero.index("</figure>")]
    assert '<source type="image/webp" srcset="' in hero
    assert " 480w" in hero and " 1200w" in hero
    assert 'width="1200" height="675"' in hero
    assert 'loading="eager"' in hero


def test_story_cards_lazy_load_their_images(client, newsroom, image):
    newsroom.article(hero_image=image)
    html = client.get(newsroom.sections[0].url).content.decode()
    assert 'loading="lazy"' in html


def test_embed_that_cannot_be_fetched_falls_back_to_a_titled_link(client, newsroom):
    # given an embed whose provider cannot be reached (no network here, as on a bad day)
    article = newsroom.article(
        body=[
            {
                "type": "embed",
                "value": {
                    "url": "https://video.example.org/watch/42",
                    "title": "Video of the bridge reopening",
                },
            }
        ]
    )
    # when
    response = client.get(article.url)
    # then the page renders and readers still get a link with a meaningful name
    assert response.status_code == 200
    assert (
        '<a href="https://video.example.org/watch/42">Video of the bridge reopening</a>'
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("minutes", "in_ukrainian"),
    [
        (1, "1 хвилина читання"),
        (2, "2 хвилини читання"),
        (3, "3 хвилини читання"),
        (5, "5 хвилин читання"),
        (11, "11 хвилин читання"),
        (21, "21 хвилина читання"),
        (22, "22 хвилини читання"),
    ],
)
def test_the_ukrainian_reading_time_takes_the_plural_its_number_needs(
    client, newsroom, ukrainian, minutes, in_ukrainian
):
    """1 хвилина, 2-4 хвилини, 5-20 хвилин, 21 хвилина: never one form for every number."""
    # given an article of this many minutes' reading, and its Ukrainian translation
    article = newsroom.article(slug="long-read", body=paragraph_body([words(230 * minutes)]))
    translated = ukrainian.translate(article, title="Довге читання", slug="dovhe-chytannia")
    assert translated.reading_minutes == minutes
    # when readers open each
    english = client.get(article.url).content.decode()
    html = client.get(translated.url).content.decode()
    # then each says it in its own language's plural
    assert f"· {in_ukrainian}</span>" in html
    assert f"· {minutes} min read</span>" in english
