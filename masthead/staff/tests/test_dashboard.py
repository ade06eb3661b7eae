"""The admin's dashboard for each role: what it offers is something that role can use."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

SEARCH = "Search all pages"


def signed_in(client, django_user_model, role):
    person = django_user_model.objects.create_user(role.lower(), f"{role}@example.org", "pw-long-1")
    person.groups.add(Group.objects.get(name=role))
    client.force_login(person)
    return client


def test_revenue_staff_are_not_offered_a_page_search_they_cannot_use(
    client, newsroom, django_user_model
):
    # given revenue staff, who may not explore pages
    signed_in(client, django_user_model, "Revenue")
    assert client.get("/admin/pages/").status_code == 302  # the explorer sends them away
    # when they open the dashboard
    html = client.get("/admin/").content.decode()
    # then it has no page search (and its own panels still show)
    assert SEARCH not in html
    assert 'role="search"' not in html
    assert "members-panel-heading" in html


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_staff_who_explore_pages_still_search_them_from_the_dashboard(
    client, newsroom, django_user_model, role
):
    # given staff who work on pages
    signed_in(client, django_user_model, role)
    # when they open the dashboard and search from it
    html = client.get("/admin/").content.decode()
    # then the search is there and leads to the pages they may see
    assert SEARCH in html
    action = html.split('role="search"')[0].rsplit("<form", 1)[1]
    url = action.split('action="', 1)[1].split('"', 1)[0]
    assert url.startswith("/admin/pages/")
    assert client.get(url, {"q": "News"}).status_code == 200
