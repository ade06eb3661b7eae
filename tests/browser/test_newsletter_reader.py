"""A reader's newsletter journeys in a real browser, from the pages and the links in the e-mails
they receive (read from the outbox): sign up, confirm with the button, choose newsletters,
unsubscribe, come back, download their data and delete their address. WCAG A/AA (axe) and the
Nu HTML Checker on every page on the way."""

import json
import re
import time
from unittest import mock

import pytest
from django.core import signing
from playwright.sync_api import expect

from masthead.newsletters import links, sending, services
from masthead.newsletters.models import Subscriber, Subscription
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory
from tests.browser.helpers import assert_accessible, nu_html_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def newsletters(newsroom):
    return (
        NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True, sort_order=1),
        NewsletterFactory(name="From the Front", sort_order=2),
    )


def link_in(message, kind):
    """The path of the /newsletters/<kind>/... link in an e-mail's text."""
    return re.search(rf"https?://[^/\s]+(/(?:uk/)?newsletters/{kind}/[^\s]+/)", message.body).group(
        1
    )


class Pages:
    """Checks each page a journey passes (axe now, the Nu checker once at the end)."""

    def __init__(self, page, tmp_path):
        self.page, self.tmp_path, self.saved = page, tmp_path, []

    def check(self, name):
        assert_accessible(self.page, name)
        path = self.tmp_path / f"{len(self.saved):02d}-{name}.html"
        path.write_text(self.page.content(), encoding="utf-8")
        self.saved.append(str(path))

    def valid(self):
        assert not nu_html_errors(self.saved)


def states():
    return dict(Subscription.objects.values_list("newsletter__name", "state"))


def test_a_reader_signs_up_confirms_chooses_unsubscribes_and_comes_back(
    live_server, browser_page, newsletters, mailoutbox, tmp_path
):
    page, pages = browser_page, Pages(browser_page, tmp_path)
    daily, _front = newsletters
    # a reader signs up on the newsletters page, with a typo first
    page.goto(live_server.url + "/newsletters/")
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill("olena.example.org")
    main.get_by_role("button", name="Sign up").click()
    expect(
        main.get_by_text("An e-mail address has an @ in it, as in name@example.org.")
    ).to_be_visible()
    pages.check("sign-up-error")
    main.get_by_label("E-mail address").fill("olena@example.org")
    main.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert states() == {"The Daily Briefing": "pending"}

    # the confirmation e-mail's link shows a button; opening it confirmed nothing
    (confirmation,) = mailoutbox
    confirm = link_in(confirmation, "confirm")
    page.goto(live_server.url + confirm)
    expect(page.get_by_role("heading", name="Confirm your subscription")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("The Daily Briefing")).to_be_visible()
    assert states() == {"The Daily Briefing": "pending"}
    pages.check("confirm")
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You’re subscribed")).to_be_visible()
    assert states() == {"The Daily Briefing": "confirmed"}
    pages.check("confirmed")

    # from there, the reader adds a newsletter in the preference centre
    page.get_by_role("link", name="Choose your newsletters").click()
    expect(page.get_by_role("heading", name="Your newsletters")).to_be_visible()
    page.get_by_label("From the Front").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Saved. Your choices take effect at once.")).to_be_visible()
    assert states() == {"The Daily Briefing": "confirmed", "From the Front": "confirmed"}
    pages.check("preferences")

    # an issue of the daily arrives; its Unsubscribe link asks, then stops that newsletter only
    sending.send_now(IssueFactory(newsletter=daily, subject="Key developments on Tuesday"))
    issue_mail = mailoutbox[-1]
    assert issue_mail.subject == "Key developments on Tuesday"
    page.goto(live_server.url + link_in(issue_mail, "unsubscribe"))
    expect(page.get_by_role("heading", name="Unsubscribe from The Daily Briefing?")).to_be_visible()
    assert states()["The Daily Briefing"] == "confirmed"
    pages.check("unsubscribe")
    page.get_by_role("button", name="Unsubscribe", exact=True).click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert states() == {"The Daily Briefing": "unsubscribed", "From the Front": "confirmed"}
    pages.check("unsubscribed")

    # the old confirmation link tells the truth and offers to start again
    page.goto(live_server.url + confirm)
    expect(page.get_by_role("heading", name="You have unsubscribed")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("The Daily Briefing")).to_be_visible()
    pages.check("confirm-after-unsubscribing")
    sent = len(mailoutbox)
    page.get_by_role("button", name="Subscribe again").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert len(mailoutbox) == sent + 1
    assert mailoutbox[-1].subject == "Confirm your subscription to The Daily Briefing from Masthead"
    assert states()["The Daily Briefing"] == "pending"
    pages.valid()


