"""Moving in from Ghost: an export written for these tests (Lexical, Mobiledoc and broken HTML,
Ukrainian text, a duplicate slug, a missing image, members with newsletters and a Stripe customer)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from masthead.content.models import ArticlePage, AuthorPage, StandardPage
from masthead.images.models import NewsImage
from masthead.importers.models import ImportedItem
from masthead.members.models import Member
from masthead.newsletters.models import ConsentEvent, Newsletter, Subscriber, Subscription

pytestmark = pytest.mark.django_db
EXPORT = Path(__file__).parent / "fixtures" / "ghost.json"


@pytest.fixture
def content(tmp_path):
    """A local copy of Ghost's content folder: the ward photo is there, the ferry's is not."""
    folder = tmp_path / "content"
    (folder / "images" / "2024" / "03").mkdir(parents=True)
    Image.new("RGB", (1000, 700), (40, 60, 80)).save(folder / "images/2024/03/ward.jpg")
    return folder


def run(*args):
    out = io.StringIO()
    call_command("import_ghost", str(EXPORT), *args, stdout=out)
    return out.getvalue()


def test_a_ghost_export_moves_in(newsroom, content):
    output = run("--content", str(content))
    assert ("Imported: 2 authors, 3 sections, 2 newsletters, 1 images, 3 articles, 1 pages, 3 redirects, "
            "3 subscribers, 1 paying members") in output  # fmt: skip
    assert "post p5: no title" in output
    assert "post Unfinished draft: status draft, not published" in output
    assert "member m3" in output and "An e-mail address has an @ in it" in output

    # Lexical: paragraphs with bold, a heading, a list with a link, the image found locally
    story = ArticlePage.objects.get(slug="hospitals-torchlight")
    assert story.first_published_at.isoformat().startswith("2024-03-04T06:15")
    assert [a.title for a in story.authors] == ["Марія Коваль", "Sam Okafor"]
    assert [t.name for t in story.tags.all()] == ["health"]  # "#internal" tags stay in Ghost
    assert story.section.title == "health"  # the first tag, as Ghost's themes use it
    assert ArticlePage.objects.get(title="Markets reopen").section.title == "Archive"
    assert story.summary == "Hospitals keep working through the blackouts."
    assert story.hero_image is not None and story.hero_caption == "A ward at night"
    assert [b.block_type for b in story.body] == ["paragraph", "heading", "paragraph", "image"]
    assert "<b>torchlight</b>" in str(story.body[0].value)
    assert '<a href="https://donate.example/">' in str(story.body[2].value)
    assert story.body[3].value["image"] == story.hero_image
    assert NewsImage.objects.count() == 1  # the same photo twice is one image

    # Mobiledoc: links, emphasis, a list; a missing image card is reported
    ferry = ArticlePage.objects.get(title="The ferry is back")
    assert '<a href="https://river.example/">' in str(ferry.body[0].value)
    # the missing image leaves its caption as a paragraph
    assert [b.block_type for b in ferry.body] == ["paragraph", "paragraph", "paragraph"]
    assert "<i>Monday</i>" in str(ferry.body[2].value)
    assert "an image not in the export's uploads" in output
    # broken HTML with a script: text kept, script gone; a duplicate slug gets its own address
    markets = ArticlePage.objects.get(title="Markets reopen")
    assert markets.slug == "ferry-2"
    assert "script" not in "".join(str(b.value) for b in markets.body)
    assert "Prices are up." in str(markets.body[-1].value)
    # a page becomes a standard page
    assert StandardPage.objects.get(slug="funding").title == "How we are funded"

    # authors, newsletters and members
    maria = AuthorPage.objects.get(title="Марія Коваль")
    assert "in Dnipro" in maria.bio and "<b>" not in maria.bio
    daily = Newsletter.objects.get(slug="river-daily")
    assert daily.audience_count == 2 and daily.reply_to == ""
    reader = Subscriber.objects.get(email__iexact="reader.one@example.org")
    assert sorted(reader.subscriptions.values_list("newsletter__slug", "state")) == [
        ("river-daily", "confirmed"),
        ("weekend", "confirmed"),
    ]
    assert ConsentEvent.objects.filter(subscriber=reader, action="confirm").count() == 2
    assert Subscriber.objects.get(email="quiet@example.org").subscriptions.count() == 0
    paying = Member.objects.get(email="paying@example.org")
    assert paying.stripe_customer_id == "cus_Ghost123"

    # the old addresses lead to the new pages, which are served
    client = Client()
    moved = client.get("/hospitals-torchlight/")
    assert moved.status_code == 301 and moved["Location"].endswith(story.url)
    assert "Frontline doctors work by" in client.get(story.url).content.decode()


def test_running_it_again_changes_nothing_and_a_dry_run_nothing_at_all(newsroom, content):
    before = (ArticlePage.objects.count(), Subscriber.objects.count(), ImportedItem.objects.count())
    dry = run("--content", str(content), "--dry-run")
    assert dry.startswith("Would import: 2 authors") or "Would import: 2 authors" in dry
    assert before == (
        ArticlePage.objects.count(),
        Subscriber.objects.count(),
        ImportedItem.objects.count(),
    )
    run("--content", str(content))
    counts = (ArticlePage.objects.count(), Subscriber.objects.count(), Subscription.objects.count(),
              NewsImage.objects.count(), Member.objects.count(), ImportedItem.objects.count())  # fmt: skip
    again = run("--content", str(content))
    assert "Imported: nothing" in again
    assert counts == (ArticlePage.objects.count(), Subscriber.objects.count(),
                      Subscription.objects.count(), NewsImage.objects.count(),
                      Member.objects.count(), ImportedItem.objects.count())  # fmt: skip


def test_what_is_not_a_ghost_export_is_refused_in_words(newsroom, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    with pytest.raises(CommandError, match="not a Ghost export"):
        call_command("import_ghost", str(other))
    broken = tmp_path / "broken.json"
    broken.write_text('{"db": [')
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ghost", str(broken))


def test_paying_members_bring_their_memberships_from_stripe(newsroom, content, stripe_world):
    # given the Stripe account the Ghost site used, where the paying member has a subscription
    stripe_world.existing_member("paying@example.org", "cus_Ghost123", unit_amount=800)
    # when the export is imported
    output = run("--content", str(content))
    # then the member is a member now, as Stripe says, without waiting for a webhook
    assert "1 memberships from Stripe" in output
    paying = Member.objects.get(email="paying@example.org")
    membership = paying.memberships.get()
    assert (membership.state, membership.amount, membership.interval) == ("active", 800, "month")
    assert paying.is_active
    # and a second run asks Stripe again and changes nothing
    run("--content", str(content))
    assert paying.memberships.count() == 1


def test_without_stripe_the_report_says_when_memberships_will_show(newsroom, content):
    output = run("--content", str(content))
    assert "Stripe is not configured here" in output
    assert not Member.objects.get(email="paying@example.org").memberships.exists()


def test_a_ukrainian_newsroom_moves_into_the_ukrainian_edition(newsroom, ukrainian, content):
    # when
    output = run("--content", str(content), "--edition", "uk")
    # then its stories are the Ukrainian edition's, under its News, and served there
    assert "3 articles" in output
    story = ArticlePage.objects.get(slug="hospitals-torchlight")
    assert story.locale == ukrainian.locale and story.get_parent().pk == ukrainian.news.pk
    assert story.url.startswith("/uk/news/")
    assert AuthorPage.objects.get(title="Марія Коваль").get_parent().locale == ukrainian.locale
    # its newsletters and readers belong to the edition: their mail is written in Ukrainian
    assert set(Newsletter.objects.values_list("language", flat=True)) == {"uk"}
    assert Subscriber.objects.get(email__iexact="reader.one@example.org").language == "uk"
    # and the old addresses lead to the Ukrainian pages
    moved = Client().get("/hospitals-torchlight/")
    assert moved.status_code == 301 and moved["Location"].endswith(story.url)


def test_an_edition_without_its_home_page_is_refused_with_the_way_forward(newsroom, content):
    with pytest.raises(CommandError, match="translate the home page into it"):
        run("--content", str(content), "--edition", "uk")
    with pytest.raises(CommandError, match="There is no 'pl' edition"):
        run("--content", str(content), "--edition", "pl")
    assert not ArticlePage.objects.exists()
