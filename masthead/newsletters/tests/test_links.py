"""Each link in a reader's e-mail does one job: unsubscribing for ever, or the preference centre for a while."""

import time

import pytest
from django.core import signing

from masthead.newsletters import links, services
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return services.find_or_add_subscriber("reader@example.org")


REAL_TIME = time.time


def later(monkeypatch, seconds):
    """Move the clock signing reads forward, as if the link were opened that much later."""
    now = REAL_TIME()
    monkeypatch.setattr(signing.time, "time", lambda: now + seconds)


def test_an_unsubscribe_link_names_the_reader_and_the_newsletter_and_never_expires(
    reader, monkeypatch
):
    issue = IssueFactory()
    token = links.unsubscribe_url(reader, issue).rstrip("/").rsplit("/", 1)[1]
    later(monkeypatch, 10 * 365 * 24 * 3600)
    link = links.read_unsubscribe(token)
    assert (link.subscriber_id, link.newsletter_id, link.issue_id) == (
        reader.pk,
        issue.newsletter_id,
        issue.pk,
    )


def test_an_unsubscribe_link_cannot_open_the_preference_centre_nor_the_other_way(reader):
    unsubscribe = links.unsubscribe_token(reader, NewsletterFactory())
    preferences = links.preferences_token(reader)
    assert links.read_preferences(unsubscribe) is None
    assert links.read_unsubscribe(preferences) is None


def test_a_preference_link_works_for_its_lifetime_then_says_it_expired(reader, monkeypatch):
    token = links.preferences_token(reader)
    assert links.read_preferences(token).expired is False
    later(monkeypatch, links.PREFERENCES_LIFETIME.total_seconds() - 60)
    assert links.read_preferences(token).expired is False
    later(monkeypatch, links.PREFERENCES_LIFETIME.total_seconds() + 60)
    expired = links.read_preferences(token)
    assert (expired.subscriber_id, expired.expired) == (reader.pk, True)


def test_links_in_mail_sent_before_the_split_still_unsubscribe_and_open_preferences_a_while(
    reader, monkeypatch
):
    # given the one all-purpose token every e-mail carried before
    issue = IssueFactory()
    old = signing.dumps({"s": reader.pk, "i": issue.pk}, salt=links.LEGACY_SALT, compress=True)
    later(monkeypatch, 2 * 365 * 24 * 3600)
    # then it still unsubscribes, from the newsletter of the issue it came in
    link = links.read_unsubscribe(old)
    assert (link.subscriber_id, link.issue_id, link.newsletter_id) == (reader.pk, issue.pk, None)
    assert services.unsubscribe_newsletter(link) == issue.newsletter
    # and as a preference link it has expired (it offers to e-mail a fresh one)
    assert links.read_preferences(old).expired is True


@pytest.mark.parametrize(
    "token",
    ["", "forged", "eyJzIjoxfQ:1:abc", signing.dumps({"s": 1}, salt="another.purpose")],
    ids=["empty", "forged", "badly-signed", "another-purpose"],  # the same in every test process
)
def test_forged_or_foreign_tokens_open_nothing(token):
    assert links.read_unsubscribe(token) is None
    assert links.read_preferences(token) is None


def test_a_signed_token_that_names_no_reader_opens_nothing():
    token = signing.dumps({"s": "1; DROP TABLE"}, salt=links.UNSUBSCRIBE_SALT)
    assert links.read_unsubscribe(token) is None
