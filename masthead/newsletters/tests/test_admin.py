"""Editors in the admin: preview, test, schedule and send an issue, watch it go, send an article."""

import datetime
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from masthead.newsletters.models import Delivery, Issue
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, newsroom, django_user_model):
    editor = django_user_model.objects.create_user(
        "ed", "ed@masthead.example", "pw-long-enough-1", is_staff=False
    )
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    return client


@pytest.fixture
def revenue_client(client, newsroom, django_user_model):
    """Audience and revenue staff: they, not editors, see the subscriber lists."""
    person = django_user_model.objects.create_user("rev", "rev@masthead.example", "pw-long-1")
    person.groups.add(Group.objects.get(name="Revenue"))
    client.force_login(person)
    return client


@pytest.fixture
def daily(newsroom):
    newsletter = NewsletterFactory(name="The Daily Briefing")
    confirmed_readers(newsletter, 3)
    return newsletter


def send_page(issue):
    return f"/admin/newsletters/issues/{issue.pk}/send/"


def test_the_send_page_shows_the_audience_and_sends_a_test_to_the_editor(editor_client, daily):
    # given
    issue = IssueFactory(newsletter=daily, subject="Evening briefing")
    # when
    page = editor_client.get(send_page(issue))
    response = editor_client.post(
        send_page(issue), {"action": "test", "test_address": "ed@masthead.example"}, follow=True
    )
    # then
    assert "It will go to 3 confirmed subscribers." in page.content.decode()
    assert "A test was sent to ed@masthead.example." in response.content.decode()
    (test,) = mail.outbox
    assert test.to == ["ed@masthead.example"] and test.subject == "[Test] Evening briefing"
    assert Delivery.objects.count() == 0


def test_sending_needs_a_confirmation_tick_then_shows_progress(editor_client, daily):
    issue = IssueFactory(newsletter=daily)
    # when the editor forgets to tick the box
    refused = editor_client.post(send_page(issue), {"action": "send"}, follow=True)
    assert "Tick the box to confirm" in refused.content.decode()
    assert mail.outbox == [] and Issue.objects.get().state == Issue.State.DRAFT
    # when they tick it
    sent = editor_client.post(send_page(issue), {"action": "send", "confirm": "on"}, follow=True)
    html = sent.content.decode()
    # then the issue went to everyone and the page shows the counts
    assert "Sending to 3 subscribers." in html
    assert len(mail.outbox) == 3
    assert Issue.objects.get().state == Issue.State.SENT
    assert "<td>3</td><td>0</td><td>3</td>" in html.replace("\n", "")
    # and the issue is no longer editable: its edit page leads to the record of the send
    edit = editor_client.get(f"/admin/snippets/newsletters/issue/edit/{issue.pk}/")
    assert edit.status_code == 302 and edit["Location"] == send_page(issue)


def test_an_issue_of_a_newsletter_nobody_has_joined_is_not_sent_to_no_one(editor_client, newsroom):
    """A new newsroom's first issue: the page says it would reach no one, and Send now says so
    rather than "Sending to 0 subscribers", leaving the issue a draft to test or schedule."""
    issue = IssueFactory(newsletter=NewsletterFactory(name="From the Front"))
    page = editor_client.get(send_page(issue)).content.decode()
    assert "Nobody has confirmed a subscription to From the Front yet" in page
    sent = editor_client.post(send_page(issue), {"action": "send", "confirm": "on"}, follow=True)
    assert "nothing was sent" in sent.content.decode()
    assert Issue.objects.get().state == Issue.State.DRAFT and mail.outbox == []


def test_scheduling_in_the_past_is_refused_in_words_and_in_the_future_accepted(
    editor_client, daily
):
    issue = IssueFactory(newsletter=daily)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = editor_client.post(send_page(issue), {"action": "schedule", "send_at": past})
    assert "Choose a time in the future" in response.content.decode()
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    editor_client.post(send_page(issue), {"action": "schedule", "send_at": future})
    issue.refresh_from_db()
    assert issue.state == Issue.State.SCHEDULED and issue.send_at > timezone.now()
    editor_client.post(send_page(issue), {"action": "unschedule"})
    assert Issue.objects.get().state == Issue.State.DRAFT
    assert mail.outbox == []


def test_the_preview_shows_the_issue_as_readers_will_see_it(editor_client, daily):
    issue = IssueFactory(newsletter=daily, subject="Preview me")
    response = issue.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview me" in html and "four hours" in html
    assert "MASTHEAD" not in html  # no placeholder leaks into what the editor sees


def test_an_article_is_sent_as_a_newsletter_from_its_page(editor_client, daily, newsroom):
    # given a published article
    article = newsroom.article(title="Power returns to the city", summary="Crews worked all night.")
    edit_page = editor_client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert f"/admin/newsletters/issues/from-article/{article.pk}/" in edit_page
    # when the editor starts an issue from it
    response = editor_client.post(
        f"/admin/newsletters/issues/from-article/{article.pk}/", {"newsletter": daily.pk}
    )
    # then a draft issue carries the article, and sending it puts the article in the e-mail
    issue = Issue.objects.get()
    assert response["Location"].endswith(f"/edit/{issue.pk}/")
    assert (issue.subject, issue.preheader, issue.article_id) == (
        "Power returns to the city",
        "Crews worked all night.",
        article.pk,
    )
    issue.body = []
    issue.save()
    editor_client.post(send_page(issue), {"action": "send", "confirm": "on"})
    html = mail.outbox[0].alternatives[0][0]
    assert "Power returns to the city" in html and "Read it on the site" in html
    assert f"http://testserver{article.url}" in mail.outbox[0].body


