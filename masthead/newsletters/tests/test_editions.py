"""Newsletters per edition: each edition offers its own, and readers get their mail in its language."""

import datetime
import email
import email.policy
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from masthead.newsletters import sending, services
from masthead.newsletters.models import Subscriber, Subscription
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

pytestmark = pytest.mark.django_db


def parse(raw):
    return email.message_from_string(raw.as_string(), policy=email.policy.default)


@pytest.fixture
def newsletters(newsroom, ukrainian):
    return (
        NewsletterFactory(name="The Daily Briefing", language="en", subscribe_by_default=True),
        NewsletterFactory(name="Ранковий брифінг", language="uk", subscribe_by_default=True),
    )


def test_each_edition_offers_its_own_newsletters(client, newsletters):
    english = BeautifulSoup(client.get("/newsletters/").content, "html.parser").text
    ukrainian = BeautifulSoup(client.get("/uk/newsletters/").content, "html.parser").text
    assert "The Daily Briefing" in english and "Ранковий брифінг" not in english
    assert "Ранковий брифінг" in ukrainian and "The Daily Briefing" not in ukrainian


def test_a_sign_up_in_the_ukrainian_edition_is_confirmed_in_ukrainian(
    client, newsletters, smtp_server
):
    # when a reader signs up on the Ukrainian newsletters page
    response = client.post("/uk/newsletters/", {"email": "reader@example.org"})
    # then they are told, in Ukrainian, to check their inbox
    assert (
        response.status_code == 302 and response["Location"] == "/uk/newsletters/check-your-inbox/"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Перевірте пошту" in page
    # and the confirmation arrives over SMTP in Ukrainian, its link in the Ukrainian edition
    (raw,) = smtp_server.messages
    message = parse(raw)
    # (Django folds a long encoded subject onto its own line; readers see it without the space)
    assert message["Subject"].strip() == "Підтвердіть підписку на Ранковий брифінг від Masthead"
    text = message.get_body(("plain",)).get_content()
    assert "Підтвердьте, відкривши це посилання" in text
    link = re.search(r"http://testserver(/uk/newsletters/confirm/[^\s]+/)", text).group(1)
    assert "Підтвердити підписку" in client.get(link).content.decode()
    confirmed = client.post(link, {"confirm": ""}).content.decode()
    assert "Ви підписалися" in confirmed
    assert Subscriber.objects.get().language == "uk"
    assert Subscription.objects.get().state == Subscription.State.CONFIRMED


def test_an_issue_of_a_ukrainian_newsletter_is_written_in_ukrainian(newsletters, smtp_server):
    _english, ukrainian = newsletters
    confirmed_readers(ukrainian, 2)
    issue = IssueFactory(newsletter=ukrainian, subject="Що сталося вночі")
    assert sending.send_now(issue) == 2
    for raw in smtp_server.messages:
        message = parse(raw)
        assert message["Subject"] == "Що сталося вночі"
        text = message.get_body(("plain",)).get_content()
        assert "Відписатися: http://testserver/uk/newsletters/unsubscribe/" in text
        assert "Змінити розсилки: http://testserver/uk/newsletters/preferences/" in text
        assert "Ви отримуєте цей лист, бо підписалися на «Ранковий брифінг»." in text


def test_an_issue_describes_its_hero_image_in_the_newsletters_language(
    newsroom, newsletters, image, smtp_server
):
    _english, ukrainian = newsletters
    image.translated_descriptions = {"uk": "Рятувальники біля пошкодженого будинку в сутінках"}
    image.save()
    article = newsroom.article(slug="rescue", hero_image=image)
    confirmed_readers(ukrainian, 1)
    sending.send_now(
        IssueFactory(newsletter=ukrainian, subject="Що сталося вночі", article=article)
    )
    (raw,) = smtp_server.messages
    html = parse(raw).get_body(("html",)).get_content()
    alts = [img.get("alt") for img in BeautifulSoup(html, "html.parser").find_all("img")]
    assert "Рятувальники біля пошкодженого будинку в сутінках" in alts
    assert "Rescue workers at a damaged building at dusk" not in alts


def test_the_preference_centre_shows_what_a_reader_gets_from_every_edition(client, newsletters):
    english, ukrainian = newsletters
    subscriber = services.find_or_add_subscriber("reader@example.org")
    for newsletter in newsletters:
        subscription = Subscription.objects.create(subscriber=subscriber, newsletter=newsletter)
        services.move(subscription, Subscription.State.CONFIRMED)
    token = services.preferences_token(subscriber)
    page = client.get(f"/uk/newsletters/preferences/{token}/").content.decode()
    # the English newsletter they get is there too, so they can stop it from here
    assert "Ранковий брифінг" in page and "The Daily Briefing" in page
    client.post(f"/uk/newsletters/preferences/{token}/", {"newsletters": [ukrainian.pk]})
    states = dict(Subscription.objects.values_list("newsletter__language", "state"))
    assert states == {"uk": "confirmed", "en": "unsubscribed"}


def test_the_admin_lists_newsletters_with_their_edition(client, newsletters, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", "c@example.org", "pw"))
    listing = client.get("/admin/snippets/newsletters/newsletter/?language=uk").content.decode()
    assert "Ранковий брифінг" in listing and "The Daily Briefing" not in listing
    assert "Українська" in listing


@pytest.mark.parametrize(
    ("days", "ukrainian_days"),
    [
        (1, "1 день"),
        (2, "2 дні"),
        (3, "3 дні"),
        (5, "5 днів"),
        (11, "11 днів"),
        (21, "21 день"),
        (22, "22 дні"),
    ],
)
def test_the_confirmation_e_mail_counts_its_days_as_each_language_does(
    client, newsletters, monkeypatch, days, ukrainian_days
):
    """A Ukrainian reader reads "3 дні", "5 днів", "21 день" (never the abbreviation "3 дн."),
    in the e-mail's text and HTML alike; an English one reads "1 day", "3 days"."""
    # given confirmation links that work for this many days
    monkeypatch.setattr(services, "CONFIRMATION_LIFETIME", datetime.timedelta(days=days))
    # when a reader signs up in each edition
    client.post("/uk/newsletters/", {"email": "reader@example.org"})
    client.post("/newsletters/", {"email": "reader@example.com"})
    # then each confirmation e-mail says how long its link works in its own language's plural
    ukrainian, english = mail.outbox
    english_days = f"{days} day" if days == 1 else f"{days} days"
    for message, expected in (
        (ukrainian, f"Посилання діє {ukrainian_days}. Якщо ви цього не просили"),
        (english, f"The link works for {english_days}. If you did not ask for this"),
    ):
        (html, _mimetype) = message.alternatives[0]
        assert expected in message.body
        assert expected in html
    assert "дн." not in ukrainian.body


def test_the_ukrainian_preference_centre_labels_the_choices_send_me(client, newsletters):
    """The choices' legend reads as a label ("Надсилати мені"), not as an order to the newsroom."""
    subscriber = services.find_or_add_subscriber("reader@example.org")
    token = services.preferences_token(subscriber)
    page = BeautifulSoup(client.get(f"/uk/newsletters/preferences/{token}/").content, "html.parser")
    assert page.select_one(".newsletter-choices legend").get_text(strip=True) == "Надсилати мені"
