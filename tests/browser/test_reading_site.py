"""Every page type in a real browser: WCAG 2.x A/AA with axe, valid HTML with the Nu checker,
the skip link from the keyboard, the staff Edit link, and the layout measured at desktop and phone
widths (issue 18, E)."""

import datetime
import json
import re
import urllib.parse
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from masthead.content.models import EditorsPick, EditorsPicks, RoundupItem, StandardPage
from masthead.content.tests.factories import RoundupPageFactory
from masthead.feed.tests.factories import FeedItemFactory
from masthead.images.tests.factories import NewsImageFactory
from masthead.members.models import Campaign
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.models import Newsletter, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory
from tests.browser.helpers import WCAG, nu_html_errors, sign_in_to_admin

# After each flush, conftest.py puts back what the migrations made (the tree roots, the roles).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def site_pages(newsroom, ukrainian):
    """A furnished newsroom and one URL of every public page type, in both editions."""
    images = [NewsImageFactory() for _ in range(3)]
    briefing = NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)
    NewsletterFactory(name="Breaking News", cadence="breaking")
    articles = [
        newsroom.article(
            title=f"Story {n} about the winter grid",
            slug=f"story-{n}",
            hero_image=images[n % 3] if n != 5 else None,  # one story without a picture
            hero_caption="Engineers at work.",
            tags=["energy"],
            authors=newsroom.authors[: 1 + n % 2],
            section=newsroom.sections[n % 2],
            published_at=timezone.now() - datetime.timedelta(hours=n * 7),
            body=[
                {
                    "type": "paragraph",
                    "value": "<p>The <b>grid</b> held overnight, officials said.</p>",
                },
                {"type": "paragraph", "value": "<p>Crews worked until dawn.</p>"},
                {"type": "paragraph", "value": "<p>Some districts waited longer.</p>"},
                # The fourth block: the appeal must not come between it and its text.
                {"type": "heading", "value": "What comes next"},
                {"type": "paragraph", "value": "<p>Repairs continue.</p>"},
                {"type": "paragraph", "value": "<p>Officials expect full power by Friday.</p>"},
                {
                    "type": "quote",
                    "value": {"text": "We keep the lights on.", "attribution": "An engineer"},
                },
                {
                    "type": "image",
                    "value": {"image": images[0].pk, "caption": "A substation.", "credit": ""},
                },
                {
                    "type": "newsletter_signup",
                    "value": {"newsletter": briefing.pk, "heading": "Get the briefing"},
                },
            ],
            correction="An earlier version gave the wrong date." if n == 0 else "",
        )
        for n in range(6)
    ]
    for n in range(25):
        FeedItemFactory(
            text=f"Update {n}: sirens and all-clears.",
            is_breaking=n == 2,
            is_pinned=n == 5,
            article=articles[0] if n % 5 == 0 else None,
            published_at=timezone.now() - datetime.timedelta(minutes=40 * n),
        )
    picks = EditorsPicks.objects.create(site=newsroom.home.get_site())
    for position, article in enumerate(articles[2:5]):
        EditorsPick.objects.create(picks=picks, article=article, sort_order=position)
    reader = newsletter_services.subscribe("reader@example.org", Newsletter.objects.all())
    roundup = RoundupPageFactory(
        parent=newsroom.roundups,
        date=timezone.localdate(),
        items=[
            "Power returned to most homes.",
            RoundupItem(text="Trains run again.", article=articles[1]),
        ],
    )
    about = StandardPage(
        title="About us",
        slug="about",
        intro="An independent newsroom with no owner and no paywall.",
        body=[
            {"type": "paragraph", "value": "<p>Our readers pay for our reporting.</p>"},
            {"type": "heading", "value": "Our ethics"},
            {"type": "paragraph", "value": "<ul><li>We correct mistakes openly.</li></ul>"},
        ],
    )
    newsroom.home.add_child(instance=about)
    Campaign.objects.create(
        name="Winter drive",
        headline="Help us reach 20,000 members",
        message="We have no owner and no paywall: readers pay for this reporting.",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    # The Ukrainian edition: a translated story, its own feed, newsletter and drive.
    translated = ukrainian.translate(
        articles[0],
        title="Енергосистема витримала ніч",
        summary="Що відомо про ремонт мереж.",
        body=[{"type": "paragraph", "value": "<p>Енергосистема витримала ніч.</p>"}],
    )
    for n in range(3):
        FeedItemFactory(text=f"Оновлення {n}: тривога й відбій.", locale=ukrainian.locale)
    NewsletterFactory(name="Ранковий брифінг", language="uk", subscribe_by_default=True)
    Campaign.objects.create(
        name="Зимова кампанія",
        language="uk",
        headline="Допоможіть нам досягти 20 000 членів",
        goal=20000,
        join_label="Стати членом",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    return {
        "uk-home": "/uk/",
        "uk-article": translated.url,
        "uk-feed": "/uk/news-feed/",
        "uk-section": ukrainian.sections[0].url,
        "uk-search": "/uk/search/?q=Енергосистема",
        "uk-newsletters": "/uk/newsletters/",
        "uk-join": "/uk/members/join/",
        "uk-not-found": "/uk/no/such/page/",
        "home": "/",
        "article": articles[0].url,
        "news": "/news/",
        "feed": "/news-feed/",
        "feed-older": "/news-feed/?before=" + _cursor_after(20),
        "section": "/war/",
        "empty-section": "/culture/?page=1",
        "authors": "/authors/",
        "author": newsroom.authors[0].url,
        "tag": "/tags/energy/",
        "search": "/search/?q=grid",
        "search-empty": "/search/?q=zzzz",
        "roundup": roundup.url,
        "roundups": "/roundups/",
        "standard-page": "/about/",
        "not-found": "/no/such/page/",
        "newsletters": "/newsletters/",
        "check-inbox": "/newsletters/check-your-inbox/",
        "confirm-invalid": "/newsletters/confirm/not-a-key/",
        "preferences": f"/newsletters/preferences/{newsletter_services.preferences_token(reader)}/",
        "unsubscribed": "/newsletters/unsubscribed/",
        "join": "/members/join/",
        "join-once": "/members/join/?frequency=once",
        "gift": "/members/gift/",
        "thanks": "/members/thanks/",
        "sign-in": "/members/sign-in/",
        "sign-in-link-invalid": "/members/sign-in/not-a-key/",
        "gift-link-invalid": "/members/gift/redeem/not-a-key/",
    }


def _cursor_after(n):
    from masthead.feed import services

    _, cursor = services.feed_page(size=n)
    return cursor or ""


@pytest.mark.parametrize("kept", [False, True], ids=["rendered-whole", "from-kept-pieces"])
def test_every_page_type_has_no_wcag_violations_and_valid_html(
    live_server, browser_page, site_pages, tmp_path, settings, kept
):
    # given (with the page cache on, the HTML checked is a second render, made of kept pieces)
    if kept:
        from django.core.cache import caches

        from masthead.core import pagecache

        settings.PAGE_CACHE_SECONDS = 600
        caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)
    axe = Axe()
    violations, saved = {}, []
    blocked = []  # what the Content-Security-Policy refused: nothing of ours should be
    browser_page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for name, path in site_pages.items():
        # when a reader opens the page
        response = browser_page.goto(live_server.url + path)
        browser_page.wait_for_load_state("networkidle")
        # then
        expected = {
            "not-found": 404,
            "uk-not-found": 404,
            "confirm-invalid": 400,
            "sign-in-link-invalid": 410,
            "gift-link-invalid": 410,
        }.get(name, 200)
        assert response.status == expected, name
        result = axe.run(browser_page, options=WCAG)
        if result.violations_count:
            violations[name] = result.generate_report()
        html_file = tmp_path / f"{name}.html"
        try:
            address = live_server.url + urllib.parse.quote(path, safe="/?=&%")
            if kept:  # an address the page cache does not know: rendered again, from pieces
                address += ("&" if "?" in address else "?") + "from=a-new-link"
            raw = urllib.request.urlopen(address).read()  # noqa: S310 - our live server
        except urllib.error.HTTPError as error:
            raw = error.read()
        html_file.write_bytes(raw)
        saved.append(str(html_file))
        browser_page.screenshot(path=str(tmp_path / f"{name}.png"))
    assert not violations, "\n\n".join(f"{k}:\n{v}" for k, v in violations.items())
    assert not blocked, blocked
    errors = nu_html_errors(saved)
    assert not errors, json.dumps(errors, indent=1)


def test_skip_link_is_first_and_moves_focus_to_the_content(live_server, browser_page, site_pages):
    for path in (site_pages["home"], site_pages["article"], site_pages["feed"]):
        # given
        browser_page.goto(live_server.url + path)
        # when a keyboard user presses Tab once
        browser_page.keyboard.press("Tab")
        focused = browser_page.evaluate("document.activeElement.textContent.trim()")
        visible = browser_page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
        browser_page.keyboard.press("Enter")
        # then the skip link was first, visible when focused, and took them to the main content
        assert focused == "Skip to content", path
        assert visible, path
        assert browser_page.evaluate("document.activeElement.id") == "main", path
        assert browser_page.evaluate("location.hash") == "#main"


def test_more_news_works_without_javascript(live_server, chromium, site_pages):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/news-feed/")
    first = page.locator(".feed-item__text").all_inner_texts()
    page.get_by_role("link", name="More news").click()
    older = page.locator(".feed-item__text").all_inner_texts()
    context.close()
    assert first and older
    assert not set(first) & set(older)


def test_signed_in_staff_get_an_edit_link_on_every_page(
    live_server, browser_page, site_pages, django_user_model
):
    # given an editor signed in through the admin login form
    sign_in_to_admin(browser_page, live_server, django_user_model)
    for name in ("home", "article", "feed", "section", "tag", "search", "roundup"):
        # when
        browser_page.goto(live_server.url + site_pages[name])
        edit = browser_page.get_by_role("link", name="Edit", exact=True)
        # then
        assert edit.count() == 1, name
        href = edit.get_attribute("href")
        assert href.startswith("/admin/"), name
        assert browser_page.goto(live_server.url + href).status == 200, name


def test_without_javascript_a_bad_address_gets_a_page_that_says_what_is_wrong(
    live_server, chromium, site_pages
):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + site_pages["article"])
    footer = page.locator(".signup--footer")
    footer.get_by_label("E-mail address").fill("olena@example")
    footer.get_by_role("button", name="Sign up").click()
    error = page.locator("#signup-email-error").inner_text()
    typed = page.locator("#signup-email").input_value()
    invalid = page.locator("#signup-email").get_attribute("aria-invalid")
    context.close()
    assert "After the @ comes the mail domain" in error
    assert typed == "olena@example"
    assert invalid == "true"


