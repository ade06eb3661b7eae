"""Every newsletter page answers HEAD as it answers GET, keeps token pages out of caches, and meets
hostile numbers with words, not a 500."""

import re
import time
import urllib.request
from unittest import mock

import pytest
from django.core import mail, signing

from masthead.newsletters import links, services
from masthead.newsletters.models import Confirmation, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db

# Headers a HEAD answer must share with the GET answer for the same address.
SAME = ("Content-Type", "Cache-Control", "Content-Language", "X-Frame-Options")


@pytest.fixture
def daily(newsroom):
    return NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)


def _path(message, kind):
    return re.search(rf"http://testserver(/newsletters/{kind}/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def token_pages(client, daily):
    """One address for each state of each page a link in an e-mail leads to."""
    reader = services.subscribe("reader@example.org", [daily])
    pending_link = _path(mail.outbox[-1], "confirm")
    used = services.subscribe("used@example.org", [daily])
    used_link = _path(mail.outbox[-1], "confirm")
    services.confirm_subscription(used_link.split("/")[-2])
    centre = f"/newsletters/preferences/{links.preferences_token(used)}/"
    client.post(centre, {"ask_export": ""})
    export = _path(mail.outbox[-1], "your-data")
    client.post(centre, {"ask_erase": ""})
    erase = _path(mail.outbox[-1], "your-data")
    # an all-purpose link from before the split, older than the preference centre's lifetime
    then = time.time() - links.PREFERENCES_LIFETIME.total_seconds() - 60
    with mock.patch.object(signing.time, "time", return_value=then):
        expired = signing.dumps({"s": reader.pk}, salt=links.LEGACY_SALT)
    return {
        "confirm": pending_link,
        "confirm-used": used_link,
        "confirm-unknown": "/newsletters/confirm/not-a-real-key-at-all/",
        "preferences": centre,
        "unsubscribe": f"/newsletters/unsubscribe/{links.unsubscribe_token(reader, daily)}/",
        "unsubscribe-all": f"/newsletters/unsubscribe/{links.unsubscribe_token(reader)}/",
        "data-export": export,
        "data-erase": erase,
        "data-unknown": "/newsletters/your-data/not-a-real-key-at-all/",
        "legacy-preferences": f"/newsletters/preferences/{expired}/",
    }


def test_head_and_get_agree_on_every_newsletter_page_and_change_nothing(client, token_pages):
    pages = {
        "newsletters": "/newsletters/",
        "uk-newsletters": "/uk/newsletters/",
        "check-inbox": "/newsletters/check-your-inbox/",
        "unsubscribed": "/newsletters/unsubscribed/",
        **token_pages,
    }
    states = sorted(Subscription.objects.values_list("pk", "state"))
    used = sorted(Confirmation.objects.values_list("pk", "used_at"))
    for name, path in pages.items():
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, name
        assert get.status_code < 500, name
        for header in SAME:
            assert head.get(header) == get.get(header), (name, header)
    # opening links (as mail scanners do) confirmed, used and unsubscribed nothing
    assert sorted(Subscription.objects.values_list("pk", "state")) == states
    assert sorted(Confirmation.objects.values_list("pk", "used_at")) == used


def test_every_page_a_token_opens_is_kept_out_of_every_cache(client, token_pages):
    for name, path in token_pages.items():
        for method in (client.get, client.head):
            assert method(path)["Cache-Control"] == "private, no-store", name
    # and what the buttons answer too
    assert (
        client.post(token_pages["unsubscribe"], {"one": ""})["Cache-Control"] == "private, no-store"
    )


HOSTILE_NUMBERS = [
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 100,
    "1e5",
    "0x10",
    "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠",  # Arabic-Indic digits past 2**63, which int() reads
]


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_a_number_too_large_for_the_database_in_the_sign_up_form_gets_words(client, daily, number):
    fields = {"email": "reader@example.org", "newsletters": number}
    page = client.post("/newsletters/", fields)
    assert page.status_code == 400
    assert "Choose from the newsletters listed on this page." in page.content.decode()
    answer = client.post("/newsletters/", fields, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"]["newsletters"] == [
        "Choose from the newsletters listed on this page."
    ]
    # in every field at once, too
    everything = {"email": number, "newsletters": [daily.pk, number], "website": number}
    assert client.post("/newsletters/", {**everything, "source": number}).status_code == 400
    assert Subscriber.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_a_number_too_large_for_the_database_in_the_preference_form_gets_words(
    client, daily, number
):
    reader = services.subscribe("reader@example.org", [daily])
    services.update_preferences(reader, [daily])
    centre = f"/newsletters/preferences/{links.preferences_token(reader)}/"
    page = client.post(centre, {"newsletters": [daily.pk, number], "save": ""})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Choose from the newsletters listed on this page." in html
    assert "Saved" not in html
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_rfc_8058_one_click_unsubscribe_over_http(live_server, daily):
    # given a confirmed reader and the List-Unsubscribe address of the issue they got
    reader = services.subscribe("reader@example.org", [daily])
    services.update_preferences(reader, [daily])
    token = links.unsubscribe_token(reader, daily)
    # when their mail provider posts as RFC 8058 says: no cookies, no token, that exact body
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/newsletters/unsubscribe/{token}/",
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        status = response.status
    # then the reader is unsubscribed from that newsletter at once
    assert status == 200
    assert Subscription.objects.get().state == Subscription.State.UNSUBSCRIBED
