"""A writer adds and picks pictures and documents; once readers see one, only an editor changes it.

Over HTTP, through the admin's own forms: the edit form is read as the browser shows it, one
field is changed, and it is sent back, as a person would.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model

from masthead.images.models import NewsImage
from masthead.images.tests.factories import NewsImageFactory, picture_bytes
from masthead.staff.tests.forms import form_fields

pytestmark = pytest.mark.django_db


def person(django_user_model, name, role):
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "pw-long-enough-1")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def writer(django_user_model, newsroom):
    return person(django_user_model, "writer", "Writer")


@pytest.fixture
def editor(django_user_model, newsroom):
    return person(django_user_model, "editor", "Editor")


def upload_picture(client, title):
    response = client.post(
        "/admin/images/add/",
        {
            "title": title,
            "description": "Firefighters on a roof at dawn",
            "credit": "Iryna Moroz",
            "collection": 1,
            "file": SimpleUploadedFile("roof.jpg", picture_bytes(7, 800, 450), "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return NewsImage.objects.get(title=title)


def change_alt_text(client, image, text, new_file=False):
    """Open the image's edit form, change its alt text (and maybe its file), send it back."""
    url = f"/admin/images/{image.pk}/"
    shown = client.get(url)
    if shown.status_code != 200:
        return shown
    data = form_fields(shown.content.decode(), action=url)
    assert data["title"] == image.title  # the real form, as shown
    data["description"] = text
    if new_file:
        data["file"] = SimpleUploadedFile("other.jpg", picture_bytes(9, 800, 450), "image/jpeg")
    return client.post(url, data)


def test_a_writer_changes_their_picture_until_a_live_page_shows_it(
    client, writer, editor, newsroom
):
    # given a writer uploads a picture and uses it as a draft's hero image
    client.force_login(writer)
    image = upload_picture(client, "Roof at dawn")
    draft = newsroom.article(title="Fire on Sadova Street", hero_image=image, publish=False)
    draft.save_revision()
    # then while nothing public shows it, it is still theirs to correct
    assert change_alt_text(client, image, "Firefighters on a burnt roof").status_code == 302
    image.refresh_from_db()
    assert image.description == "Firefighters on a burnt roof"
    library = client.get("/admin/images/").content.decode()
    assert re.search(rf'class="image-choice"[^>]*href="/admin/images/{image.pk}/', library)

    # when an editor publishes the article
    draft.save_revision().publish()
    original_file = image.file.name

    # then the writer can neither change its alt text, nor replace its file, nor delete it
    refused = change_alt_text(client, image, "Nothing happened here", new_file=True)
    assert refused.status_code in (302, 403)
    assert refused.status_code == 403 or refused["Location"] != f"/admin/images/{image.pk}/"
    assert client.post(f"/admin/images/{image.pk}/delete/").status_code in (302, 403)
    image.refresh_from_db()
    assert image.description == "Firefighters on a burnt roof"
    assert image.file.name == original_file
    # they may still pick it for another story
    chooser = client.get("/admin/images/chooser/")
    assert chooser.status_code == 200 and "Roof at dawn" in chooser.content.decode()
    # and the library no longer offers it to them to edit
    library = client.get("/admin/images/").content.decode()
    assert not re.search(rf'class="image-choice"[^>]*href="/admin/images/{image.pk}/', library)

    # when the editor corrects it through the same form, it changes
    client.force_login(editor)
    assert (
        change_alt_text(client, image, "Firefighters on a roof, Sadova Street").status_code == 302
    )
    image.refresh_from_db()
    assert image.description == "Firefighters on a roof, Sadova Street"


def test_a_writer_cannot_change_a_picture_someone_else_uploaded(client, writer, newsroom):
    image = NewsImageFactory(description="A bridge at night")
    client.force_login(writer)
    assert change_alt_text(client, image, "Changed").status_code in (302, 403)
    image.refresh_from_db()
    assert image.description == "A bridge at night"


def test_a_writer_cannot_replace_a_document_a_live_page_links_to(client, writer, newsroom):
    # given a writer uploads a report and an article readers see links to it
    client.force_login(writer)
    client.post(
        "/admin/documents/add/",
        {
            "title": "Audit report",
            "file": SimpleUploadedFile("audit.pdf", b"%PDF-1.4 report"),
            "collection": 1,
        },
    )
    document = get_document_model().objects.get()
    url = f"/admin/documents/edit/{document.pk}/"
    assert client.get(url).status_code == 200  # theirs, and nothing public shows it yet
    newsroom.article(
        title="The audit",
        body=[
            {
                "type": "paragraph",
                "value": f'<p>Read <a linktype="document" id="{document.pk}">the report</a>.</p>',
            }
        ],
    )
    # when they send the edit form with another file
    refused = client.post(
        url,
        {
            "title": "Audit report",
            "collection": 1,
            "file": SimpleUploadedFile("audit.pdf", b"%PDF-1.4 forged"),
        },
    )
    # then it is refused and the file readers download is the same
    assert refused.status_code in (302, 403)
    document.refresh_from_db()
    assert document.file.read() == b"%PDF-1.4 report"
    assert client.post(f"/admin/documents/delete/{document.pk}/").status_code in (302, 403)
    assert get_document_model().objects.filter(pk=document.pk).exists()


def test_the_moment_a_story_is_published_its_picture_is_the_editors(
    client, writer, editor, newsroom, settings, django_capture_on_commit_callbacks
):
    """Wagtail indexes what a page uses in a queued task; with the worker busy (here: not running
    at all), the writer must not have the minutes until it gets there."""
    from wagtail.models import ReferenceIndex

    from masthead.content.models import ArticlePage
    from masthead.content.tests.test_admin import article_form

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(writer)
    image = upload_picture(client, "Roof at dawn")
    draft = newsroom.article(title="Fire on Sadova Street", slug="fire", publish=False)
    # when the editor publishes the story with the picture through the admin's form
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/pages/{draft.pk}/edit/",
            article_form(
                newsroom,
                title="Fire on Sadova Street",
                slug="fire",
                hero_image=image.pk,
                **{"action-publish": "publish"},
            ),
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert ArticlePage.objects.get(pk=draft.pk).live
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(
        task_path="wagtail.tasks.update_reference_index_task", status="READY"
    ).exists()  # Wagtail's own update is still waiting for a worker
    assert ReferenceIndex.get_references_to(image).exists()
    # then, at once, the writer can no longer change it
    client.force_login(writer)
    refused = change_alt_text(client, image, "Nothing happened here")
    assert refused.status_code in (302, 403)
    image.refresh_from_db()
    assert image.description == "Firefighters on a roof at dawn"
