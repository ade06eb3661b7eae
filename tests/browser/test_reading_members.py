"""What readers saw in the browser (issue 18, E), for members: the way in from every page, and
the drive's count shown once a page, and only from the threshold the newsroom sets."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from masthead.members.models import Campaign, Member
from tests.browser.helpers import assert_accessible, sign_in_to_admin
from tests.browser.test_members import sign_in_as_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_member_signs_in_from_the_header_and_finds_her_account_there(
    live_server, chromium, newsroom, mailoutbox, settings
):
    """The way in shows on cached pages too, and signing in makes no page uncacheable for others."""
    # given the page cache on, a member, and a reader's copy of the home page in the cache
    from django.core.cache import caches

    from masthead.core import pagecache

    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)
    newsroom.article(title="Power returns to the east", slug="power-returns")
    Member.objects.create(email="olena@example.org", is_active=True)
    reader = chromium.new_context()
    assert reader.new_page().goto(live_server.url + "/").headers["x-cache"] == "MISS"
    member = chromium.new_context(viewport={"width": 390, "height": 800})
    page = member.new_page()
    # when she opens the home page, from the cache, and follows "Sign in" in the header
    response = page.goto(live_server.url + "/")
    assert response.headers["x-cache"] == "HIT"
    page.locator(".site-header").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member sign-in")
    path = page.url.removeprefix(live_server.url)
    assert path == "/members/sign-in/"
    sign_in_as_member(page, live_server, mailoutbox, "olena@example.org")
    expect(page.get_by_text("Signed in as olena@example.org")).to_be_visible()
    # then every page she opens says "Account" in its header and footer, and it leads there
    page.goto(live_server.url + "/news/power-returns/")
    for place in (".site-header", ".site-footer"):
        expect(page.locator(place).get_by_role("link", name="Sign in")).to_have_count(0)
        expect(page.locator(place).get_by_role("link", name="Account")).to_have_count(1)
    assert_accessible(page, "article, signed in")
    page.locator(".site-header").get_by_role("link", name="Account").click()
    expect(page.get_by_text("Signed in as olena@example.org")).to_be_visible()
    # and another reader still gets the shared copy, which still says "Sign in"
    other = reader.new_page()
    response = other.goto(live_server.url + "/")
    assert response.headers["x-cache"] == "HIT"
    expect(other.locator(".site-header").get_by_role("link", name="Sign in")).to_have_count(1)
    expect(other.locator(".site-header").get_by_role("link", name="Account")).to_have_count(0)
    member.close()
    reader.close()


def test_the_newsroom_hides_the_drive_count_below_a_threshold_and_it_shows_once_a_page(
    live_server, chromium, newsroom, django_user_model
):
    # given a drive at 3 members, with the default threshold, and an article
    for n in range(3):
        Member.objects.create(email=f"member{n}@example.org", is_active=True)
    drive = Campaign.objects.create(
        name="Winter drive",
        headline="Help us reach 20,000 members",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    newsroom.article(
        title="Power returns to the east",
        slug="power-returns",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    reader = chromium.new_context()
    page = reader.new_page()
    # when a reader opens the home page and an article
    for path in ("/", "/news/power-returns/"):
        page.goto(live_server.url + path)
        # then the count shows, once: in the banner, not again in the box below it
        expect(page.get_by_text("3 of 20,000 members")).to_have_count(1)
        expect(page.locator(".campaign--banner .campaign__count")).to_have_count(1)
    # when she hides the banner, the article's appeal carries the count instead
    page.locator(".campaign--banner").get_by_role("button", name="Hide this appeal").click()
    expect(page.locator(".campaign--banner")).to_have_count(0)
    expect(page.locator(".campaign--article").get_by_text("3 of 20,000 members")).to_be_visible()

    # when an editor sets the drive to show its count from 100 members, in the admin's own form
    editor = chromium.new_context()
    admin = sign_in_to_admin(editor.new_page(), live_server, django_user_model)
    admin.goto(live_server.url + "/admin/snippets/members/campaign/")
    admin.get_by_role("link", name="Winter drive").click()
    admin.get_by_label("Show the count from").fill("100")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator(".messages")).to_contain_text("updated")
    drive.refresh_from_db()
    assert drive.count_shown_from == 100
    # then a reader sees the drive without its count, on every page
    fresh = chromium.new_context().new_page()
    for path in ("/", "/news/power-returns/"):
        fresh.goto(live_server.url + path)
        expect(fresh.locator(".campaign--banner")).to_be_visible()
        expect(fresh.locator(".campaign__count")).to_have_count(0)
        expect(fresh.locator("progress")).to_have_count(0)
    page.reload()
    expect(page.locator(".campaign--article")).to_be_visible()
    expect(page.locator(".campaign__count")).to_have_count(0)
    fresh.context.close()
    editor.close()
    reader.close()
