"""What staff read in the admin's listings and pages: yes and no, durations, no outside avatars,
and a newsletter issue's main action where it can be seen."""

import re

import pytest
from django.urls import reverse

from masthead.audio.models import Narration
from masthead.feed.tests.factories import FeedItemFactory
from masthead.members.tests.factories import member
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, newsroom):
    client.force_login(
        django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    )
    return client


def cells(html):
    """The text of every cell of the page's listing, spaces squeezed."""
    start = html.index("<tbody", html.index('class="listing'))
    table = html[start : html.index("</tbody>", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]


@pytest.mark.parametrize(
    ("listing", "make"),
    [
        ("wagtailsnippets_feed_feeditem:list", lambda: FeedItemFactory(is_breaking=True)),
        ("wagtailsnippets_newsletters_newsletter:list", NewsletterFactory),
        ("wagtailsnippets_members_member:list", member),
    ],
    ids=["news feed", "newsletters", "members"],
)
def test_listings_say_yes_and_no(admin_client, listing, make):
    # given a row with a true and a false flag
    make()
    # when staff open the listing
    found = cells(admin_client.get(reverse(listing)).content.decode())
    # then each flag reads yes or no, never Python's True/False
    assert "Yes" in found and not {"True", "False"} & set(found), found


def test_a_narration_lasts_minutes_and_seconds(admin_client, newsroom):
    story = newsroom.article(title="Power returns", narrate=False)
    narration = Narration.objects.create(
        article=story,
        state=Narration.State.READY,
        duration_seconds=245.3219047619048,
        synthesis_seconds=2.61904761904762,
    )
    listing = admin_client.get(reverse("wagtailsnippets_audio_narration:list")).content.decode()
    assert "4:05" in cells(listing)
    inspect = admin_client.get(
        reverse("wagtailsnippets_audio_narration:inspect", args=[narration.pk])
    ).content.decode()
    assert "4:05" in inspect and "2.6" in inspect
    assert "245.32" not in listing + inspect and "2.619" not in inspect
    assert Narration(duration_seconds=3725).get_duration_seconds_display() == "1:02:05"


def test_staff_avatars_do_not_come_from_gravatar(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in html


def test_test_schedule_or_send_is_the_issue_pages_main_action(admin_client):
    issue = IssueFactory(newsletter=NewsletterFactory())
    html = admin_client.get(
        reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk])
    ).content.decode()
    send = reverse("newsletters_issue_send", args=[issue.pk])
    header = html[html.index("<header") : html.index("</header>")]
    button = re.search(rf'<a[^>]+href="{send}"[^>]*>', header)
    assert button and "w-header-button" in button.group(0)
    assert "data-w-dropdown" not in header[header.rfind("<", 0, button.start()) : button.start()]
