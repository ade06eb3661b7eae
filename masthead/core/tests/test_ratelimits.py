"""Every public POST and search are rate limited per address, with a friendly 429 page."""

import pytest
from django.core.cache import cache

from masthead.newsletters import services as newsletter_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def preferences_path():
    reader = newsletter_services.subscribe("reader@example.org", [])
    return f"/newsletters/preferences/{newsletter_services.preferences_token(reader)}/"


CASES = [
    ("search", "get", "/search/?q=grid", {}),
    ("join", "post", "/members/join/", {"frequency": "month"}),
    ("gift", "post", "/members/gift/", {"months": "3"}),
    ("banner", "post", "/members/banner/dismiss/", {"campaign": "1"}),
    ("sign-in", "post", "/members/sign-in/", {"email": "a@example.org"}),
    ("sign-in-link", "post", "/members/sign-in/some-key/", {}),
    ("account", "post", "/members/account/", {"action": "sign_out"}),
    ("delete-account", "post", "/members/account/delete/", {}),
    ("redeem", "post", "/members/gift/redeem/some-key/", {}),
    ("preferences", "post", None, {"action": "save"}),
]


@pytest.mark.parametrize("scope, method, path, data", CASES, ids=[c[0] for c in CASES])
def test_one_address_is_slowed_down_with_a_friendly_page(
    client, newsroom, settings, scope, method, path, data
):
    settings.RATE_LIMITS = {scope: (2, 60)}
    path = path or preferences_path()
    send = getattr(client, method)
    answers = [send(path, data).status_code for _ in range(3)]
    assert 429 not in answers[:2], answers
    refused = send(path, data)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Please slow down a little" in refused.content.decode()
    # another address is not affected
    other = getattr(client, method)(path, data, REMOTE_ADDR="203.0.113.9")
    assert other.status_code != 429


def test_search_allows_a_normal_reader(client, newsroom):
    assert all(client.get("/search/?q=grid").status_code == 200 for _ in range(20))


def test_ipv6_addresses_are_counted_by_their_slash_64(client, newsroom, settings):
    """Anyone holding an IPv6 /64 can pick any of its 2^64 addresses: they count as one."""
    settings.RATE_LIMITS = {"sign-in": (2, 60)}
    answers = [
        client.post(
            "/members/sign-in/", {"email": "a@example.org"}, REMOTE_ADDR=f"2001:db8:5:6::{n}"
        ).status_code
        for n in range(1, 4)
    ]
    assert answers[2] == 429 and 429 not in answers[:2], answers
    # the neighbouring /64 is someone else
    other = client.post(
        "/members/sign-in/", {"email": "a@example.org"}, REMOTE_ADDR="2001:db8:5:7::1"
    )
    assert other.status_code != 429


def test_counts_keep_no_address_in_clear(client, newsroom):
    """The counters live in Redis in production: their names carry a keyed hash, not the address."""
    client.post("/members/sign-in/", {"email": "a@example.org"}, REMOTE_ADDR="203.0.113.77")
    names = list(cache._cache)  # the test profile's local-memory cache
    assert any("ratelimit:sign-in:" in name for name in names)
    assert not any("203.0.113.77" in name for name in names)
