"""What editors do for the feeds and the social cards, through the real admin in Chromium: describe
a picture for the Ukrainian edition's readers, and name the Ukrainian podcast."""

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from masthead.audio import services as audio_services
from masthead.audio.tests.test_podcast import narrated
from tests.browser.helpers import sign_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_an_editor_describes_a_picture_for_the_ukrainian_edition(
    live_server, browser_page, newsroom, ukrainian, image, django_user_model
):
    # given a story and its Ukrainian translation sharing one hero picture
    with audio_services.paused():
        story = newsroom.article(title="Rescuers reach the building", hero_image=image)
        story.save_revision().publish()
        translated = ukrainian.translate(story, title="Рятувальники дісталися будинку")
    page = sign_in_to_admin(browser_page, live_server, django_user_model)
    # when the editor opens the picture in the image library and writes its Ukrainian alt text
    page.goto(f"{live_server.url}/admin/images/{image.pk}/")
    field = page.get_by_label("Alt text (Українська)")
    expect(field).to_have_value("")
    field.fill("Рятувальники біля пошкодженого будинку в сутінках")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("updated")
    # then each edition's readers hear the picture described in their language
    page.goto(live_server.url + translated.url)
    hero = page.locator("figure.hero img")
    expect(hero).to_have_attribute("alt", "Рятувальники біля пошкодженого будинку в сутінках")
    assert hero.get_attribute("lang") is None
    page.goto(live_server.url + story.url)
    expect(page.locator("figure.hero img")).to_have_attribute(
        "alt", "Rescue workers at a damaged building at dusk"
    )


def test_an_editor_names_the_ukrainian_podcast(
    live_server, browser_page, newsroom, ukrainian, django_user_model
):
    # given a narrated Ukrainian story
    with audio_services.paused():
        story = newsroom.article(title="The grid held")
        story.save_revision().publish()
        narrated(ukrainian.translate(story, title="Мережа витримала"))
    page = sign_in_to_admin(browser_page, live_server, django_user_model)
    # when the editor adds the Ukrainian edition under Settings → Audio
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Audio").click()
    page.get_by_label("Podcast contact e-mail").fill("audio@masthead.example")
    page.get_by_role("button", name="Add Edition").click()
    panel = page.locator("[id^='inline_child_editions-']").last
    panel.get_by_label("Edition").select_option("uk")
    panel.get_by_label("Podcast title").fill("Masthead вголос")
    panel.get_by_label("Podcast description").fill("Наші матеріали, прочитані вголос.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("updated")
    # then the Ukrainian podcast carries its own title and description, the English one its own
    uk = ET.fromstring(page.request.get(live_server.url + "/uk/audio/podcast.xml").body())
    en = ET.fromstring(page.request.get(live_server.url + "/audio/podcast.xml").body())
    assert uk.findtext("channel/title") == "Masthead вголос"
    assert uk.findtext("channel/description") == "Наші матеріали, прочитані вголос."
    assert [t.text for t in uk.findall("channel/item/title")] == ["Мережа витримала"]
    assert en.findtext("channel/title") == "Masthead: narrated articles"
    assert en.findall("channel/item") == []
