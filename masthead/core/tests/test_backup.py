"""masthead backup and restore: everything comes back, on whichever database the suite runs on
(SQLite for `make test`, PostgreSQL in CI), and a bad archive changes nothing."""

import tarfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from masthead.members.models import Member
from masthead.newsletters.models import Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsroom_with_everything(newsroom, image):
    article = newsroom.article(title="Kept in the backup", hero_image=image, tags=["energy"])
    daily = NewsletterFactory(name="The Daily Briefing")
    reader = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(subscriber=reader, newsletter=daily, state="confirmed")
    Member.objects.create(email="member@example.org", is_active=True)
    return article


def test_a_restore_brings_back_rows_and_media_as_they_were(newsroom_with_everything, tmp_path):
    article = newsroom_with_everything
    url = article.url
    assert Client().get(url).status_code == 200
    image_file = article.hero_image.file.name
    original_bytes = default_storage.open(image_file).read()
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as contents:
        names = contents.getnames()
    assert {"manifest.json", "database.json", f"media/{image_file}"} <= set(names)

    # then things change: a story is deleted, a reader arrives, a file is lost
    article.delete()
    Subscriber.objects.create(email="after@example.org")
    default_storage.delete(image_file)

    call_command("restore", str(archive), "--yes")

    restored = Client().get(url)
    assert restored.status_code == 200
    assert "Kept in the backup" in restored.content.decode()
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["reader@example.org"]
    assert Subscription.objects.get().state == "confirmed"
    assert Member.objects.get().email == "member@example.org"
    assert default_storage.open(image_file).read() == original_bytes
    # content types came from the code, and every page still knows its type
    from wagtail.models import Page

    assert Page.objects.get(pk=article.pk).specific.title == "Kept in the backup"


def test_a_damaged_or_foreign_archive_changes_nothing(newsroom_with_everything, tmp_path):
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive))
    Subscriber.objects.create(email="after@example.org")

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    not_a_backup = tmp_path / "photo.tar.gz"
    with tarfile.open(not_a_backup, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a Masthead backup"):
        call_command("restore", str(not_a_backup), "--yes")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore", str(truncated), "--yes")
    assert Subscriber.objects.filter(email="after@example.org").exists()
    assert Client().get(newsroom_with_everything.url).status_code == 200
