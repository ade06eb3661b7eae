"""Reader revenue in a real browser: the drive, sign-in through the e-mailed link, the account."""

import datetime
import re
import urllib.request

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from masthead.members import services
from masthead.members.models import Campaign, Gift, Member, Membership
from masthead.members.tests.conftest import WEBHOOK_SECRET
from masthead.members.tests.stripe_standin import signed
from masthead.newsletters import links
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.tests.factories import NewsletterFactory
from tests.browser.helpers import assert_accessible, nu_html_errors, sign_in_as, sign_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
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
    sign_in_as_member(page, live_server, mailoutbox, "olena@example.org")
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


def sign_in_as_member(page, live_server, mailoutbox, email):
    """Ask for a sign-in link on the site, and follow it from the e-mail."""
    page.goto(live_server.url + "/members/sign-in/")
    page.get_by_role("main").get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    path = re.search(r"/members/sign-in/[^/\s]+/", mailoutbox[-1].body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Sign in to your account").click()


def deliver(live_server, events):
    """Send Stripe's events to the site's webhook over HTTP, signed as Stripe signs them."""
    answers = []
    for event in events:
        body, signature = signed(event, WEBHOOK_SECRET)
        request = urllib.request.Request(
            live_server.url + "/members/webhooks/stripe/",
            data=body.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the live test server
            answers.append(response.status)
    return answers


def test_a_reader_joins_through_checkout_and_becomes_a_member(
    live_server, browser_page, drive, stripe_world, mailoutbox, settings
):
    settings.CSP_EXTRA_FORM_ACTION = stripe_world.url  # Stripe's pages, here the stand-in's
    settings.SITE_URL = live_server.url  # where Stripe sends the reader back
    page = browser_page
    page.goto(live_server.url + "/members/join/")
    # amounts are written as the reader writes money
    monthly = page.locator('.amounts[data-frequency="month"]')
    expect(monthly.get_by_label("€10", exact=True)).to_be_visible()
    monthly.get_by_label("€10", exact=True).check()
    page.get_by_role("main").get_by_label("E-mail address").fill("petro@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    # on Stripe's page (the stand-in), the reader pays
    expect(page.get_by_role("heading", name="Stripe stand-in")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_text("Welcome: you are a member.")).to_be_visible()
    assert_accessible(page, "thanks")
    # Stripe's events reach the webhook, signed
    assert set(deliver(live_server, stripe_world.sent)) == {200}
    member = Member.objects.get(email="petro@example.org")
    assert member.is_active and member.memberships.get().amount == 1000
    assert [m.subject for m in mailoutbox] == ["Welcome, member of Masthead"]
    assert "€10" in mailoutbox[0].body
    # and the appeals step back for her
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Help us reach 20,000 members")).to_have_count(0)


def test_a_gift_stripe_cannot_take_says_so_and_keeps_the_form(
    live_server, browser_page, drive, stripe_world
):
    page = browser_page
    page.goto(live_server.url + "/members/gift/")
    # an empty form is explained field by field
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text("Enter the name of the person you give it to.")).to_be_visible()
    expect(page.get_by_text("Enter your e-mail address: the receipt goes there.")).to_be_visible()
    assert_accessible(page, "gift form with errors")
    main = page.get_by_role("main")
    main.get_by_label("6 months").check()
    main.get_by_label("Their name").fill("Mariia")
    main.get_by_label("Their e-mail address").fill("mariia@example.org")
    main.get_by_label("Send it on").fill(timezone.localdate().isoformat())
    main.get_by_label("Your name").fill("Taras")
    main.get_by_label("Your e-mail address").fill("taras@example.org")
    stripe_world.failures = 10  # Stripe is down
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("alert")).to_have_text(
        "We could not reach our payment provider. Please try again in a minute."
    )
    expect(main.get_by_label("Their name")).to_have_value("Mariia")
    assert Gift.objects.count() == 0  # no unpaid gift left waiting


def test_a_member_is_told_when_billing_cannot_open_and_deletes_her_account(
    live_server, browser_page, drive, stripe_world, mailoutbox, settings
):
    settings.CSP_EXTRA_FORM_ACTION = stripe_world.url  # Stripe's pages, here the stand-in's
    settings.SITE_URL = live_server.url  # where Stripe sends the reader back
    member = Member.objects.get(email="olena@example.org")
    member.stripe_customer_id = "cus_olena"
    member.save()
    stripe_world.objects["cus_olena"] = {
        "id": "cus_olena",
        "object": "customer",
        "email": "olena@example.org",
    }
    page = browser_page
    sign_in_as_member(page, live_server, mailoutbox, "olena@example.org")
    # Stripe is down when she asks for her billing page: she is told so
    stripe_world.failures = 10
    page.get_by_role("button", name="Manage billing: card, plan or cancel").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "We could not open your billing page at our payment provider"
    )
    assert_accessible(page, "account with a billing problem")
    # Stripe is back: billing opens Stripe's portal
    stripe_world.failures = 0
    page.get_by_role("button", name="Manage billing: card, plan or cancel").click()
    expect(page.get_by_role("heading", name="Billing for cus_olena")).to_be_visible()
    # and from her account page she deletes her account
    page.goto(live_server.url + "/members/account/")
    page.get_by_label("I understand: my membership ends now and my account is erased").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    assert not Member.objects.filter(email="olena@example.org").exists()
    assert ("DELETE", "/v1/customers/cus_olena") in [(r[0], r[1]) for r in stripe_world.requests]


