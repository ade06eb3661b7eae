"""Security headers on every public page type, and CSRF on every state-changing public form."""

import re

import pytest
from django.test import Client

from masthead.audio.models import Narration  # noqa: F401 - the app is installed
from masthead.feed.tests.factories import FeedItemFactory
from masthead.members.models import Campaign
from masthead.newsletters import links as newsletter_links
from masthead.newsletters import services as newsletter_services
from masthead.newsletters.models import Subscriber
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages(newsroom):
    article = newsroom.article(title="The grid held", tags=["energy"], section=newsroom.sections[0])
    FeedItemFactory(text="Sirens in the east.")
    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    NewsletterFactory(name="The Daily Briefing")
    reader = newsletter_services.subscribe("reader@example.org", [])
    return {
        "home": "/",
        "article": article.url,
        "section": newsroom.sections[0].url,
        "author": newsroom.authors[0].url,
        "tag": "/tags/energy/",
        "search": "/search/?q=grid",
        "feed": "/news-feed/",
        "newsletters": "/newsletters/",
        "preferences": f"/newsletters/preferences/{newsletter_services.preferences_token(reader)}/",
        "join": "/members/join/",
        "gift": "/members/gift/",
        "sign-in": "/members/sign-in/",
        "not-found": "/no/such/page/",
    }


def test_every_public_page_type_sends_strict_headers(client, public_pages):
    for name, path in public_pages.items():
        response = client.get(path)
        assert response.status_code in (200, 404), name
        csp = response["Content-Security-Policy"]
        # scripts only from /static/: not the whole origin, where uploads live; no nonce
        assert "script-src http://testserver/static/;" in csp, name
        assert "'self'" not in csp.split("script-src")[1].split(";")[0], name
        assert "nonce" not in csp and "'unsafe-inline'" not in csp, name
        assert "style-src 'self'" in csp and "object-src 'none'" in csp, name
        assert "frame-ancestors 'none'" in csp and "base-uri 'self'" in csp, name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert "camera=()" in response["Permissions-Policy"], name
        html = response.content.decode()
        # every script is a file under /static/ or structured data (a data block, never run)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r' src="/static/', tag) or 'type="application/ld+json"' in tag, (
                name,
                tag,
            )
        assert not re.search(r"<style\b", html), name
        assert not re.search(r"\sstyle=\"", html), name
        assert not re.search(r"\son[a-z]+=\"", html), name  # no inline event handlers


def test_no_public_page_carries_a_nonce_a_cache_could_replay(client, public_pages):
    """Cached pages go to every reader: with no inline script there is no nonce to give away."""
    for name, path in public_pages.items():
        response = client.get(path)
        assert "nonce" not in response["Content-Security-Policy"], name
        assert "nonce=" not in response.content.decode(), name


def test_scripts_may_come_from_a_static_files_address_elsewhere(client, newsroom, settings):
    settings.STATIC_URL = "https://static.example.org/masthead/"
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src https://static.example.org/masthead/;" in csp


def test_the_admin_keeps_wagtails_own_policy(admin_client, newsroom):
    response = admin_client.get("/admin/")
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_cookies_are_httponly_and_samesite(client, newsroom):
    client.get("/members/sign-in/")
    response = client.post("/members/sign-in/", {"email": "nobody@example.org"})
    for cookie in [*client.cookies.values(), *response.cookies.values()]:
        assert cookie["httponly"], cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


@pytest.mark.parametrize(
    "path, data",
    [
        ("/members/join/", {"frequency": "month", "amount": "1000", "email": "a@example.org"}),
        ("/members/gift/", {"months": "3"}),
        ("/members/sign-in/", {"email": "a@example.org"}),
        ("/members/sign-in/some-key/", {}),
        ("/members/account/", {"action": "sign_out"}),
        ("/members/account/delete/", {"confirm": "on"}),
        ("/members/gift/redeem/some-key/", {}),
    ],
)
def test_state_changing_public_forms_need_the_csrf_token(newsroom, path, data):
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, data).status_code == 403


def test_only_one_click_unsubscribe_and_webhooks_go_without_csrf(newsroom):
    client = Client(enforce_csrf_checks=True)
    reader = newsletter_services.subscribe("reader@example.org", [])
    token = newsletter_links.unsubscribe_token(reader)
    # RFC 8058: mail clients post without cookies or tokens; the signed link is the proof
    assert client.post(
        f"/newsletters/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    ).status_code in (200, 302)
    # webhooks answer for themselves: Stripe's signature, here refused
    assert (
        client.post("/members/webhooks/stripe/", "{}", content_type="application/json").status_code
        == 400
    )


# The two forms that sit on cached pages carry no token (it would make every page personal) and
# refuse cross-site posts by the browser's own word instead.
FORMS_ON_CACHED_PAGES = [
    ("/newsletters/", {"email": "a@example.org"}),
    ("/members/banner/dismiss/", {"campaign": "1"}),
]


@pytest.mark.parametrize("path, data", FORMS_ON_CACHED_PAGES)
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_forms_on_cached_pages_refuse_cross_site_posts(newsroom, path, data, headers):
    # when another site's page posts the form in a reader's browser
    response = Client(enforce_csrf_checks=True).post(path, data, **headers)
    # then it is refused and nothing is stored
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    assert "masthead_banner_dismissed" not in response.cookies


@pytest.mark.parametrize("path, data", FORMS_ON_CACHED_PAGES)
@pytest.mark.parametrize(
    "headers", [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_ORIGIN": "http://testserver"}]
)
def test_forms_on_cached_pages_accept_our_own_pages_without_a_token(newsroom, path, data, headers):
    NewsletterFactory(name="The Daily Briefing")  # offered by default
    response = Client(enforce_csrf_checks=True).post(path, data, **headers)
    assert response.status_code in (302, 204)
