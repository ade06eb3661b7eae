import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Locale, Page, WorkflowState

from masthead.audio.models import Narration
from masthead.content.models import ArticlePage, AuthorPage, RoundupPage, SectionPage
from masthead.demo import builder
from masthead.demo.bulk import bulk_articles
from masthead.feed.models import FeedItem
from masthead.members.models import Campaign, Gift, Member, Membership, Payment
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.models import Issue, Newsletter

pytestmark = pytest.mark.django_db


def test_seed_builds_a_believable_newsroom_deterministically(capsys):
    # when
    call_command("seed", articles=8, feed_items=12, days=3)
    # then the English edition
    english = {"locale__language_code": "en"}
    assert SectionPage.objects.live().filter(**english).count() == 5
    assert AuthorPage.objects.live().filter(**english).count() == 6
    assert ArticlePage.objects.live().filter(**english).count() == 8
    assert FeedItem.objects.filter(**english).count() == 12
    assert RoundupPage.objects.live().filter(**english).count() >= 2
    assert all(a.hero_image_id and a.byline.exists() for a in ArticlePage.objects.all())
    assert {u.username for u in builder.create_demo_users()} == {
        "admin",
        "editor",
        "writer",
        "revenue",
    }
    # and the Ukrainian one: every English article translated (up to 12), linked to its original,
    # with a Ukrainian byline and section
    ukrainian = {"locale__language_code": "uk"}
    assert SectionPage.objects.live().filter(**ukrainian).count() == 5
    translated = ArticlePage.objects.live().filter(**ukrainian)
    assert translated.count() == 8
    for article in translated:
        original = article.get_translation(Locale.objects.get(language_code="en"))
        assert original.live and original.title != article.title
        assert article.section.locale_id == article.locale_id
        assert all(entry.author.locale_id == article.locale_id for entry in article.byline.all())
    assert FeedItem.objects.filter(**ukrainian).count() == 4
    assert RoundupPage.objects.live().filter(**ukrainian, title__startswith="Головне").exists()
    # with a draft newsletter issue to send and a membership drive running in each edition
    assert Issue.objects.filter(state=Issue.State.DRAFT).count() == 1
    assert Campaign.objects.get(language="en").headline == "Help us reach 20,000 members"
    assert (
        Campaign.objects.get(language="uk").headline == "Допоможіть нам досягти 20\u00a0000 членів"
    )
    # with an audience, so the Revenue and Editor journeys show lists: readers on the
    # newsletters, members in each state who paid, a gift on its way, and a story in review
    daily = Newsletter.objects.get(slug="daily-briefing")
    assert daily.audience_count == newsletter_services.audience(daily).count() > 20
    assert Member.objects.filter(is_active=True).count() >= 8
    assert Member.objects.filter(is_active=False).exists()  # an ended membership, one-time gifts
    assert set(Membership.objects.values_list("state", flat=True)) >= {
        "active",
        "past_due",
        "cancelling",
        "ended",
    }
    assert Payment.objects.filter(kind="one_time").count() == 3
    assert Gift.objects.filter(state="paid", deliver_on__gt=datetime.date.today()).exists()
    (in_review,) = WorkflowState.objects.filter(status="in_progress")
    assert in_review.requested_by.username == "writer"
    assert not in_review.content_object.live
    # and the newest articles queued for narration, not all of them
    assert Narration.objects.count() == builder.DEMO_NARRATIONS
    assert "Demo newsroom ready" in capsys.readouterr().out
    first_headlines = sorted(
        ArticlePage.objects.live().filter(**english).values_list("title", flat=True)
    )
    # and the prose is the same on every run (fixed seed)
    import random

    from masthead.demo.writing import Writer

    writer = Writer(random.Random(2026))
    assert writer.headline("War")[0] == Writer(random.Random(2026)).headline("War")[0]
    assert len(first_headlines) == 8


def test_seed_refuses_to_run_over_an_existing_newsroom(newsroom):
    with pytest.raises(CommandError, match="already has a home page"):
        call_command("seed", articles=1)


def test_bulk_articles_leave_a_consistent_tree(client, newsroom, image):
    # when
    made = bulk_articles(
        index=newsroom.news,
        sections=newsroom.sections,
        authors=newsroom.authors,
        count=2500,
        images=[image],
    )
    # then
    assert made == 2500
    assert all(not problems for problems in Page.find_problems())
    article = ArticlePage.objects.live().order_by("-pk").first()
    assert article.url.startswith("/news/2500-")
    assert article.authors and article.section_id
    assert client.get(article.url).status_code == 200
    newsroom.news.refresh_from_db()
    assert newsroom.news.get_children().count() == 2500