def test_a_reader_signs_up_confirms_changes_preferences_and_unsubscribes(
    live_server, browser_page, site_pages
):
    from django.core import mail

    axe = Axe()
    mail.outbox.clear()
    # given a reader on an article
    browser_page.goto(live_server.url + site_pages["article"])
    footer = browser_page.locator(".signup--footer")
    address = footer.get_by_label("E-mail address")
    status = footer.locator(".signup__status")
    # when they mistype their address (the form submits in place: JavaScript is on)
    address.fill("olena@example")
    footer.get_by_role("button", name="Sign up").click()
    # then they are told what is wrong next to the field, keep what they typed, and stay put
    # (expect, not wait_for_function: the site's CSP forbids the eval that the latter uses)
    expect(status).not_to_be_empty()
    assert "After the @ comes the mail domain" in status.inner_text()
    assert address.input_value() == "olena@example"
    assert address.get_attribute("aria-invalid") == "true"
    assert browser_page.url.endswith(site_pages["article"])
    assert axe.run(browser_page, options=WCAG).violations_count == 0
    # when they correct it
    address.fill("olena@example.org")
    footer.get_by_role("button", name="Sign up").click()
    # then they are asked, in place, to confirm by e-mail, and the e-mail's link confirms
    expect(status).to_contain_text("Almost")
    assert "Open the link in it to confirm" in status.inner_text()
    assert address.get_attribute("aria-invalid") is None
    (message,) = [m for m in mail.outbox if m.to == ["olena@example.org"]]
    link = message.body.split("/newsletters/confirm/")[1].split()[0]
    browser_page.goto(f"{live_server.url}/newsletters/confirm/{link}")
    browser_page.get_by_role("button", name="Confirm my subscription").click()
    expect(browser_page.locator("h1")).to_contain_text("subscribed")
    # when they open their preferences and drop everything but Breaking News
    browser_page.get_by_role("link", name="Choose your newsletters").click()
    browser_page.get_by_label("The Daily Briefing").uncheck()
    browser_page.get_by_label("Breaking News").check()
    browser_page.get_by_role("button", name="Save my choices").click()
    assert "Saved" in browser_page.locator("main [role=status]").inner_text()
    states = dict(
        Subscription.objects.filter(subscriber__email="olena@example.org").values_list(
            "newsletter__name", "state"
        )
    )
    assert states == {"The Daily Briefing": "unsubscribed", "Breaking News": "confirmed"}
    # and a mail client's one-click unsubscribe (a bare POST, no cookies) stops everything at once
    from masthead.newsletters import links

    reader = Subscription.objects.filter(subscriber__email="olena@example.org").first().subscriber
    token = links.unsubscribe_token(reader)
    response = browser_page.request.post(
        f"{live_server.url}/newsletters/unsubscribe/{token}/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data="List-Unsubscribe=One-Click",
    )
    assert response.status == 200
    assert not Subscription.objects.filter(
        subscriber__email="olena@example.org", state="confirmed"
    ).exists()


