import re

import pytest
from django.core import mail
from django.test import Client

from masthead.newsletters import services, views
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(newsroom):
    return NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)


def test_every_page_carries_the_footer_sign_up_form_with_required_marks(client, daily):
    html = client.get("/").content.decode()
    form = html[html.index('class="signup signup--footer"') :]
    assert 'action="/newsletters/"' in form
    assert "indicates a required field" in form
    assert 'name="email" required' in form


def test_a_bad_address_gets_a_clear_message_and_keeps_what_was_typed(client, daily):
    response = client.post("/newsletters/", {"email": "reader@example", "source": "footer"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a valid e-mail address" in html
    assert 'value="reader@example"' in html
    assert 'aria-invalid="true"' in html
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_a_good_address_is_told_to_check_the_inbox(client, daily):
    response = client.post(
        "/newsletters/", {"email": "reader@example.org", "source": "footer"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/newsletters/check-your-inbox/"
    assert "Check your inbox" in response.content.decode()
    assert Subscription.objects.get().newsletter == daily


def test_the_answer_is_the_same_for_new_pending_and_subscribed_addresses(client, daily):
    answers = [client.post("/newsletters/", {"email": "reader@example.org"}) for _ in range(3)]
    assert {(r.status_code, r["Location"]) for r in answers} == {
        (302, "/newsletters/check-your-inbox/")
    }


def test_the_honeypot_quietly_drops_bots(client, daily):
    response = client.post(
        "/newsletters/", {"email": "bot@example.org", "website": "http://spam.example"}
    )
    assert response.status_code == 302
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_too_many_sign_ups_from_one_address_get_a_friendly_429(client, daily):
    for n in range(20):
        client.post("/newsletters/", {"email": f"reader{n}@example.org"})
    response = client.post("/newsletters/", {"email": "one-more@example.org"})
    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert not Subscriber.objects.filter(email="one-more@example.org").exists()


@pytest.mark.parametrize(
    "hostile",
    [
        "reader@example.org\r\nBcc: everyone@example.org",
        "<img src=x onerror=alert(1)>@example.org",
        "' OR 1=1 --@example.org",
        "ä" * 400,
        "\x00@example.org",
    ],
)
def test_hostile_input_gets_an_error_never_a_500_or_stored_markup(client, daily, hostile):
    response = client.post("/newsletters/", {"email": hostile})
    assert response.status_code == 400
    assert "<img src=x" not in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_confirmation_link_confirms_then_says_already_confirmed(client, daily):
    client.post("/newsletters/", {"email": "reader@example.org"})
    link = re.search(r"http://testserver(/newsletters/confirm/[^\s]+/)", mail.outbox[0].body).group(
        1
    )
    first = client.get(link)
    second = client.get(link)
    assert first.status_code == 200 and "re subscribed</h1>" in first.content.decode()
    assert second.status_code == 200 and "Already confirmed" in second.content.decode()
    assert client.get("/newsletters/confirm/nonsense/").status_code == 400


def test_preference_centre_changes_choices_and_unsubscribes(client, daily):
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily])
    url = f"/newsletters/preferences/{services.preferences_token(subscriber)}/"
    assert "reader@example.org" in client.get(url).content.decode()
    saved = client.post(url, {"newsletters": [weekly.pk], "save": "1"})
    assert "Saved" in saved.content.decode()
    assert dict(subscriber.subscriptions.values_list("newsletter__name", "state")) == {
        "The Daily Briefing": "unsubscribed",
        "From the Front": "confirmed",
    }
    response = client.post(url, {"unsubscribe_all": "1"}, follow=True)
    assert "You are unsubscribed" in response.content.decode()
    assert not subscriber.subscriptions.exclude(state="unsubscribed").exists()
    assert client.get("/newsletters/preferences/forged-token/").status_code == 404


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token(daily):
    # given a confirmed reader and a mail client that POSTs as RFC 8058 says
    subscriber = services.subscribe("reader@example.org", [daily])
    services.update_preferences(subscriber, [daily])
    mail_client = Client(enforce_csrf_checks=True)
    # when
    response = mail_client.post(
        f"/newsletters/unsubscribe/{services.preferences_token(subscriber)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # then
    assert response.status_code == 200
    assert Subscription.objects.get().state == Subscription.State.UNSUBSCRIBED
    assert (
        Client(enforce_csrf_checks=True).post("/newsletters/unsubscribe/forged/").status_code == 404
    )


def test_sign_up_form_refuses_posts_from_other_sites(daily):
    # the form sits on cached pages, so it carries no token; the browser's Origin decides
    response = Client(enforce_csrf_checks=True).post(
        "/newsletters/", {"email": "reader@example.org"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403


def test_signing_up_before_any_newsletter_exists_says_so(client, newsroom):
    response = client.post("/newsletters/", {"email": "reader@example.org"})
    assert response.status_code == 400
    assert "There is no newsletter to sign up for yet" in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_an_inline_sign_up_block_in_an_article_subscribes_to_its_newsletter(
    client, newsroom, daily
):
    # given an article with a sign-up block for the weekly newsletter
    weekly = NewsletterFactory(name="From the Front", slug="from-the-front")
    article = newsroom.article(
        body=[
            {"type": "paragraph", "value": "<p>Dispatch.</p>"},
            {
                "type": "newsletter_signup",
                "value": {"newsletter": weekly.pk, "heading": "Get the dispatch", "text": ""},
            },
        ]
    )
    html = client.get(article.url).content.decode()
    block = html[html.index('class="signup signup--inline"') :]
    assert "Get the dispatch" in block and f'name="newsletters" value="{weekly.pk}"' in block
    assert 'id="inline-signup-from-the-front-email"' in block
    # when a reader signs up there
    client.post(
        "/newsletters/",
        {"email": "reader@example.org", "newsletters": weekly.pk, "source": "article"},
    )
    # then only that newsletter is pending
    assert list(Subscription.objects.values_list("newsletter__name", "state")) == [
        ("From the Front", "pending")
    ]


def test_the_in_place_form_gets_json_answers(client, daily):
    json_client = {"HTTP_ACCEPT": "application/json"}
    bad = client.post("/newsletters/", {"email": "reader@example"}, **json_client)
    good = client.post("/newsletters/", {"email": "reader@example.org"}, **json_client)
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert "is not a valid e-mail address" in bad.json()["errors"]["email"][0]
    assert good.status_code == 200 and good.json() == {
        "ok": True,
        "message": "Almost done: we sent you an e-mail. Open the link in it to confirm your "
        "subscription.",
    }
    assert Subscriber.objects.count() == 1


def test_one_address_signed_up_over_and_over_is_quietly_limited(daily):
    # when the same address is sent from many networks (so the per-IP limit never bites)
    responses = [
        Client(REMOTE_ADDR=f"10.0.0.{n}").post("/newsletters/", {"email": "target@example.org"})
        for n in range(8)
    ]
    # then every answer looks the same, but only the first five reached the newsroom
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {"/newsletters/check-your-inbox/"}
    subscribe_events = ConsentEvent.objects.filter(action=ConsentEvent.Action.SUBSCRIBE)
    assert subscribe_events.count() == views.SIGNUPS_PER_ADDRESS_PER_HOUR
    assert len(mail.outbox) == 1  # and one confirmation e-mail, as ever


def test_the_newsletters_page_prefills_an_address_from_the_link(client, newsroom):
    page = client.get("/newsletters/?email=olena%40example.org").content.decode()
    assert 'value="olena@example.org"' in page
    hostile = client.get('/newsletters/?email="><script>x</script>').content.decode()
    assert "<script>x</script>" not in hostile


def test_a_reader_downloads_their_data_then_has_their_address_deleted(client, daily):
    # given a confirmed reader
    services.subscribe("leaver@example.org", [daily], source="footer")
    subscriber = Subscriber.objects.get(email="leaver@example.org")
    services.confirm_subscription(_confirmation_key(subscriber))
    token = services.preferences_token(subscriber)
    before = daily.__class__.objects.get(pk=daily.pk).audience_count

    # the preference centre offers both, and the download says what is kept
    page = client.get(f"/newsletters/preferences/{token}/").content.decode()
    assert f"/newsletters/preferences/{token}/data.json" in page
    data = client.get(f"/newsletters/preferences/{token}/data.json")
    assert data["Content-Disposition"].startswith("attachment")
    assert "no-store" in data["Cache-Control"]
    kept = data.json()
    assert kept["email"] == "leaver@example.org"
    assert [s["state"] for s in kept["subscriptions"]] == ["confirmed"]
    assert kept["subscriptions"][0]["where"] == "footer"
    assert {e["action"] for e in kept["consent_history"]} >= {"subscribe", "confirm"}

    # deleting needs the box ticked, and says so
    refused = client.post(f"/newsletters/preferences/{token}/", {"forget": "1"})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    assert Subscriber.objects.filter(email="leaver@example.org").exists()

    # then the address and everything about it is gone, and the audience count is right
    done = client.post(
        f"/newsletters/preferences/{token}/", {"forget": "1", "confirm_forget": "yes"}
    )
    assert "Your address is deleted" in done.content.decode()
    assert not Subscriber.objects.filter(email="leaver@example.org").exists()
    assert not Subscription.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not ConsentEvent.objects.filter(subscriber_id=subscriber.pk).exists()
    assert daily.__class__.objects.get(pk=daily.pk).audience_count == before - 1
    # the old link leads nowhere now
    assert client.get(f"/newsletters/preferences/{token}/").status_code == 404
    assert client.get(f"/newsletters/preferences/{token}/data.json").status_code == 404


def _confirmation_key(subscriber):
    """The key from the confirmation e-mail just sent to this reader."""
    message = next(m for m in reversed(mail.outbox) if subscriber.email in m.to)
    return re.search(r"/newsletters/confirm/([^/]+)/", message.body).group(1)
