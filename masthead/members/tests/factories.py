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