def test_every_checkbox_and_radio_button_is_a_big_enough_target_on_a_phone(
    live_server, chromium, drive, mailoutbox
):
    """WCAG 2.2's target size: each box a reader ticks is at least 24 × 24 CSS px on a 390 px
    phone, however long the label beside it (the delete-account box was 8 px wide)."""
    # given a member who gets a newsletter, on a 390 px wide phone
    daily = NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)
    NewsletterFactory(name="From the Front")
    subscriber = newsletter_services.subscribe("olena@example.org", [daily])
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in_as_member(page, live_server, mailoutbox, "olena@example.org")
    expect(page.get_by_text("Signed in as olena@example.org")).to_be_visible()
    pages = [
        "/members/account/",
        "/members/join/",
        "/members/gift/",
        "/newsletters/",
        f"/newsletters/preferences/{links.preferences_token(subscriber)}/",
    ]
    for path in pages:
        # when she opens each page with boxes to tick
        page.goto(live_server.url + path)
        boxes = page.locator('input[type="checkbox"]:visible, input[type="radio"]:visible')
        assert boxes.count() > 0, path
        # then every one of them measures at least 24 × 24
        for n in range(boxes.count()):
            box = boxes.nth(n).bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, (path, n, box)
    # the box that was 8 px wide among them, by its label
    page.goto(live_server.url + "/members/account/")
    delete = page.get_by_label("I understand: my membership ends now and my account is erased")
    box = delete.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    assert_accessible(page, "account page on a phone")
    context.close()


def test_an_editor_adds_a_member_by_hand_and_the_site_and_her_account_agree(
    live_server, browser_page, drive, django_user_model, mailoutbox
):
    page = sign_in_to_admin(browser_page, live_server, django_user_model)
    page.goto(live_server.url + "/admin/snippets/members/member/add/")
    page.get_by_role("textbox", name="E-mail address").fill("iryna@example.org")
    page.get_by_role("textbox", name="Name", exact=True).fill("Iryna")
    page.get_by_role("checkbox", name="Member by the newsroom’s decision").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("iryna@example.org").first).to_be_visible()
    # she signs in: her account and the site both say she is a member
    reader = page.context.browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in_as_member(reader, live_server, mailoutbox, "iryna@example.org")
    expect(reader.get_by_text("You are a member. Thank you.")).to_be_visible()
    expect(reader.get_by_text("Added by the newsroom")).to_be_visible()
    reader.goto(live_server.url + "/news/power-returns/")
    expect(reader.get_by_text("Thank you for being a member.")).to_be_visible()
    reader.context.close()


def test_a_stolen_revenue_password_cannot_take_over_a_member(
    live_server, browser_page, drive, django_user_model, mailoutbox
):
    """The thief, signed in as Revenue, opens a member and tries to give her account their own
    address (even forcing the locked field open), to ask a sign-in link for it. It does not take:
    the link still goes only to the member."""
    from masthead.staff import roles

    page = browser_page
    sign_in_as(page, live_server, django_user_model, "revenue", roles.REVENUE)
    page.goto(live_server.url + "/admin/snippets/members/member/")
    page.get_by_role("link", name="olena@example.org").first.click()
    address = page.get_by_role("textbox", name="E-mail address")
    expect(address).to_be_disabled()
    expect(address).to_have_value("olena@example.org")
    expect(page.get_by_text("How this member signs in, so it is not changed here.")).to_be_visible()
    assert_accessible(page, "a member in the admin")
    # the thief opens the field in the page and sends their own address
    page.evaluate("() => document.querySelector('#id_email').removeAttribute('disabled')")
    address.fill("thief@example.net")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("olena@example.org").first).to_be_visible()
    assert Member.objects.filter(email="olena@example.org").exists()
    assert not Member.objects.filter(email="thief@example.net").exists()
    # a sign-in link asked for the thief's address reaches no member
    stranger = page.context.browser.new_context().new_page()
    stranger.goto(live_server.url + "/members/sign-in/")
    stranger.get_by_role("main").get_by_label("E-mail address").fill("thief@example.net")
    stranger.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(stranger.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert not [m for m in mailoutbox if "thief@example.net" in m.to and "/sign-in/" in m.body]
    stranger.context.close()
