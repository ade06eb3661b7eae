"""Every page type in a real browser: WCAG 2.x A/AA with axe, valid HTML with the Nu checker,
the skip link from the keyboard, and the staff Edit link."""

import datetime
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import timezone

from masthead.content.models import EditorsPick, EditorsPicks, RoundupItem
from masthead.content.tests.factories import RoundupPageFactory
from masthead.feed.tests.factories import FeedItemFactory
from masthead.images.tests.factories import NewsImageFactory

# serialized_rollback brings back what migrations made (the root page, groups) after each flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


@pytest.fixture
def site_pages(newsroom):
    """A furnished newsroom and one URL of every public page type."""
    images = [NewsImageFactory() for _ in range(3)]
    articles = [
        newsroom.article(
            title=f"Story {n} about the winter grid",
            slug=f"story-{n}",
            hero_image=images[n % 3],
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
                {"type": "heading", "value": "What comes next"},
                {
                    "type": "quote",
                    "value": {"text": "We keep the lights on.", "attribution": "An engineer"},
                },
                {
                    "type": "image",
                    "value": {"image": images[0].pk, "caption": "A substation.", "credit": ""},
                },
                {"type": "paragraph", "value": "<p>Repairs continue.</p>"},
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
    roundup = RoundupPageFactory(
        parent=newsroom.roundups,
        date=timezone.localdate(),
        items=[
            "Power returned to most homes.",
            RoundupItem(text="Trains run again.", article=articles[1]),
        ],
    )
    return {
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
        "not-found": "/no/such/page/",
    }


def _cursor_after(n):
    from masthead.feed import services

    _, cursor = services.feed_page(size=n)
    return cursor or ""


def test_every_page_type_has_no_wcag_violations_and_valid_html(
    live_server, browser_page, site_pages, tmp_path
):
    # given
    axe = Axe()
    violations, saved = {}, []
    for name, path in site_pages.items():
        # when a reader opens the page
        response = browser_page.goto(live_server.url + path)
        browser_page.wait_for_load_state("networkidle")
        # then
        assert response.status == (404 if name == "not-found" else 200), name
        result = axe.run(browser_page, options=WCAG)
        if result.violations_count:
            violations[name] = result.generate_report()
        html_file = tmp_path / f"{name}.html"
        try:
            raw = urllib.request.urlopen(live_server.url + path).read()  # noqa: S310 - our live server
        except urllib.error.HTTPError as error:
            raw = error.read()
        html_file.write_bytes(raw)
        saved.append(str(html_file))
        browser_page.screenshot(path=str(tmp_path / f"{name}.png"))
    assert not violations, "\n\n".join(f"{k}:\n{v}" for k, v in violations.items())
    errors = nu_html_errors(saved)
    assert not errors, json.dumps(errors, indent=1)


def nu_html_errors(files):
    """Run the Nu HTML Checker once over every file; return its errors."""
    java = shutil.which("java")
    assert java and VNU.exists(), (
        "The Nu checker needs Java and `npm install` (make test does both)"
    )
    result = subprocess.run(  # noqa: S603
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        {"file": Path(m.get("url", "")).name, "line": m.get("lastLine"), "message": m["message"]}
        for m in messages
        if m.get("type") == "error"
    ]


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
    django_user_model.objects.create_superuser("chief", "chief@example.org", "a-long-password-1")
    browser_page.goto(live_server.url + "/admin/login/")
    browser_page.fill("#id_username", "chief")
    browser_page.fill("#id_password", "a-long-password-1")
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url(live_server.url + "/admin/")
    for name in ("home", "article", "feed", "section", "tag", "search", "roundup"):
        # when
        browser_page.goto(live_server.url + site_pages[name])
        edit = browser_page.get_by_role("link", name="Edit", exact=True)
        # then
        assert edit.count() == 1, name
        href = edit.get_attribute("href")
        assert href.startswith("/admin/"), name
        assert browser_page.goto(live_server.url + href).status == 200, name
