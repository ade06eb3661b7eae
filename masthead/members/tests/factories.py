"""Rows the members tests set up around the step under test."""

from django.utils import timezone

from masthead.members.models import Gift


def gift(**fields):
    """A paid gift of three months from Taras, due today, unless `fields` say otherwise."""
    values = {
        "buyer_email": "taras@example.org",
        "buyer_name": "Taras",
        "recipient_email": "mariia@example.org",
        "recipient_name": "Mariia",
        "months": 3,
        "deliver_on": timezone.localdate(),
        "amount": 2500,
        "currency": "EUR",
        "state": Gift.State.PAID,
        **fields,
    }
    return Gift.objects.create(**values)


def member(email="paid@example.org", **fields):
    """A member now: a monthly membership that counts, so the site and the account page agree."""
    from masthead.members import services
    from masthead.members.models import Member

    person = Member.objects.create(email=email, **fields)
    person.memberships.create(kind="recurring", state="active", interval="month", amount=1000)
    services.refresh_member(person)
    return person