def test_the_pages_that_refuse_are_accessible_and_valid(
    live_server, browser_page, newsroom, settings, django_user_model, tmp_path
):
    """The 429 page a flood gets, and the page a locked-out sign-in gets, in the browser."""
    from tests.browser.helpers import assert_accessible

    settings.RATE_LIMITS = {"search": (1, 60)}
    settings.AXES_FAILURE_LIMIT = 2
    browser_page.goto(live_server.url + "/search/?q=grid")
    slowed = browser_page.goto(live_server.url + "/search/?q=grid")
    assert slowed.status == 429
    assert slowed.headers["retry-after"] == "60"
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Please slow down a little"
    assert_accessible(browser_page, "429")
    (tmp_path / "429.html").write_bytes(slowed.body())

    django_user_model.objects.create_superuser("chief", "chief@example.org", "right horse battery")
    for _ in range(2):
        browser_page.goto(live_server.url + "/admin/login/")
        browser_page.fill("#id_username", "chief")
        browser_page.fill("#id_password", "a wrong guess")
        with browser_page.expect_navigation() as navigation:
            browser_page.click("button[type=submit]")
    paused = navigation.value
    assert paused.status == 429
    assert browser_page.get_by_role("heading", level=1).inner_text() == "Sign-in paused"
    assert_accessible(browser_page, "sign-in paused")
    (tmp_path / "paused.html").write_bytes(paused.body())
    errors = nu_html_errors([str(tmp_path / "429.html"), str(tmp_path / "paused.html")])
    assert not errors, json.dumps(errors, indent=1)


