"""The newsroom's own work, done in Chromium through the real admin as writers and editors do it.

Factories build only what is around the step under test (the newsroom, yesterday's story); every
step a person takes here is taken in the browser, from the empty form or the dashboard button. Tasks
go through the database queue and the newsroom's worker, as on the site.
"""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from wagtail.models import Revision

from masthead.audio.models import Narration
from masthead.content.models import ArticlePage, RoundupPage
from masthead.feed.models import FeedItem
from masthead.feed.tests.factories import FeedItemFactory
from tests.browser.helpers import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued_tasks(settings):
    """Tasks wait in the database for the worker, as on the site (tests otherwise run them at once)."""
    settings.TASKS = DATABASE_TASKS


def run_the_worker():
    """One round of the newsroom's worker: what is due is published, then queued tasks run."""
    call_command("newsroom_worker", "--batch")


def photo(tmp_path, name="bridge.jpg"):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 90, 140)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def browser(chromium):
    """A browser window of its own for each person in the journey."""
    contexts = []

    def open_window():
        contexts.append(chromium.new_context(viewport={"width": 1280, "height": 900}))
        return contexts[-1].new_page()

    yield open_window
    for context in contexts:
        context.close()


def an_hour_passes(page):
    """Move the page's approved go-live time into the past, as the clock would."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision = Revision.objects.get(object_id=str(page.pk), approved_go_live_at__isnull=False)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    type(page).objects.filter(pk=page.pk).update(go_live_at=past)


def assert_narrated(page, live_server, story):
    """The story's page (open in `page`) plays its narration, which is served."""
    narration = Narration.objects.get(article=story)
    assert narration.state == Narration.State.READY, narration.error
    player = page.get_by_role("region", name="Listen to this article")
    expect(player.locator("audio")).to_have_attribute("src", narration.audio.url)
    assert page.request.get(live_server.url + narration.audio.url).ok


def choose_page(page, button_name, title):
    """Open a page chooser and pick a page by its title."""
    page.get_by_role("button", name=button_name).click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=title, exact=True).click()
    expect(modal).to_be_hidden()


