"""A published story's picture in the admin, in Chromium: the writer who uploaded it is turned
away from its edit form; an editor corrects its alt text through that form."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from masthead.images.models import NewsImage
from masthead.images.tests.factories import NewsImageFactory
from tests.browser.helpers import STAFF_PASSWORD, assert_accessible
from tests.fixtures import ensure_page_tree_root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def test_only_an_editor_changes_the_picture_of_a_published_story(
    live_server, browser_page, newsroom, django_user_model
):
    # given a writer's picture is the hero image of a published article
    ensure_page_tree_root()
    people = {}
    for name, role in (("writer", "Writer"), ("editor", "Editor")):
        people[name] = django_user_model.objects.create_user(
            name, f"{name}@example.org", STAFF_PASSWORD
        )
        people[name].groups.add(Group.objects.get(name=role))
    picture = NewsImageFactory(
        title="Roof at dawn",
        description="Firefighters on a roof at dawn",
        uploaded_by_user=people["writer"],
    )
    article = newsroom.article(title="Fire on Sadova Street", hero_image=picture)
    edit_url = f"{live_server.url}/admin/images/{picture.pk}/"
    page = browser_page

    # when the writer opens its edit form
    sign_in(page, live_server, people["writer"])
    page.goto(edit_url)
    # then they are turned away, told why, and the form is not there
    assert page.url != edit_url
    expect(page.get_by_text("Sorry, you do not have permission")).to_be_visible()
    expect(page.locator("#id_description")).to_have_count(0)

    # when the editor opens it, corrects the alt text and saves
    sign_in(page, live_server, people["editor"])
    page.goto(edit_url)
    alt_text = page.locator("#id_description")
    expect(alt_text).to_have_value("Firefighters on a roof at dawn")
    assert_accessible(page, "the picture's edit form")
    alt_text.fill("Firefighters on a roof on Sadova Street")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/admin/images/")
    # then readers get the new description
    assert NewsImage.objects.get(pk=picture.pk).description == (
        "Firefighters on a roof on Sadova Street"
    )
    page.goto(live_server.url + article.url)
    expect(
        page.locator('img[alt="Firefighters on a roof on Sadova Street"]').first
    ).to_be_attached()