WIDTHS = {"desktop": 1366, "phone": 390}

# The page as a reader sees it, in numbers: what stands between the navigation and the content,
# and between the content and the footer, and whether anything pushes the page sideways.
GEOMETRY = """() => {
  const shown = (el) => el.getBoundingClientRect().height > 1 && !el.classList.contains('visually-hidden');
  const main = document.getElementById('main');
  const children = [...main.children].filter(shown);
  const above = document.querySelector('.site-header').getBoundingClientRect().bottom;
  const below = document.querySelector('.site-footer').getBoundingClientRect().top;
  return {
    top: children[0].getBoundingClientRect().top - above,
    bottom: below - children[children.length - 1].getBoundingClientRect().bottom,
    paddingTop: parseFloat(getComputedStyle(main).paddingTop),
    paddingBottom: parseFloat(getComputedStyle(main).paddingBottom),
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""

# Each card grid's rows: how many cards stand on each line.
GRID_ROWS = """() => [...document.querySelectorAll('.card-grid')].map((grid) => {
  const rows = {};
  for (const card of grid.children) {
    const top = Math.round(card.getBoundingClientRect().top);
    rows[top] = (rows[top] || 0) + 1;
  }
  return Object.keys(rows).sort((a, b) => a - b).map((top) => rows[top]);
})"""

# Each search result's text beside (or under) its picture.
RESULT_BOXES = """() => [...document.querySelectorAll('.story-list .story-card')].map((card) => ({
  card: card.getBoundingClientRect().width,
  text: card.querySelector('.story-card__text').getBoundingClientRect().width,
  picture: !!card.querySelector('.story-card__image'),
}))"""

# The blocks on either side of the in-article appeal, and what follows each heading.
APPEAL_NEIGHBOURS = """() => {
  const appeal = document.querySelector('.article__body .campaign--article');
  return {
    before: appeal && appeal.previousElementSibling.tagName,
    after: appeal && appeal.nextElementSibling.tagName,
    afterHeadings: [...document.querySelectorAll('.article__body h2.block-heading')].map(
      (h) => h.nextElementSibling.tagName),
  };
}"""


def _today(language, fmt):
    with translation.override(language):
        return formats.date_format(timezone.localdate(), fmt)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_pages_lay_out_as_readers_expect_at_desktop_and_phone_widths(
    live_server, chromium, site_pages, width
):
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name in ("home", "article", "search", "newsletters", "section", "uk-home", "uk-article"):
        # when a reader opens the page
        page.goto(live_server.url + site_pages[name])
        geometry = page.evaluate(GEOMETRY)
        # then the content stands clear of the navigation and of the footer (E2: .wrap's padding
        # once cancelled main's), and nothing pushes the page sideways
        assert geometry["paddingTop"] >= 16 and geometry["paddingBottom"] >= 32, (name, geometry)
        assert geometry["top"] >= 16, (name, geometry)
        assert geometry["bottom"] >= 32, (name, geometry)
        assert geometry["scrollWidth"] <= width, (name, geometry)
        # and a member's way in is in the header, on screen, and in the footer (E1)
        sign_in = "Увійти" if name.startswith("uk-") else "Sign in"
        prefix = "/uk" if name.startswith("uk-") else ""
        for place in (".site-header", ".site-footer"):
            link = page.locator(place).get_by_role("link", name=sign_in, exact=True)
            expect(link).to_have_attribute("href", f"{prefix}/members/sign-in/")
        box = page.locator(".site-header").get_by_role("link", name=sign_in).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert box["height"] >= 24 and box["width"] >= 24, (name, box)

    # the home page: no story twice, no card alone on a row of its own (E5)
    page.goto(live_server.url + site_pages["home"])
    shown = page.locator(
        ".lead-story__headline a, .story-card__headline a, .picks-list a"
    ).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(shown) == 6, shown  # the six stories, each once
    assert len(set(shown)) == len(shown), shown
    rows = page.evaluate(GRID_ROWS)
    assert rows, rows
    for cards in rows:
        assert len(set(cards)) == 1, rows  # every row of a grid as full as its first
    if width == WIDTHS["desktop"]:
        assert rows[0] == [2, 2], rows  # four top stories in two rows of two, not 3 + 1
    else:
        assert all(set(cards) == {1} for cards in rows), rows
    # today's stories carry their date as well as their time (E4), in each edition's way
    lead_time = page.locator(".lead-story time").inner_text()
    assert lead_time.startswith(_today("en", "MONTH_DAY_FORMAT") + ", "), lead_time
    assert re.search(r"\d{1,2}:\d{2} [AP]M$", lead_time), lead_time
    page.goto(live_server.url + site_pages["article"])
    dateline = page.locator(".article__dates time").first.inner_text()
    assert re.fullmatch(_today("en", "DATE_FORMAT") + r", \d{1,2}:\d{2} [AP]M", dateline)
    page.goto(live_server.url + site_pages["uk-article"])
    dateline = page.locator(".article__dates time").first.inner_text()
    assert re.fullmatch(_today("uk", "DATE_FORMAT") + r", \d{2}:\d{2}", dateline), dateline
    page.goto(live_server.url + site_pages["uk-home"])
    card_time = page.locator(".lead-story time").inner_text()
    assert card_time.startswith(_today("uk", "MONTH_DAY_FORMAT") + ", "), card_time

    # the appeal sits between two paragraphs, never between a heading and its text (E6); the
    # drive at 0 shows no count, by the drive's default threshold (E8)
    page.goto(live_server.url + site_pages["article"])
    neighbours = page.evaluate(APPEAL_NEIGHBOURS)
    assert neighbours["before"] == neighbours["after"] == "P", neighbours
    assert neighbours["afterHeadings"] == ["P"], neighbours
    expect(page.locator(".article__body .campaign--article")).to_be_visible()
    expect(page.locator(".campaign__count")).to_have_count(0)

    # search results use the page's width, with or without a picture (E3)
    page.goto(live_server.url + site_pages["search"])
    results = page.evaluate(RESULT_BOXES)
    assert len(results) == 6 and not all(r["picture"] for r in results), results
    for result in results:
        if not result["picture"] or width == WIDTHS["phone"]:
            assert result["text"] >= result["card"] - 1, results
        else:
            assert result["text"] >= 0.55 * result["card"], results

    # the newsletters page is one sign-up form, not two (E7)
    page.goto(live_server.url + site_pages["newsletters"])
    expect(page.get_by_label("E-mail address")).to_have_count(1)
    expect(page.locator("form input[type=email]")).to_have_count(1)
    context.close()
