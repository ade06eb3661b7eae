"""The News Feed in the admin: each edition's items, listed, filtered and posted by an editor."""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale

from masthead.feed.models import FeedItem
from masthead.feed.tests.factories import FeedItemFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/snippets/feed/feeditem/"


@pytest.fixture
def editor_client(client, django_user_model, newsroom):
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw-long-enough-1")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    return client


def rows(html):
    """Each row of the listing's table as its cells' text."""
    start = html.index("<tbody", html.index('class="listing'))
    body = html[start : html.index("</tbody>", start)]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_feed_list_names_and_filters_each_items_edition(editor_client):
    # given an item in each edition
    FeedItemFactory(text="Power is back in Kharkiv.")
    FeedItemFactory(
        text="Світло повернулося в Харків.", locale=Locale.objects.get(language_code="uk")
    )
    # when an editor opens the News Feed, then filters it to the Ukrainian edition
    everything = editor_client.get(LISTING).content.decode()
    ukrainian = editor_client.get(LISTING, {"locale": "uk"}).content.decode()
    # then a column says each item's edition, and the filter is there under the same name
    assert re.search(r"<th[^>]*>\s*(<a[^>]*>)?\s*Edition", everything), "an Edition column"
    editions = {
        text: row[-1]  # the last column
        for row in rows(everything)
        for text in ("Power is back in Kharkiv.", "Світло повернулося в Харків.")
        if any(cell.startswith(text) for cell in row)
    }
    assert editions == {
        "Power is back in Kharkiv.": "English",
        "Світло повернулося в Харків.": "Українська",
    }, rows(everything)
    assert re.search(r'<input type="radio" name="locale" value="uk"', everything)
    assert "Світло повернулося" in ukrainian and "Power is back" not in ukrainian
    # and "Add" from the Ukrainian list posts into the Ukrainian edition
    assert 'href="/admin/snippets/feed/feeditem/add/?locale=uk"' in ukrainian


def test_an_editor_chooses_the_edition_of_a_new_feed_item(editor_client):
    # given the add form, as "Add" opens it from the whole list (the default edition)
    form = editor_client.get(f"{LISTING}add/").content.decode()
    # then it offers the other edition ("Switch locales")
    assert re.search(r'href="/admin/snippets/feed/feeditem/add/\?locale=uk"[^>]*lang="uk"', form)
    # when the editor switches to it and posts
    response = editor_client.post(
        f"{LISTING}add/?locale=uk",
        {"text": "Тривога в Києві.", "article": "", "published_at": "2030-01-01 10:00"},
    )
    # then the item is in the Ukrainian edition's feed, not the English one's
    assert response.status_code == 302, response.content.decode()[:2000]
    item = FeedItem.objects.get(text="Тривога в Києві.")
    assert item.locale.language_code == "uk"
    assert item.posted_by.username == "ed"
