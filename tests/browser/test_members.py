"""Reader revenue in a real browser: the drive, sign-in through the e-mailed link, the account."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from masthead.members import services
from masthead.members.models import Campaign, Member, Membership
from tests.browser.helpers import assert_accessible, nu_html_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def drive(newsroom):
    campaign = Campaign.objects.create(
        name="Winter drive",
        headline="Help us reach 20,000 members",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    member = Member.objects.create(email="olena@example.org")
    Membership.objects.create(
        member=member,
        kind="recurring",
        state="active",
        interval="month",
        amount=1000,
        currency="eur",
        renews_at=timezone.now() + datetime.timedelta(days=20),
    )
    services.refresh_member(member)
    newsroom.article(
        title="Power returns to the east",
        slug="power-returns",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    return campaign


def test_a_visitor_sees_the_drive_a_member_signs_in_and_sees_thanks(
    live_server, browser_page, drive, mailoutbox, tmp_path
):
    page = browser_page
    # a visitor sees the banner with its progress bar
    page.goto(live_server.url + "/")
    banner = page.get_by_role("complementary", name="Help us reach 20,000 members").first
    expect(banner).to_be_visible()
    expect(banner.get_by_text("1 of 20,000 members")).to_be_visible()
    bar = banner.locator("progress")
    assert bar.get_attribute("value") == "1" and bar.get_attribute("max") == "20000"
    assert_accessible(page, "home with banner")
    # the member asks for a sign-in link and follows it from the e-mail
    page.goto(live_server.url + "/members/sign-in/")
    page.get_by_role("main").get_by_label("E-mail address").fill("olena@example.org")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    path = re.search(r"/members/sign-in/[^/\s]+/", mailoutbox[-1].body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Sign in to your account").click()
    expect(page.get_by_text("Signed in as olena@example.org")).to_be_visible()
    expect(page.get_by_text("€10 a month")).to_be_visible()
    assert_accessible(page, "account")
    account_html = tmp_path / "account.html"
    account_html.write_text(page.content(), encoding="utf-8")
    assert not nu_html_errors([str(account_html)])
    # and from now on the appeals step back: no banner, a thank-you in articles
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Help us reach 20,000 members")).to_have_count(0)
    page.goto(live_server.url + "/news/power-returns/")
    expect(page.get_by_text("Thank you for being a member.")).to_be_visible()


def test_a_visitor_dismisses_the_banner_and_it_stays_dismissed(live_server, browser_page, drive):
    page = browser_page
    page.goto(live_server.url + "/news/power-returns/")
    banner = page.locator(".campaign--banner")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Hide this appeal").click()
    page.wait_for_url(live_server.url + "/news/power-returns/")
    expect(page.locator(".campaign--banner")).to_have_count(0)
    # the in-article appeal still asks; the banner does not come back on other pages
    expect(page.locator(".campaign--article")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page.locator(".campaign--banner")).to_have_count(0)


def test_the_join_form_explains_a_bad_amount(live_server, browser_page, drive, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_unused"  # the form is refused before Stripe is called
    page = browser_page
    page.goto(live_server.url + "/members/join/")
    # only the chosen frequency's amounts are offered
    groups = {f: page.locator(f'.amounts[data-frequency="{f}"]') for f in ("month", "year", "once")}
    expect(groups["month"]).to_be_visible()
    expect(groups["year"]).to_be_hidden()
    page.get_by_label("Yearly").check()
    expect(groups["month"]).to_be_hidden()
    expect(groups["year"]).to_be_visible()
    expect(groups["once"]).to_be_hidden()
    page.get_by_label("Monthly").check()
    page.get_by_label("Another amount").check()
    page.get_by_role("textbox", name="Other amount").fill("1")
    page.get_by_role("main").get_by_label("E-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text("The smallest amount we can take is €3.")).to_be_visible()
    expect(page.get_by_role("main").get_by_label("E-mail address")).to_have_value(
        "reader@example.org"
    )
    assert_accessible(page, "join form with an error")
