"""The narrated article in a real browser: the player, its speed control and the AI disclosure."""

import pytest
from playwright.sync_api import expect

from masthead.audio import services
from masthead.audio.models import Narration
from tests.browser.helpers import assert_accessible, nu_html_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_reader_plays_the_narration_at_their_speed(live_server, browser_page, newsroom, tmp_path):

    article = newsroom.article(
        title="Power returns to the east",
        slug="power-returns",
        body=[{"type": "paragraph", "value": "<p>The grid held overnight, officials said.</p>"}],
    )
    # publishing narrated it (the test settings run tasks at once)
    narration = Narration.objects.get(article=article)
    assert narration.state == Narration.State.READY, narration.error
    assert services.narrate(article.pk) == "unchanged"
    page = browser_page
    page.goto(live_server.url + article.url)
    player = page.get_by_role("region", name="Listen to this article")
    expect(player).to_be_visible()
    expect(player.get_by_text("This audio is created with AI assistance.")).to_be_visible()
    audio = player.locator("audio")
    assert audio.get_attribute("src") == narration.audio.url
    # the file is served and is the one described
    response = page.request.get(live_server.url + narration.audio.url)
    assert response.ok and len(response.body()) == narration.size_bytes
    # the speed control appears with the script and sets the playback rate
    player.get_by_label("Speed").select_option("1.5")
    assert audio.evaluate("a => a.playbackRate") == 1.5
    assert_accessible(page, "article with its narration")
    html = tmp_path / "article.html"
    html.write_text(page.content(), encoding="utf-8")
    assert not nu_html_errors([str(html)])