def test_a_writer_drafts_a_story_and_an_editor_publishes_it(
    live_server, browser, newsroom, queued_tasks, tmp_path, django_user_model
):
    # given yesterday's story under the address the new headline would take
    newsroom.article(title="Bridge reopens", slug="bridge-reopens-in-kostel")
    page = browser()
    sign_in_as(page, live_server, django_user_model, "writer", "Writer")
    # when the writer fills the empty "Add article" form
    page.goto(f"{live_server.url}/admin/pages/add/content/articlepage/{newsroom.news.pk}/")
    # (Wagtail's large title field hides its label: the placeholder shows where the headline goes)
    expect(page.get_by_role("textbox", name="Headline")).to_have_attribute(
        "placeholder", "Headline*"
    )
    # (a long headline is shown whole: the field grows, it does not scroll the words out of sight)
    headline = page.get_by_role("textbox", name="Headline")
    headline.fill("Kostel's bridge reopens four months after the strike, as engineers warn " * 2)
    assert headline.evaluate(
        "field => field.scrollWidth <= field.clientWidth && field.scrollHeight <= field.clientHeight"
    ), "part of the headline is hidden"
    headline.fill("")
    headline.press_sequentially("Bridge reopens in Kostel")
    # (the address on the Promote tab follows the headline as it is typed)
    expect(page.locator("#id_slug")).to_have_value("bridge-reopens-in-kostel")
    page.get_by_role("textbox", name="Summary").fill("Traffic crosses the river again.")
    choose_page(page, "Choose a page (Author)", "Olena Marchenko")
    choose_page(page, "Choose a page (Section)", "War")
    page.get_by_role("button", name="Choose an image").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("File*").set_input_files(str(photo(tmp_path)))
    expect(modal.get_by_label("Title*")).to_have_value("bridge")  # named after the file
    modal.get_by_role("textbox", name="Alt text*", exact=True).fill(
        "Cars cross the reopened bridge at noon"
    )
    modal.get_by_label("Photo credit").fill("Iryna Moroz")
    modal.get_by_role("button", name="Upload").click()
    expect(modal).to_be_hidden(timeout=20_000)
    page.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").click()
    page.locator("[data-contents]").first.click()
    page.keyboard.type("The bridge reopened at noon, four months after the strike.")
    # (Draftail writes what was typed into the form a moment later)
    expect(page.locator("input[name='body-0-value']")).to_have_value(re.compile("at noon"))
    # and submits it for review
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Editorial review").click()
    # then the headline named the address (Promote tab), and the clash with yesterday's story is
    # told on the Content tab the writer is looking at
    expect(page.locator(".messages")).to_contain_text(
        "The slug 'bridge-reopens-in-kostel' is already in use"
    )
    expect(page.locator(".messages")).to_contain_text("Look at the Promote tab")
    # so the writer gives it another address there and submits again
    page.get_by_role("tab", name="Promote").click()
    page.get_by_role("textbox", name="Slug").fill("kostel-bridge-traffic")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Editorial review").click()
    expect(page.locator(".messages")).to_contain_text("submitted")
    story = ArticlePage.objects.get(slug="kostel-bridge-traffic")
    assert not story.live
    assert story.current_workflow_state.status == "in_progress"
    assert story.hero_image.description == "Cars cross the reopened bridge at noon"
    assert story.authors == [newsroom.authors[0]] and story.section == newsroom.sections[0]

    # when an editor approves it from the dashboard's "Awaiting your review" panel
    # (the editor's own "Approve and Publish" is content/tests/test_admin.py's)
    page = browser()
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    waiting = page.locator("tr", has=page.get_by_role("link", name="Bridge reopens in Kostel"))
    waiting.get_by_role("button", name="Actions").click()
    waiting.get_by_role("button", name="Approve", exact=True).click()
    # then the dashboard says it is published, with the way to see it
    expect(page.locator(".messages")).to_contain_text(
        "Page 'Bridge reopens in Kostel' has been published."
    )
    expect(page.locator(".messages").get_by_role("link", name="View live")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    story.refresh_from_db()
    assert story.live
    # and the worker does what was queued
    assert Narration.objects.get(article=story).state == Narration.State.PENDING
    run_the_worker()
    # then readers find it on the home page, its section, the RSS feed and the news sitemap,
    # and can listen to it
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Bridge reopens in Kostel").first).to_be_visible()
    page.goto(live_server.url + newsroom.sections[0].url)
    expect(page.get_by_role("link", name="Bridge reopens in Kostel").first).to_be_visible()
    rss = ET.fromstring(page.request.get(live_server.url + "/rss.xml").body())
    assert "Bridge reopens in Kostel" in [t.text for t in rss.findall("channel/item/title")]
    sitemap = page.request.get(live_server.url + "/news-sitemap.xml").text()
    assert f"{story.full_url}</loc>" in sitemap or f"{story.url}</loc>" in sitemap, sitemap
    page.goto(live_server.url + story.url)
    expect(page.locator("figure.hero img")).to_have_attribute(
        "alt", "Cars cross the reopened bridge at noon"
    )
    assert_narrated(page, live_server, story)


def test_an_editor_starts_todays_roundup_from_the_dashboard_and_publishes_it(
    live_server, browser, newsroom, django_user_model
):
    # given today's News Feed item and story
    FeedItemFactory(text="Air raid alert in the east lifted after two hours.")
    newsroom.article(title="Grain exports resume", summary="Ships left Odesa at dawn.")
    page = browser()
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    # when the editor presses the dashboard's button
    page.get_by_role("button", name="Start today’s roundup").click()
    # then a draft with today's developments opens in the editor
    expect(page.locator(".messages")).to_contain_text("drafted with 2 developments")
    roundup = RoundupPage.objects.get(date=timezone.localdate())
    assert not roundup.live
    # and the editor publishes it
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("published")
    roundup.refresh_from_db()
    assert roundup.live
    page.goto(live_server.url + roundup.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(roundup.title)
    expect(page.get_by_text("Air raid alert in the east lifted after two hours.")).to_be_visible()
    expect(page.get_by_text("Ships left Odesa at dawn.")).to_be_visible()


def test_an_editor_schedules_a_story_and_it_goes_live_narrated(
    live_server, browser, newsroom, queued_tasks, django_user_model
):
    # given a finished draft
    draft = newsroom.article(title="Metro stations reopen", slug="metro-reopens", publish=False)
    page = browser()
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    # when the editor schedules it for an hour from now
    page.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    page.get_by_role("button", name="Status").click()
    page.get_by_role("button", name="Set schedule").click()
    in_an_hour = timezone.localtime() + datetime.timedelta(hours=1)
    dialog = page.locator("#schedule-publishing-dialog")
    field = dialog.get_by_label("Go live date/time")
    field.fill(in_an_hour.strftime("%Y-%m-%d %H:%M"))
    # from the keyboard: a click may land on the field's calendar, which covers the button
    dialog.get_by_role("button", name="Save schedule").press("Enter")
    expect(page.locator(".messages")).to_contain_text("has been updated")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Schedule to publish").click()
    expect(page.locator(".messages")).to_contain_text("has been scheduled for publishing")
    # then it waits, unheard, and the worker leaves it alone until its time
    run_the_worker()
    draft.refresh_from_db()
    assert not draft.live
    assert not Narration.objects.filter(article=draft, state=Narration.State.READY).exists()
    # when the hour has passed and the worker comes round
    an_hour_passes(draft)
    run_the_worker()
    # then the story is live and narrated, and another round changes nothing
    draft.refresh_from_db()
    assert draft.live
    narration = Narration.objects.get(article=draft)
    run_the_worker()
    assert Narration.objects.get(article=draft).finished_at == narration.finished_at
    page.goto(live_server.url + draft.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Metro stations reopen")
    assert_narrated(page, live_server, draft)


def test_an_editor_posts_a_breaking_item_to_the_news_feed(
    live_server, browser, newsroom, django_user_model
):
    page = browser()
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    # when the editor posts from the News Feed menu, ticking "breaking"
    page.get_by_role("link", name="News Feed").click()
    page.get_by_role("link", name="Add News Feed item").first.click()
    page.get_by_role("textbox", name="Text").fill(
        "Explosions heard in Kharkiv; air defence is working."
    )
    page.get_by_role("checkbox", name="Breaking").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("created")
    item = FeedItem.objects.get()
    assert item.is_breaking and item.posted_by.username == "editor"
    # then readers see it flagged as breaking on the News Feed and the home page, and apps in
    # the JSON Feed
    for address in ("/news-feed/", "/"):
        page.goto(live_server.url + address)
        posted = page.locator(".feed-item--breaking").first
        expect(posted).to_contain_text("Breaking")
        expect(posted).to_contain_text("Explosions heard in Kharkiv")
    feed = page.request.get(live_server.url + "/news-feed/feed.json").json()
    assert feed["items"][0]["_masthead"]["breaking"] is True
    assert "Explosions heard in Kharkiv" in feed["items"][0]["content_html"]


def test_an_editor_adds_a_new_colleague_to_our_team_and_her_byline_links_to_it(
    live_server, browser, newsroom, django_user_model
):
    page = browser()
    sign_in_as(page, live_server, django_user_model, "editor", "Editor")
    # when the editor fills the empty "Add author page" form under Our team, once
    page.goto(f"{live_server.url}/admin/pages/add/content/authorpage/{newsroom.team.pk}/")
    name = page.get_by_role("textbox", name="Name")
    name.press_sequentially("Iryna Moroz")
    expect(page.locator("#id_slug")).to_have_value("iryna-moroz")  # from the name, as typed
    page.get_by_role("textbox", name="Job title").fill("Photographer")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    # then it is saved the first time, and published
    expect(page.locator(".messages")).to_contain_text("Page 'Iryna Moroz' created and published.")
    page.goto(f"{live_server.url}{newsroom.team.url}iryna-moroz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iryna Moroz")
    expect(page.get_by_text("Photographer")).to_be_visible()
