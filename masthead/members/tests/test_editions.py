"""Members in the Ukrainian edition get their sign-in links, receipts and gifts in Ukrainian."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Gift, Member, Payment, SignInLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(newsroom, ukrainian):
    return Member.objects.create(email="olena@example.org", stripe_customer_id="cus_uk_1")


def test_a_sign_in_link_asked_for_in_ukrainian_comes_in_ukrainian(client, member):
    # when
    page = client.post("/uk/members/sign-in/", {"email": "olena@example.org"}).content.decode()
    # then
    assert "Перевірте пошту" in page
    (message,) = mail.outbox
    assert message.subject == "Ваше посилання для входу в Masthead"
    assert "Ось ваше посилання для входу" in message.body
    link = re.search(r"http://testserver(/uk/members/sign-in/[^/\s]+/)", message.body).group(1)
    assert client.post(link, follow=True).status_code == 200
    member.refresh_from_db()
    assert member.language == "uk"
    # and asking in English again switches the member's mail back
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    assert mail.outbox[-1].subject == "Your sign-in link to Masthead"


def test_a_receipt_is_written_in_the_members_language(member):
    Member.objects.filter(pk=member.pk).update(language="uk")
    payment = Payment.objects.create(
        member=Member.objects.get(pk=member.pk),
        kind="one_time",
        stripe_payment_intent_id="pi_uk_1",
        amount=2500,
        currency="uah",
    )
    services.send_receipt(payment)
    (message,) = mail.outbox
    assert message.subject == "Дякуємо: ваша квитанція від Masthead"
    assert "Квитанція" in message.body and "25\xa0₴" in message.body


def test_a_gift_bought_in_ukrainian_reaches_its_recipient_in_ukrainian(newsroom, ukrainian):
    Gift.objects.create(
        buyer_email="buyer@example.org",
        buyer_name="Тарас",
        recipient_email="friend@example.org",
        months=3,
        deliver_on=timezone.localdate() - datetime.timedelta(days=1),
        amount=2500,
        currency="eur",
        state=Gift.State.PAID,
        language="uk",
    )
    assert services.deliver_due_gifts() == 1
    (message,) = mail.outbox
    assert message.subject == "Тарас дарує вам членство в Masthead"
    assert "http://testserver/uk/members/gift/redeem/" in message.body


def test_a_reader_who_joins_in_ukrainian_is_welcomed_in_ukrainian(
    client, newsroom, ukrainian, stripe_world, post_events
):
    # given a reader who chose a monthly membership on the Ukrainian join page and paid
    response = client.post(
        "/uk/members/join/",
        {"frequency": "month", "amount": "1000", "email": "olena@example.org", "custom_amount": ""},
    )
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[1]
    created = next(p for m, path, p, h in stripe_world.requests if path == "/v1/checkout/sessions")
    assert created["metadata"]["masthead_language"] == "uk"
    assert created["success_url"].startswith("http://testserver/uk/members/")
    # when Stripe's events arrive at the webhook (an address outside any edition)
    post_events(stripe_world.complete_checkout(session_id, "olena@example.org"))
    # then the member reads Ukrainian, and the welcome came in Ukrainian
    assert Member.objects.get(email="olena@example.org").language == "uk"
    assert [m.subject for m in mail.outbox] == ["Вітаємо серед членів Masthead"]


@pytest.mark.parametrize(
    ("minutes", "ukrainian_minutes"),
    [
        (1, "1 хвилину"),
        (2, "2 хвилини"),
        (3, "3 хвилини"),
        (5, "5 хвилин"),
        (11, "11 хвилин"),
        (21, "21 хвилину"),
        (22, "22 хвилини"),
    ],
)
def test_the_sign_in_e_mail_counts_its_minutes_as_ukrainian_does(
    client, member, monkeypatch, minutes, ukrainian_minutes
):
    """The link's lifetime takes the Ukrainian plural its number needs ("діє 1 хвилину",
    "2 хвилини", "5 хвилин", "21 хвилину"), in the text and the HTML."""
    # given sign-in links that work for this many minutes
    monkeypatch.setattr(SignInLink, "LIFETIME_MINUTES", minutes)
    # when a member asks for one in the Ukrainian edition, and another reader in English
    client.post("/uk/members/sign-in/", {"email": "olena@example.org"})
    Member.objects.create(email="taras@example.org")
    client.post("/members/sign-in/", {"email": "taras@example.org"})
    # then each e-mail says how long the link works in its language's plural
    ukrainian, english = mail.outbox
    english_minutes = "1 minute" if minutes == 1 else f"{minutes} minutes"
    for message, expected in (
        (ukrainian, f"Воно спрацьовує один раз і діє {ukrainian_minutes}. Якщо"),
        (english, f"It works once, for {english_minutes}. If you did not ask"),
    ):
        (html, _mimetype) = message.alternatives[0]
        assert expected in message.body
        assert expected in html