def test_subscriptions_can_be_read_and_exported_but_not_edited_by_revenue(revenue_client, daily):
    listing = revenue_client.get("/admin/snippets/newsletters/subscription/")
    assert listing.status_code == 200 and "reader0@example.org" in listing.content.decode()
    export = revenue_client.get("/admin/snippets/newsletters/subscription/?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert export.status_code == 200 and "reader2@example.org" in body
    assert revenue_client.get("/admin/snippets/newsletters/subscription/add/").status_code == 302
    assert revenue_client.post("/admin/snippets/newsletters/subscription/add/").status_code == 302


def test_a_reader_typed_formula_is_exported_as_text(revenue_client, daily):
    from masthead.newsletters.models import Subscription

    Subscription.objects.filter(subscriber__email="reader0@example.org").update(
        source='=HYPERLINK("https://evil.example","Click")'
    )
    export = revenue_client.get("/admin/snippets/newsletters/subscription/?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body and '"=HYPERLINK' not in body


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_subscribers_menu_item_opens_a_page_called_subscribers(revenue_client, daily):
    # given the Revenue role's admin menu
    home = revenue_client.get("/admin/").content.decode()
    menu = re.search(r'"name": "subscribers", "label": "([^"]+)",.*?"url": "([^"]+)"', home)
    assert menu, "the list is in the menu"
    label, url = menu.groups()
    # when the item is followed, and a subscription in it inspected
    listing = revenue_client.get(url).content.decode()
    one = daily.subscriptions.first()
    inspect = revenue_client.get(
        f"/admin/snippets/newsletters/subscription/inspect/{one.pk}/"
    ).content.decode()
    # then the page, its title and the way back name the list as the menu does
    assert label == "Subscribers"
    title = _text(re.search(r"<title>(.*?)</title>", listing, re.S).group(1))
    heading = _text(re.search(r"<h1[^>]*>(.*?)</h1>", listing, re.S).group(1))
    assert title.startswith("Subscribers") and heading == "Subscribers", (title, heading)
    way_back = re.findall(rf'<a[^>]+href="{url}"[^>]*>(.*?)</a>', inspect, re.S)
    assert [_text(link) for link in way_back] == ["Subscribers"]
    assert "Subscriptions" not in listing + inspect


def test_the_newsletter_chooser_names_each_newsletters_edition(editor_client, newsroom):
    # given a newsletter in each edition, with the same name
    NewsletterFactory(name="Daily", language="en")
    NewsletterFactory(name="Daily", language="uk")
    # when an editor opens the newsletter chooser (an issue's "Choose a newsletter")
    form = editor_client.get("/admin/snippets/newsletters/issue/add/").content.decode()
    chooser_url = reverse("wagtailsnippetchoosers_newsletters_newsletter:choose")
    assert chooser_url in form, "the issue form chooses its newsletter here"
    response = editor_client.get(chooser_url)
    # then each row says which edition the newsletter is for
    html = json.loads(response.content)["html"]
    assert re.search(r"<th[^>]*>\s*Edition\s*</th>", html), html[:2000]
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html[html.index("<tbody") :], re.S)
    ]
    assert sorted(rows) == ["Daily English", "Daily Українська"], rows
    # and so do the results as they are searched or paged
    results = editor_client.get(
        reverse("wagtailsnippetchoosers_newsletters_newsletter:choose_results")
    )
    assert "Українська" in results.content.decode()
    # and the editor can narrow the list to one edition, as the News Feed's list is narrowed
    assert re.search(r'<select name="language"[^>]*data-chooser-modal-search-filter', html), html
    narrowed = editor_client.get(
        reverse("wagtailsnippetchoosers_newsletters_newsletter:choose_results"), {"language": "uk"}
    ).content.decode()
    assert "Українська" in narrowed and "English" not in narrowed


def test_a_sent_issue_is_kept_however_an_editor_asks_to_delete_it(editor_client, daily):
    # given an issue that was sent and a draft, in the issues list
    sent = IssueFactory(newsletter=daily, subject="Evening briefing")
    editor_client.post(send_page(sent), {"action": "send", "confirm": "on"})
    draft = IssueFactory(newsletter=daily, subject="Morning briefing")
    listing = editor_client.get("/admin/snippets/newsletters/issue/").content.decode()
    # then only the draft's row offers "Delete"
    assert f"/admin/snippets/newsletters/issue/delete/{draft.pk}/" in listing
    assert f"/admin/snippets/newsletters/issue/delete/{sent.pk}/" not in listing
    # when the editor opens the sent one's delete address anyway, and confirms it
    asked = editor_client.get(f"/admin/snippets/newsletters/issue/delete/{sent.pk}/", follow=True)
    editor_client.post(f"/admin/snippets/newsletters/issue/delete/{sent.pk}/")
    # then it is refused in words, on the record of the send
    assert asked.redirect_chain[-1][0] == send_page(sent)
    assert "has been sent, so it is kept as the record of who received it" in _text(
        asked.content.decode()
    )
    # and when both are ticked and bulk-deleted, only the draft goes
    bulk = f"/admin/bulk/newsletters/issue/delete/?id={sent.pk}&id={draft.pk}"
    confirm = editor_client.get(bulk).content.decode()
    assert "Evening briefing" in confirm  # named among those that cannot be deleted
    editor_client.post(bulk)
    assert list(Issue.objects.values_list("subject", flat=True)) == ["Evening briefing"]
    assert Delivery.objects.filter(issue=sent).count() == 3
