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
