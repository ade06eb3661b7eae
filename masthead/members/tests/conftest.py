"""Fixtures for the members tests: the Stripe stand-in, wired into the real SDK, and a signer."""

import pytest

from masthead.members.tests.stripe_standin import StripeStandIn, signed

WEBHOOK_SECRET = "whsec_test_masthead"


@pytest.fixture
def stripe_world(settings):
    standin = StripeStandIn().start()
    settings.STRIPE_SECRET_KEY = "sk_test_masthead"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = standin.url
    yield standin
    standin.stop()


@pytest.fixture
def post_events(client, django_capture_on_commit_callbacks):
    """Post events to the webhook endpoint as Stripe does, signed with the endpoint's secret.

    Work a handler queues for after its commit (receipts) runs, as it would outside a test.
    """

    def post(events, *, secret=WEBHOOK_SECRET):
        answers = []
        for event in events:
            with django_capture_on_commit_callbacks(execute=True):
                body, signature = signed(event, secret)
                response = client.post(
                    "/members/webhooks/stripe/",
                    body,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature,
                )
            answers.append((response.status_code, response.content.decode()))
        return answers

    return post
