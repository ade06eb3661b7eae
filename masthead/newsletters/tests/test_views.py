import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from masthead.newsletters import links, services, views
from masthead.newsletters.models import Confirmation, ConsentEvent, Subscriber, Subscription
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


def test_the_confirmation_and_preference_pages_carry_no_footer_sign_up_form(client, daily):
    """A reader who has just signed up, confirmed, chosen or left is not asked to sign up again
    under it; the rest of the footer stays."""

    def has_footer_sign_up(response):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="site-footer"' in html
        return 'class="signup signup--footer"' in html

    # given a reader signing up, and the site's front page, which has the form
    assert has_footer_sign_up(client.get("/"))
    signed_up = client.post("/newsletters/", {"email": "reader@example.org"}, follow=True)
    link = _path(mail.outbox[0], "confirm")
    # then none of the pages along the way repeats it
    assert "Check your inbox</h1>" in signed_up.content.decode()
    assert not has_footer_sign_up(signed_up)
    assert not has_footer_sign_up(client.get(link))
    subscribed = client.post(link, {"confirm": ""})
    assert "You’re subscribed</h1>" in subscribed.content.decode()
    assert not has_footer_sign_up(subscribed)
    assert not has_footer_sign_up(client.get(link))  # "Already confirmed"
    subscriber = Subscriber.objects.get()
    preferences = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    assert not has_footer_sign_up(client.get(preferences))
    assert not has_footer_sign_up(client.post(preferences, {"newsletters": [daily.pk], "save": ""}))
    unsubscribe = _unsubscribe_path(subscriber, daily)
    assert not has_footer_sign_up(client.get(unsubscribe))
    assert not has_footer_sign_up(client.post(unsubscribe, {"one": ""}, follow=True))
    # while the newsletters page itself has its own form and the footer's only once
    signup_page = client.get("/newsletters/").content.decode()
    assert signup_page.count('name="email"') == 1