def test_a_reader_gets_their_data_and_deletes_their_address_by_e_mailed_links(
    live_server, browser_page, newsletters, mailoutbox, tmp_path
):
    page, pages = browser_page, Pages(browser_page, tmp_path)
    daily, _front = newsletters
    reader = services.subscribe("leaver@example.org", [daily], source="footer")
    services.update_preferences(reader, [daily])
    mailoutbox.clear()
    # in the preference centre (the link in every issue), the reader asks for their data
    centre = live_server.url + links.preferences_path(reader)
    page.goto(centre)
    page.get_by_role("button", name="E-mail me a link to download my data").click()
    expect(
        page.get_by_text(
            "We have sent a link to download your data to l…@e….org. It works once, for 24 hours."
        )
    ).to_be_visible()
    pages.check("data-link-sent")
    # the e-mailed link opens a page with a button, and the button gives the file
    (message,) = mailoutbox
    page.goto(live_server.url + link_in(message, "your-data"))
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    pages.check("download")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename == "my-newsletter-data.json"
    kept = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: PTH123, SIM115
    assert kept["email"] == "leaver@example.org"
    assert kept["subscriptions"][0]["newsletter"] == "The Daily Briefing"

    # then they ask to delete their address, and do, from the second e-mailed link
    page.goto(centre)
    page.get_by_role("button", name="E-mail me a link to delete my address").click()
    page.goto(live_server.url + link_in(mailoutbox[-1], "your-data"))
    expect(page.get_by_role("heading", name="Delete your address?")).to_be_visible()
    pages.check("erase")
    page.get_by_label("Yes, delete my address").check()
    page.get_by_role("button", name="Delete my address").click()
    expect(page.get_by_role("heading", name="Your address is deleted")).to_be_visible()
    assert not Subscriber.objects.filter(email="leaver@example.org").exists()
    pages.check("erased")
    pages.valid()


def test_an_old_preference_link_offers_a_fresh_one_in_the_readers_edition(
    live_server, browser_page, newsroom, ukrainian, mailoutbox, tmp_path
):
    page, pages = browser_page, Pages(browser_page, tmp_path)
    ranok = NewsletterFactory(name="Ранковий брифінг", language="uk", subscribe_by_default=True)
    reader = services.subscribe("olena@example.org", [ranok])
    Subscriber.objects.filter(pk=reader.pk).update(language="uk")
    services.update_preferences(reader, [ranok])
    mailoutbox.clear()
    # a preference link from an e-mail older than the link's lifetime
    then = time.time() - links.PREFERENCES_LIFETIME.total_seconds() - 3600
    with mock.patch.object(signing.time, "time", return_value=then):
        old = f"/uk/newsletters/preferences/{links.preferences_token(reader)}/"
    page.goto(live_server.url + old)
    expect(page.get_by_role("heading", name="Термін дії цього посилання минув")).to_be_visible()
    expect(page.get_by_text("olena@example.org")).to_have_count(0)
    pages.check("preferences-expired")
    page.get_by_role("button", name="Надіслати мені нове посилання").click()
    expect(page.get_by_role("heading", name="Перевірте пошту")).to_be_visible()
    (message,) = mailoutbox
    assert message.subject == "Ваше посилання, щоб обрати розсилки Masthead"
    page.goto(live_server.url + link_in(message, "preferences"))
    expect(page.get_by_role("heading", name="Ваші розсилки")).to_be_visible()
    # and a mistyped address on the sign-up page is explained in Ukrainian
    page.goto(live_server.url + "/uk/newsletters/")
    main = page.get_by_role("main")
    main.locator("#signup-email").fill("olena@example")
    main.locator("button[type=submit]").click()
    expect(
        main.get_by_text("Після @ іде поштовий домен із крапкою, як-от name@example.org.")
    ).to_be_visible()
    pages.check("uk-sign-up-error")
    pages.valid()
