"""The membership drive on the site: banner, appeal and progress, stepping back for members."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from masthead.members import services
from masthead.members.models import Campaign, Member, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def drive(newsroom):
    return Campaign.objects.create(
        name="Winter drive",
        headline="Help us reach 20,000 members",
        message="Our reporters stay because readers pay.",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )


def members(count, *, since=None):
    since = since or timezone.now()
    for n in range(count):
        member = Member.objects.create(email=f"m{n}-{since.timestamp()}@example.org")
        Membership.objects.create(member=member, kind="recurring", state="active", started_at=since)
        services.refresh_member(member)


def test_the_banner_shows_the_goal_and_an_accessible_progress_bar(client, drive):
    members(3)
    page = client.get("/").content.decode()
    assert "Help us reach 20,000 members" in page
    assert "3 of 20,000 members" in page
    bar = re.search(r"<progress[^>]*>", page).group(0)
    assert 'max="20000"' in bar and 'value="3"' in bar and "aria-labelledby" in bar
    assert 'href="/members/join/"' in page and 'href="/members/gift/"' in page


def test_progress_follows_a_new_member_without_a_query_per_page_view(
    client, drive, django_assert_max_num_queries
):
    members(3)
    client.get("/")
    # a page view reads the campaign from the cache
    with django_assert_max_num_queries(0):
        services.running_campaign()
    # and a new member clears it at once (the webhook path calls refresh_member)
    members(1)
    assert "4 of 20,000 members" in client.get("/").content.decode()


def test_new_members_and_amount_goals_count_only_the_campaign_window(client, drive):
    members(2, since=drive.starts_at - datetime.timedelta(days=30))
    members(1)
    drive.goal_kind = Campaign.Goal.NEW_MEMBERS
    drive.goal = 500
    drive.save()
    assert "1 of 500 members" in client.get("/").content.decode()


def test_members_see_a_thank_you_instead_of_appeals(client, drive, newsroom):
    article = newsroom.article(
        title="A long story",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    member = Member.objects.create(email="paid@example.org")
    Membership.objects.create(member=member, kind="recurring", state="active")
    services.refresh_member(member)
    client.cookies[services.MEMBER_COOKIE] = services.member_cookie_value(member)
    page = client.get(article.url).content.decode()
    assert "Help us reach 20,000 members" not in page
    assert "Thank you for being a member" in page
    # a forged cookie is not a member
    client.cookies[services.MEMBER_COOKIE] = "forged:value"
    assert "Help us reach 20,000 members" in client.get(article.url).content.decode()


def test_appeals_follow_whether_someone_is_a_member_now(
    client, drive, newsroom, django_assert_max_num_queries
):
    """The site reads "is a member" as the account page does (Member.is_active): a browser whose
    membership ended sees the appeals again; one back from paying sees thanks at once."""
    article = newsroom.article(
        title="A long story",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    member = Member.objects.create(email="paid@example.org")
    membership = Membership.objects.create(member=member, kind="recurring", state="active")
    services.refresh_member(member)
    client.cookies[services.MEMBER_COOKIE] = services.member_cookie_value(member)
    client.get(article.url)
    # a member's page view reads "member now" from the shared cache, not the database
    with django_assert_max_num_queries(0):
        assert services.is_member_now(member.pk) is True
    # when the membership ends, the same browser is asked again
    membership.state = Membership.State.ENDED
    membership.save()
    services.refresh_member(member)
    page = client.get(article.url).content.decode()
    assert "Help us reach 20,000 members" in page and "Thank you for being a member" not in page
    # someone with no membership at all (a one-time supporter) is no member either
    once = Member.objects.create(email="once@example.org")
    client.cookies[services.MEMBER_COOKIE] = services.member_cookie_value(once)
    assert "Help us reach 20,000 members" in client.get(article.url).content.decode()
    # but back from paying a membership, before Stripe's event lands, the appeals step back
    client.cookies[services.MEMBER_COOKIE] = services.member_cookie_value(once, just_paid=True)
    assert "Thank you for being a member" in client.get(article.url).content.decode()


def test_the_appeal_sits_inside_articles(client, drive, newsroom):
    article = newsroom.article(
        title="A long story",
        body=[{"type": "paragraph", "value": f"<p>Paragraph {n}.</p>"} for n in range(6)],
    )
    page = client.get(article.url).content.decode()
    assert page.count("campaign--article") == 1
    assert page.index("Paragraph 3.") < page.index("campaign--article") < page.index("Paragraph 4.")


def test_a_dismissed_banner_stays_dismissed(client, drive):
    response = client.post(
        "/members/banner/dismiss/", {"campaign": drive.pk, "next": "/some/page/"}
    )
    assert response.status_code == 302 and response["Location"] == "/some/page/"
    page = client.get("/").content.decode()
    assert "campaign--banner" not in page
    # the next campaign shows again
    later = Campaign.objects.create(name="Spring", headline="Spring drive", goal=100)
    assert later.pk != drive.pk
    assert "campaign--banner" in client.get("/").content.decode()


def test_dismissing_never_sends_a_reader_elsewhere(client, drive):
    response = client.post(
        "/members/banner/dismiss/", {"campaign": drive.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_no_campaign_no_banner(client, newsroom):
    Campaign.objects.create(
        name="Over", headline="Old drive", goal=5, ends_at=timezone.now() - datetime.timedelta(1)
    )
    page = client.get("/").content.decode()
    assert "campaign" not in page.split("<main", 1)[0].split("<body", 1)[1]


def test_an_amount_goal_counts_money_net_of_refunds(client, drive):
    from masthead.members.models import Payment

    drive.goal_kind = Campaign.Goal.AMOUNT
    drive.goal = 50000
    drive.save()
    Payment.objects.create(
        kind="one_time", stripe_payment_intent_id="pi_a", amount=2500, currency="eur"
    )
    Payment.objects.create(
        kind="membership",
        stripe_payment_intent_id="pi_b",
        amount=1000,
        amount_refunded=1000,
        currency="eur",
    )
    services.progress_changed()
    assert "€25 raised of €50,000" in client.get("/").content.decode()


def test_a_busy_drive_refreshes_pages_at_most_every_few_seconds_and_misses_no_count(
    settings, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    settings.CAMPAIGN_PROGRESS_SECONDS = 5
    shared = caches["pages"]

    def campaign_changed_at():
        return shared.get("pagecache:topic:campaign")

    # the first payment of a burst is shown at once
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_counted()
    first = campaign_changed_at()
    assert first is not None
    # the next ones, within the interval, do not make every page render again
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_counted()
        services.progress_counted()
    assert campaign_changed_at() == first
    # the worker's round shows the count the burst ended on, once
    with django_capture_on_commit_callbacks(execute=True):
        assert services.show_waiting_progress() is True
    assert campaign_changed_at() > first
    assert services.show_waiting_progress() is False


def test_the_headline_shows_the_goal_the_drive_has_now(client, drive):
    """{goal} and {raised} in the headline and message become the drive's numbers, written as the
    count beside them; editing the target changes the words at once."""
    # given a drive whose editor wrote the tokens instead of a number
    members(3)
    drive.headline = "Help us reach {goal} members"
    drive.message = "{raised} readers have joined. Every {goal} starts with one; braces {stay}."
    drive.save()
    # when a reader opens the front page
    page = client.get("/").content.decode()
    # then the words carry the goal and the count, and no token is left
    assert "Help us reach 20,000 members</h2>" in page
    assert "3 readers have joined. Every 20,000 starts with one; braces {stay}." in page
    assert "{goal}" not in page and "{raised}" not in page
    # when the editor raises the target
    drive.goal = 25000
    drive.save()
    # then the next page says so, in the headline and the count alike
    page = client.get("/").content.decode()
    assert "Help us reach 25,000 members</h2>" in page and "3 of 25,000 members" in page
    assert "20,000" not in page


def test_a_money_goal_in_the_headline_is_written_as_money(client, drive):
    from masthead.members.models import Payment

    # given an amount drive with the tokens in its headline, and €25 raised
    drive.goal_kind = Campaign.Goal.AMOUNT
    drive.goal = 50000
    drive.headline = "We have raised {raised} of {goal}"
    drive.save()
    Payment.objects.create(
        kind="one_time", stripe_payment_intent_id="pi_a", amount=2500, currency="eur"
    )
    services.progress_changed()
    # then the headline writes both as money
    assert "We have raised €25 of €50,000</h2>" in client.get("/").content.decode()
    # and a number the editor typed herself stays as typed: nothing is guessed
    drive.headline = "Help us raise €40,000"
    drive.save()
    assert "Help us raise €40,000</h2>" in client.get("/").content.decode()


def test_the_ukrainian_drive_writes_its_goal_as_ukrainian_readers_do(client, ukrainian):
    # given the Ukrainian edition's drive, with the goal as a token
    campaign = Campaign.objects.create(
        name="Зимова кампанія",
        language="uk",
        headline="Допоможіть нам досягти {goal} членів",
        goal=20000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert "Допоможіть нам досягти 20\xa0000 членів</h2>" in client.get("/uk/").content.decode()
    # when the goal changes
    campaign.goal = 25000
    campaign.save()
    # then the Ukrainian page follows, with the Ukrainian thousands separator
    page = client.get("/uk/").content.decode()
    assert "Допоможіть нам досягти 25\xa0000 членів</h2>" in page
    assert "20\xa0000" not in page