def test_a_bad_address_gets_a_clear_message_and_keeps_what_was_typed(client, daily):
    response = client.post("/newsletters/", {"email": "reader@example", "source": "footer"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "After the @ comes the mail domain, with a dot in it, as in name@example.org." in html
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


def test_the_confirmation_link_shows_a_button_and_only_pressing_it_confirms(client, daily):
    # given the link from the confirmation e-mail
    client.post("/newsletters/", {"email": "reader@example.org"})
    link = _path(mail.outbox[0], "confirm")
    # when it is opened (by the reader, or a mail scanner) with GET or HEAD
    page = client.get(link)
    head = client.head(link)
    # then it asks, and nothing has changed
    html = page.content.decode()
    assert page.status_code == head.status_code == 200
    assert "Confirm your subscription</h1>" in html and "The Daily Briefing" in html
    assert 'name="confirm"' in html and 'name="csrfmiddlewaretoken"' in html
    assert Subscription.objects.get().state == Subscription.State.PENDING
    assert not ConsentEvent.objects.filter(action="confirm").exists()
    # when the reader presses the button
    done = client.post(link, {"confirm": ""})
    # then they are subscribed, and the link has done its work
    assert done.status_code == 200 and "You’re subscribed</h1>" in done.content.decode()
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED
    assert "/newsletters/preferences/" in done.content.decode()  # the way on, once
    again = client.get(link).content.decode()
    assert "Already confirmed</h1>" in again and 'name="confirm"' not in again
    # an old confirmation e-mail opened again hands out no preference link
    assert "/newsletters/preferences/" not in again
    assert "/newsletters/preferences/" not in client.post(link, {"confirm": ""}).content.decode()
    assert client.get("/newsletters/confirm/nonsense/").status_code == 400


def test_the_confirm_button_needs_the_pages_csrf_token(daily):
    services.subscribe("reader@example.org", [daily])
    link = _path(mail.outbox[0], "confirm")
    assert Client(enforce_csrf_checks=True).post(link, {"confirm": ""}).status_code == 403
    assert Subscription.objects.get().state == Subscription.State.PENDING


def test_after_unsubscribing_the_old_confirmation_link_offers_to_subscribe_again(client, daily):
    # given a reader who confirmed, then unsubscribed from the newsletter's own link
    subscriber = services.subscribe("reader@example.org", [daily])
    link = _path(mail.outbox[0], "confirm")
    client.post(link, {"confirm": ""})
    client.post(_unsubscribe_path(subscriber, daily), {"one": ""})
    # when they open the old confirmation link
    html = client.get(link).content.decode()
    # then it tells them so, and offers to start again
    assert "You have unsubscribed</h1>" in html and "Already confirmed" not in html
    assert "The Daily Briefing" in html and 'name="subscribe_again"' in html
    mail.outbox.clear()
    response = client.post(link, {"subscribe_again": ""})
    assert response.status_code == 302 and response["Location"] == "/newsletters/check-your-inbox/"
    assert Subscription.objects.get().state == Subscription.State.PENDING
    (fresh,) = mail.outbox
    assert fresh.to == ["reader@example.org"] and _path(fresh, "confirm") != link


def test_preference_centre_changes_choices_and_unsubscribes(client, daily):
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily])
    url = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    page = client.get(url).content.decode()
    # (the page names the address only as much as the reader needs: the e-mail may be forwarded)
    assert "Newsletters for r…@e….org." in page and "reader@example.org" not in page
    assert "data.json" not in page  # the link itself opens no data: it can ask for a link
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
    # given a reader of two newsletters and a mail client that POSTs as RFC 8058 says
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily, weekly])
    services.update_preferences(subscriber, [daily, weekly])
    mail_client = Client(enforce_csrf_checks=True)
    # when it posts to the link that came with the daily briefing
    response = mail_client.post(
        _unsubscribe_path(subscriber, daily),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # then that newsletter stops, and only that one
    assert response.status_code == 200
    assert dict(Subscription.objects.values_list("newsletter__name", "state")) == {
        "The Daily Briefing": "unsubscribed",
        "From the Front": "confirmed",
    }
    assert ConsentEvent.objects.get(action="unsubscribe").source == "one-click unsubscribe"
    assert (
        Client(enforce_csrf_checks=True).post("/newsletters/unsubscribe/forged/").status_code == 404
    )


def test_the_unsubscribe_page_asks_first_and_can_stop_everything(client, daily):
    weekly = NewsletterFactory(name="From the Front")
    subscriber = services.subscribe("reader@example.org", [daily, weekly])
    services.update_preferences(subscriber, [daily, weekly])
    path = _unsubscribe_path(subscriber, daily)
    page = client.get(path).content.decode()
    assert "Unsubscribe from The Daily Briefing?</h1>" in page
    # (whoever the issue was forwarded to learns no one's address from its link)
    assert "We will stop sending The Daily Briefing to r…@e….org at once." in page
    assert "reader@example.org" not in page and "example.org" not in page
    assert set(Subscription.objects.values_list("state", flat=True)) == {"confirmed"}
    done = client.post(path, {"all": ""}).content.decode()
    assert "We will not send you any more newsletters" in done
    assert set(Subscription.objects.values_list("state", flat=True)) == {"unsubscribed"}


def test_the_unsubscribe_link_only_unsubscribes(client, daily):
    # given a reader's unsubscribe link (it is in every issue's headers, and may be forwarded)
    subscriber = services.subscribe("reader@example.org", [daily])
    services.update_preferences(subscriber, [daily])
    token = links.unsubscribe_token(subscriber, daily)
    # then it opens neither the preference centre nor any data, and deletes no one
    assert client.get(f"/newsletters/preferences/{token}/").status_code == 404
    assert client.post(f"/newsletters/preferences/{token}/", {"save": "1"}).status_code == 404
    assert client.get(f"/newsletters/your-data/{token}/").status_code == 400
    client.post(f"/newsletters/unsubscribe/{token}/", {"forget": "1", "confirm_forget": "yes"})
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    # and for more, it can only have a preference link e-mailed to the reader's own address
    mail.outbox.clear()
    sent = client.post(f"/newsletters/unsubscribe/{token}/", {"send_preferences": ""})
    assert "Check your inbox" in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert client.get(_path(message, "preferences")).status_code == 200


def test_an_expired_preference_link_offers_to_e_mail_a_fresh_one(client, daily, monkeypatch):
    # given a preference link from an e-mail older than the link's lifetime
    subscriber = services.subscribe("reader@example.org", [daily])
    services.update_preferences(subscriber, [daily])
    url = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    now = time.time()
    lifetime = links.PREFERENCES_LIFETIME.total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: now + lifetime + 1)
    # when the reader opens it
    page = client.get(url)
    html = page.content.decode()
    # then it shows neither their address nor their choices, and changes none
    assert page.status_code == 200 and "This link has expired</h1>" in html
    assert "reader@example.org" not in html
    client.post(url, {"unsubscribe_all": "1", "save": "1"})
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED
    # and offers a fresh link, e-mailed to the address itself
    mail.outbox.clear()
    assert "Check your inbox" in client.post(url, {"send_link": ""}).content.decode()
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert "30 days" in message.body
    assert (
        "Newsletters for r…@e….org." in client.get(_path(message, "preferences")).content.decode()
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
    assert bad.json()["errors"]["email"] == [
        "After the @ comes the mail domain, with a dot in it, as in name@example.org."
    ]
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
    # given a confirmed reader in their preference centre
    services.subscribe("leaver@example.org", [daily], source="footer")
    subscriber = Subscriber.objects.get(email="leaver@example.org")
    services.confirm_subscription(_confirmation_key(subscriber))
    centre = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    before = daily.__class__.objects.get(pk=daily.pk).audience_count
    mail.outbox.clear()

    # when they ask to download their data, a single-use link is e-mailed to them
    asked = client.post(centre, {"ask_export": ""}).content.decode()
    assert (
        "We have sent a link to download your data to l…@e….org. It works once, for 24 hours."
        in asked
    )
    (message,) = mail.outbox
    assert message.to == ["leaver@example.org"]
    download = _path(message, "your-data")
    # opening it (or a scanner opening it) only shows a button
    page = client.get(download)
    assert page.status_code == 200 and 'name="download"' in page.content.decode()
    assert client.head(download).status_code == 200
    # the button gives the file, once
    data = client.post(download, {"download": ""})
    assert data["Content-Disposition"] == 'attachment; filename="my-newsletter-data.json"'
    assert data["Cache-Control"] == "private, no-store"
    kept = data.json()
    assert kept["email"] == "leaver@example.org"
    assert [s["state"] for s in kept["subscriptions"]] == ["confirmed"]
    assert kept["subscriptions"][0]["where"] == "footer"
    assert {e["action"] for e in kept["consent_history"]} >= {"subscribe", "confirm"}
    used = client.post(download, {"download": ""})
    assert used["Content-Type"].startswith("text/html")
    assert "This link has been used</h1>" in used.content.decode()

    # when they ask to delete their address, another link is e-mailed
    client.post(centre, {"ask_erase": ""})
    erase = _path(mail.outbox[-1], "your-data")
    assert "Delete your address?</h1>" in client.get(erase).content.decode()
    # deleting needs the box ticked, and says so
    refused = client.post(erase, {"erase": ""})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    assert Subscriber.objects.filter(email="leaver@example.org").exists()

    # then the address and everything about it is gone, and the audience count is right
    done = client.post(erase, {"erase": "", "confirm_erase": "yes"})
    assert "Your address is deleted" in done.content.decode()
    assert not Subscriber.objects.filter(email="leaver@example.org").exists()
    assert not Subscription.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not ConsentEvent.objects.filter(subscriber_id=subscriber.pk).exists()
    assert daily.__class__.objects.get(pk=daily.pk).audience_count == before - 1
    # the old links lead nowhere now
    assert client.get(centre).status_code == 404
    assert client.get(erase).status_code == 400
    assert client.get(download).status_code == 400


def test_the_preference_link_alone_can_neither_download_nor_delete(client, daily):
    subscriber = services.subscribe("reader@example.org", [daily])
    centre = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    # what the old preference centre accepted
    client.post(centre, {"forget": "1", "confirm_forget": "yes"})
    assert client.get(centre + "data.json").status_code == 404
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_data_links_are_e_mailed_at_most_once_in_a_few_minutes(client, daily):
    subscriber = services.subscribe("reader@example.org", [daily])
    centre = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    mail.outbox.clear()
    for _n in range(3):
        client.post(centre, {"ask_export": ""})
    client.post(centre, {"ask_erase": ""})
    assert [m.subject for m in mail.outbox] == [
        "Your link to download your newsletter data from Masthead",
        "Your link to delete your address from the newsletters of Masthead",
    ]


def test_an_expired_data_link_changes_nothing(client, daily):
    subscriber = services.subscribe("reader@example.org", [daily])
    centre = f"/newsletters/preferences/{links.preferences_token(subscriber)}/"
    client.post(centre, {"ask_erase": ""})
    erase = _path(mail.outbox[-1], "your-data")
    Confirmation.objects.filter(purpose="erase").update(expires_at=timezone.now())
    page = client.post(erase, {"erase": "", "confirm_erase": "yes"})
    assert "This link has expired</h1>" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def _path(message, kind):
    """The path of a /newsletters/<kind>/... link in an e-mail's text."""
    return re.search(rf"http://testserver(/newsletters/{kind}/[^/\s]+/)", message.body).group(1)


def _unsubscribe_path(subscriber, newsletter):
    return f"/newsletters/unsubscribe/{links.unsubscribe_token(subscriber, newsletter)}/"


def _confirmation_key(subscriber):
    """The key from the confirmation e-mail just sent to this reader."""
    message = next(m for m in reversed(mail.outbox) if subscriber.email in m.to)
    return re.search(r"/newsletters/confirm/([^/]+)/", message.body).group(1)
