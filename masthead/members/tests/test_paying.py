"""Choosing an amount, checkout without keys, and bad input."""

import pytest

from masthead.members.models import Gift

pytestmark = pytest.mark.django_db


def test_without_stripe_keys_the_site_says_payments_are_not_ready_once(client, newsroom, settings):
    """Without keys, the join and gift pages say so once, before and after a submission, and
    nothing is stored."""
    settings.STRIPE_SECRET_KEY = ""
    for address in ("/members/join/", "/members/gift/"):
        page = client.get(address)
        assert page.status_code == 200
        assert page.content.decode().count("Payments are not configured yet") == 1
    posted = client.post(
        "/members/join/", {"frequency": "month", "amount": "1000", "email": "a@example.org"}
    )
    assert posted.status_code == 503
    assert posted.content.decode().count("Payments are not configured yet") == 1
    gift = client.post("/members/gift/", {"months": "12"})
    assert gift.status_code == 503
    assert gift.content.decode().count("Payments are not configured yet") == 1
    assert "Please correct" not in gift.content.decode()
    assert Gift.objects.count() == 0


@pytest.mark.parametrize(
    "custom, message",
    [
        ("1", "The smallest amount we can take is €3."),
        ("lots", "Enter the amount in numbers, like 12 or 12.50."),
        ("NaN", "Enter the amount in numbers, like 12 or 12.50."),
        ("", "Choose an amount, or enter one here."),
        ("99999999", "That is more than we can take online."),
        ("1" * 5000, "Enter the amount in numbers, like 12 or 12.50."),
        ("9e999990", "Enter the amount in numbers, like 12 or 12.50."),  # no million-digit sum
        ("9e999999999", "Enter the amount in numbers, like 12 or 12.50."),
        ("-5", "Enter the amount in numbers, like 12 or 12.50."),
        ("12.505", "Enter the amount in numbers, like 12 or 12.50."),
    ],
)
def test_a_bad_custom_amount_gets_a_clear_message(client, newsroom, stripe_world, custom, message):
    response = client.post(
        "/members/join/",
        {
            "frequency": "month",
            "amount": "other",
            "custom_amount": custom,
            "email": "a@example.org",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="a@example.org"' in response.content.decode()  # what was typed is kept
    assert not [r for r in stripe_world.requests if r[1] == "/v1/checkout/sessions"]


def test_a_custom_amount_goes_to_checkout_in_minor_units(client, newsroom, stripe_world):
    response = client.post(
        "/members/join/",
        {
            "frequency": "year",
            "amount": "other",
            "custom_amount": "42,50",
            "email": "a@example.org",
        },
    )
    assert response.status_code == 302
    (created,) = [p for m, path, p, h in stripe_world.requests if path == "/v1/checkout/sessions"]
    assert created["line_items"][0]["price_data"]["unit_amount"] == "4250"
    assert created["mode"] == "subscription"


def test_a_made_up_suggested_amount_is_refused(client, newsroom, stripe_world):
    response = client.post(
        "/members/join/", {"frequency": "month", "amount": "1", "email": "a@example.org"}
    )
    assert response.status_code == 400
    assert "Choose one of the amounts" in response.content.decode()


def test_a_bad_address_is_explained(client, newsroom, stripe_world):
    response = client.post(
        "/members/join/", {"frequency": "once", "amount": "1000", "email": "olena@"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_stripe_down_keeps_the_form_and_says_so(client, newsroom, stripe_world):
    stripe_world.failures = 10
    response = client.post(
        "/members/join/", {"frequency": "month", "amount": "1000", "email": "a@example.org"}
    )
    assert response.status_code == 502
    assert "could not reach our payment provider" in response.content.decode()


def test_a_gift_is_saved_unpaid_and_goes_to_checkout(client, newsroom, stripe_world):
    response = client.post(
        "/members/gift/",
        {
            "months": "6",
            "recipient_name": "Mariia",
            "recipient_email": "mariia@example.org",
            "message": "For the long winter.",
            "deliver_on": "2099-01-01",
            "buyer_name": "Taras",
            "buyer_email": "taras@example.org",
        },
    )
    assert response.status_code == 400  # more than a year ahead
    assert "within the next year" in response.content.decode()
    assert Gift.objects.count() == 0


def test_back_from_checkout_thanks_offers_newsletters_and_changes_no_membership(
    client, newsroom, stripe_world
):
    from masthead.members import services
    from masthead.members.models import Campaign, Membership

    Campaign.objects.create(name="Drive", headline="Help us reach 20,000 members", goal=20000)
    response = client.post(
        "/members/join/", {"frequency": "month", "amount": "1000", "email": "olena@example.org"}
    )
    session_id = response["Location"].rsplit("/", 1)[1]
    # a visitor who only guesses the return address gets a plain thank-you, and no cookie
    early = client.get(f"/members/thanks/?session_id={session_id}")
    assert "If you completed a payment" in early.content.decode()
    assert services.MEMBER_COOKIE not in early.cookies
    stripe_world.complete_checkout(session_id, "olena@example.org")
    page = client.get(f"/members/thanks/?session_id={session_id}")
    text = page.content.decode()
    assert "Welcome: you are a member" in text
    assert "/newsletters/?email=olena%40example.org" in text
    assert page.cookies[services.MEMBER_COOKIE]["httponly"]
    # the membership itself waits for Stripe's webhook
    assert Membership.objects.count() == 0
    # but the appeals already step back
    assert "Help us reach 20,000 members" not in client.get("/").content.decode()


def test_a_typed_address_never_pays_as_a_members_stripe_customer(client, newsroom, stripe_world):
    """Anyone may type a member's address on the join form: the session gets a customer of its
    own (customer_email), never the member's Stripe customer with their saved cards."""
    from masthead.members.models import Member

    Member.objects.create(email="olena@example.org", stripe_customer_id="cus_olena")
    response = client.post(
        "/members/join/", {"frequency": "month", "amount": "1000", "email": "Olena@example.org"}
    )
    assert response.status_code == 302
    (created,) = [p for m, path, p, h in stripe_world.requests if path == "/v1/checkout/sessions"]
    assert "customer" not in created
    assert created["customer_email"] == "Olena@example.org"


def test_a_signed_in_member_pays_as_their_own_stripe_customer(client, newsroom, stripe_world):
    import re

    from django.core import mail

    from masthead.members.models import Member

    Member.objects.create(email="olena@example.org", stripe_customer_id="cus_olena")
    client.post("/members/sign-in/", {"email": "olena@example.org"})
    link = re.search(r"/members/sign-in/[^/\s]+/", mail.outbox[-1].body).group(0)
    client.post(link)
    client.post(
        "/members/join/", {"frequency": "once", "amount": "1000", "email": "olena@example.org"}
    )
    (created,) = [p for m, path, p, h in stripe_world.requests if path == "/v1/checkout/sessions"]
    assert created["customer"] == "cus_olena" and "customer_email" not in created


GIFT = {
    "months": "6",
    "recipient_name": "Mariia",
    "recipient_email": "mariia@example.org",
    "message": "For the long winter.",
    "deliver_on": "",
    "buyer_name": "Taras",
    "buyer_email": "taras@example.org",
}


def test_an_empty_gift_form_explains_each_field_in_plain_words(client, newsroom, stripe_world):
    response = client.post("/members/gift/", {})
    page = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Choose how long the gift lasts.",
        "Enter the name of the person you give it to.",
        "Enter their e-mail address: the gift is sent there.",
        "Choose the day we send it.",
        "Enter your name: the e-mail tells them who the gift is from.",
        "Enter your e-mail address: the receipt goes there.",
    ):
        assert message in page
    assert "This field is required" not in page
    assert Gift.objects.count() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("buyer_name", "Taras\r\nBcc: everyone@example.org"),
        ("recipient_name", "Mariia\nX"),
        ("buyer_name", "Taras\u202egnp.exe"),
        ("recipient_name", "Mariia\x00"),
    ],
)
def test_a_name_with_control_characters_is_refused(client, newsroom, stripe_world, field, value):
    """A line break or an invisible control in a name is refused with a clear message, before
    anything is stored or sent to Stripe."""
    from django.utils import timezone

    data = {**GIFT, "deliver_on": timezone.localdate().isoformat(), field: value}
    response = client.post("/members/gift/", data)
    assert response.status_code == 400
    assert "Type the name on one line, without special invisible characters." in (
        response.content.decode()
    )
    assert Gift.objects.count() == 0
    assert not [r for r in stripe_world.requests if r[1] == "/v1/checkout/sessions"]


def test_names_in_any_script_are_welcome(client, newsroom, stripe_world):
    """Real names pass: Cyrillic, apostrophes, and the joiners Persian and emoji need."""
    from django.utils import timezone

    data = {
        **GIFT,
        "deliver_on": timezone.localdate().isoformat(),
        "buyer_name": "Тарас О’Коннор",
        "recipient_name": "می\u200cخواهم",
    }
    assert client.post("/members/gift/", data).status_code == 302
    assert Gift.objects.get().recipient_name == "می\u200cخواهم"


def test_a_bad_address_is_explained_without_validator_jargon(client, newsroom, stripe_world):
    for address in ("olena@", "olena", "olena@@example.org", "olena@example"):
        response = client.post(
            "/members/join/", {"frequency": "once", "amount": "1000", "email": address}
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "This does not look like an e-mail address." in page
        assert "@-sign" not in page and "domain name" not in page.lower()


def test_stripe_down_keeps_the_gift_form_and_stores_no_unpaid_gift(client, newsroom, stripe_world):
    """A gift checkout Stripe cannot open leaves nothing behind: no unpaid gift waits for it."""
    from django.utils import timezone

    stripe_world.failures = 10
    response = client.post(
        "/members/gift/", {**GIFT, "deliver_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 502
    page = response.content.decode()
    assert "could not reach our payment provider" in page
    assert 'value="Mariia"' in page  # what was typed is kept
    assert Gift.objects.count() == 0


def test_money_is_written_as_each_edition_writes_it(client, newsroom, ukrainian, stripe_world):
    """The join and gift pages show amounts in the reader's locale: "€5" in English, "5 EUR" in
    Ukrainian (Babel's CLDR patterns)."""
    english = client.get("/members/join/").content.decode()
    assert "€5</label>" in english and "€25" in client.get("/members/gift/").content.decode()
    ukrainian_page = client.get("/uk/members/join/").content.decode()
    assert "5\xa0EUR</label>" in ukrainian_page
    assert "€5" not in ukrainian_page


def test_amounts_are_read_as_readers_write_them():
    from masthead.members.forms import minor_units

    assert minor_units("12") == 1200
    assert minor_units("12.5") == 1250
    assert minor_units("0012.05") == 1205
    assert minor_units("1e3") is None and minor_units("") is None and minor_units("١٢") is None
