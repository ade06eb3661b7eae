"""Narrations in the admin, and joining pieces of speech without clicks."""

import array

import pytest

from masthead.audio import encoding
from masthead.audio.models import AudioSettings, Narration

pytestmark = pytest.mark.django_db


def test_pieces_are_joined_with_silent_edges_and_a_pause():
    loud = array.array("h", [20000] * 2205).tobytes()  # 0.1 s of a constant, click-prone level
    joined = array.array("h", encoding.join([loud, loud], 22050, pause=0.1))
    assert len(joined) == 2205 * 2 + 2205
    # each piece starts and ends at zero and ramps up: no step, so no click
    assert joined[0] == 0 and joined[2204] == 0 and joined[2205 + 2205] == 0
    assert joined[10] < joined[100] <= 20000
    assert set(joined[2205 : 2205 * 2]) == {0}  # the pause


@pytest.fixture
def editor_client(client, django_user_model, newsroom):
    user = django_user_model.objects.create_superuser(
        "chief", "chief@example.org", "pw-long-enough-1"
    )
    client.force_login(user)
    config = AudioSettings.for_site(newsroom.home.get_site())
    config.voice = "espeak-ng:en-us"
    config.save()
    return client


def test_editors_see_states_listen_and_regenerate(
    editor_client, newsroom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = newsroom.article(
            title="Power returns", body=[{"type": "paragraph", "value": "<p>The grid held.</p>"}]
        )
        article.save_revision().publish()
    narration = Narration.objects.get(article=article)
    listing = editor_client.get("/admin/snippets/audio/narration/").content.decode()
    assert "Power returns" in listing and "Ready" in listing
    assert f'src="{narration.audio.url}"' in listing
    # the article's edit page says how its narration stands
    edit = editor_client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "Narration: Ready" in edit
    # regenerating makes a new narration even though the text is the same
    first = narration.finished_at
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/audio/regenerate/{article.pk}/")
    assert response.status_code == 302
    narration.refresh_from_db()
    assert narration.state == Narration.State.READY and narration.finished_at > first
    # and a failure shows its reason in the listing
    Narration.objects.filter(pk=narration.pk).update(
        state=Narration.State.FAILED, error="RuntimeError: the speech service answered 503"
    )
    listing = editor_client.get("/admin/snippets/audio/narration/?state=failed").content.decode()
    assert "the speech service answered 503" in listing


def test_regenerating_needs_a_post_and_permission(client, newsroom, django_user_model):
    article = newsroom.article(title="Power returns", body=[])
    user = django_user_model.objects.create_user("reader", "r@example.org", "pw-long-enough-1")
    client.force_login(user)
    assert client.post(f"/admin/audio/regenerate/{article.pk}/").status_code in (302, 403)
    assert not Narration.objects.filter(state=Narration.State.READY).exists()
