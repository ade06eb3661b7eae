"""masthead backup, restore and backup_key: what is signed and encrypted, and every archive a restore
must refuse (damaged, unsigned, signed or encrypted with another key, foreign, newer) changes
nothing and says why. Restores as separate processes: test_backup_processes.py."""

import hashlib
import io
import json
import os
import tarfile
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from masthead.audio.models import AudioSettings
from masthead.content.models import ArticlePage
from masthead.core import backup, backup_keys
from masthead.core.models import HeldTask
from masthead.members.models import Member
from masthead.newsletters.models import Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsroom_with_everything(newsroom, image):
    # Not narrated: synthesising speech would take longer than all the rest of a test.
    AudioSettings.objects.update_or_create(
        site=newsroom.home.get_site(), defaults={"narrate_articles": False}
    )
    article = newsroom.article(title="Kept in the backup", hero_image=image, tags=["energy"])
    daily = NewsletterFactory(name="The Daily Briefing")
    reader = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(subscriber=reader, newsletter=daily, state="confirmed")
    Member.objects.create(email="member@example.org", is_active=True)
    return article


@contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _members(path):
    """The files of a plain archive, in order, as {name: bytes}."""
    with tarfile.open(path) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def _write(path, members, kinds=None):
    """Write {name: bytes} as a .tar.gz, as someone altering a backup would."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            if kinds and name in kinds:
                info.type, info.linkname, info.size = kinds[name], "/etc/passwd", 0
                archive.addfile(info)
            else:
                archive.addfile(info, io.BytesIO(data))
    return path


def _resigned(members, change):
    """Apply `change` to the manifest and sign it again with SECRET_KEY (as only we can)."""
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    text = json.dumps(manifest).encode()
    return {
        **members,
        "manifest.json": text,
        "manifest.sig": backup_keys.secret_keys()[0].sign(text).encode(),
    }


def _refused(*args, match):
    with pytest.raises(CommandError, match=match) as refusal:
        call_command("restore", *map(str, args))
    assert str(refusal.value).endswith("Nothing was changed.")


def _unchanged(article):
    """What a refused restore must leave: the reader who came after the backup, the story."""
    assert Subscriber.objects.filter(email="after@example.org").exists()
    assert Client().get(article.url).status_code == 200


def test_a_backup_holds_rows_media_and_a_signed_manifest_of_both(
    newsroom_with_everything, tmp_path
):
    """The archive lists a SHA-256 for the database and every media file, is signed with
    SECRET_KEY, and leaves out what must not come back (sessions, the queue, held tasks, the
    search index)."""
    # given
    HeldTask.objects.create(task_path="masthead.newsletters.tasks.send_issue", args=[1])
    archive = tmp_path / "newsroom.tar.gz"

    # when
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())

    # then
    members = _members(archive)
    image = newsroom_with_everything.hero_image.file.name
    assert list(members)[0] == "database.json"
    assert list(members)[-2:] == ["manifest.json", "manifest.sig"]
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == 2
    assert manifest["key"]["kind"] == "secret-key"
    assert manifest["media"][image]["bytes"] == len(members[f"media/{image}"])
    assert backup_keys.secret_keys()[0].verify(
        members["manifest.json"], members["manifest.sig"].decode()
    )
    models = {row["model"] for row in json.loads(members["database.json"])}
    assert json.loads(members["database.json"])[0]["model"] == "contenttypes.contenttype"
    assert {"newsletters.subscriber", "members.member", "content.articlepage"} <= models
    assert not {
        m for m in models if m.split(".")[0] in ("sessions", "wagtailsearch", "django_tasks_db")
    }
    assert "core.heldtask" not in models


def test_backups_and_their_folder_are_readable_by_their_owner_only(settings, newsroom, tmp_path):
    """Whatever the umask, and even over a half-written file left by a crash with wider permissions."""
    # given
    settings.VAR_DIR = tmp_path / "var"
    (settings.VAR_DIR / "backups").mkdir(parents=True, mode=0o755)
    os.chmod(settings.VAR_DIR / "backups", 0o755)
    named = tmp_path / "named.tar.gz"
    (tmp_path / "named.tar.gz.partial").write_bytes(b"left by a crash")
    os.chmod(tmp_path / "named.tar.gz.partial", 0o644)

    # when
    with umask(0):
        call_command("backup", stdout=io.StringIO(), stderr=io.StringIO())
        call_command("backup", str(named), stdout=io.StringIO(), stderr=io.StringIO())

    # then
    folder = settings.VAR_DIR / "backups"
    assert folder.stat().st_mode & 0o777 == 0o700
    (default,) = folder.iterdir()
    assert default.stat().st_mode & 0o777 == 0o600
    assert named.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "named.tar.gz.partial").exists()
    with pytest.raises(
        CommandError,
        match="Cannot write .*/nowhere/b.tar.gz: No such file or directory. Nothing was written.",
    ):
        call_command("backup", str(tmp_path / "nowhere" / "b.tar.gz"), stdout=io.StringIO())


def test_a_backup_key_is_readable_by_its_owner_only_and_never_replaced(tmp_path):
    """`masthead backup_key FILE` writes a new key 0600 and says to keep a copy away from the server;
    asked again for the same file, it refuses and leaves the key as it was."""
    # given
    path = tmp_path / "backup.key"
    out = io.StringIO()

    # when
    with umask(0):
        call_command("backup_key", str(path), stdout=out)

    # then
    key = backup_keys.read_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"Wrote the backup key {key.id} to {path}" in out.getvalue()
    assert "away from this server" in out.getvalue()
    assert path.read_text().startswith(f"# Masthead backup key {key.id}, made ")
    text = path.read_text()
    with pytest.raises(CommandError, match="already exists. A backup key is never replaced"):
        call_command("backup_key", str(path), stdout=io.StringIO())
    assert path.read_text() == text


def test_a_backup_with_a_key_file_is_encrypted_and_only_that_key_opens_it(
    newsroom_with_everything, tmp_path
):
    """Encrypted with the key file: no reader's address in the file; restore needs that very key
    file and says which it needs; a damaged, cut or lengthened file is refused."""
    # given
    key_file = tmp_path / "backup.key"
    backup_keys.new_key_file(key_file)
    other = tmp_path / "other.key"
    backup_keys.new_key_file(other)
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("the password is in the safe\n")
    archive = tmp_path / "newsroom.tar.gz.enc"
    # more than one chunk of noise, so that one can be changed before the last
    default_storage.save("documents/recording.bin", ContentFile(os.urandom(150_000)))
    call_command("backup", str(archive), "--key-file", str(key_file), stdout=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    contents = archive.read_bytes()
    assert contents.startswith(backup_keys.MAGIC)
    assert b"reader@example.org" not in contents
    key_id = backup_keys.read_key_file(key_file).id
    other_id = backup_keys.read_key_file(other).id

    # when / then
    _refused(archive, "--yes", match=f"encrypted with the backup key {key_id}. Give its key file")
    _refused(
        archive,
        "--yes",
        "--key-file",
        other,
        match=f"encrypted with the backup key {key_id}, but {other} holds another key \\({other_id}\\)",
    )
    _refused(archive, "--yes", "--key-file", not_a_key, match="is not a Masthead backup key")
    _refused(
        archive,
        "--yes",
        "--key-file",
        tmp_path / "missing.key",
        match="Cannot read the backup key file",
    )
    preamble = contents.index(b"\n", len(backup_keys.MAGIC)) + 1
    first_chunk_end = preamble + 24 + backup_keys.CHUNK + 17  # secretstream's header and tag
    flipped = bytearray(contents)
    flipped[len(backup_keys.MAGIC) + 1000] ^= 0x01
    damaged = {
        "flipped.enc": (bytes(flipped), "damaged: part of it is not what was written"),
        "cut.enc": (contents[: len(contents) - 10], "damaged, or cut short"),
        "ends-early.enc": (contents[: len(backup_keys.MAGIC) + 200], "damaged, or cut short"),
        "longer.enc": (contents + b"more", "damaged, or cut short"),
        "no-end.enc": (contents[:first_chunk_end], "cut short: its end is missing"),
    }
    for name, (data, reason) in damaged.items():
        (tmp_path / name).write_bytes(data)
        _refused(tmp_path / name, "--yes", "--key-file", key_file, match=reason)
    _unchanged(newsroom_with_everything)

    call_command(
        "restore", str(archive), "--yes", "--key-file", str(key_file), stdout=io.StringIO()
    )
    assert not Subscriber.objects.filter(email="after@example.org").exists()
    assert Subscription.objects.get().state == "confirmed"


def test_a_backup_with_a_passphrase_opens_with_that_passphrase_only(
    newsroom_with_everything, tmp_path
):
    """A passphrase (from a file or typed) encrypts with Argon2id; a short one is refused before
    anything is written; a wrong one, or none, is refused at restore."""
    # given
    right, wrong, short = tmp_path / "right", tmp_path / "wrong", tmp_path / "short"
    right.write_text("correct horse battery staple\n")
    wrong.write_text("incorrect horse battery staple\n")
    short.write_text("secret\n")
    archive = tmp_path / "newsroom.tar.gz.enc"
    with pytest.raises(CommandError, match="too short: use at least 12 characters"):
        call_command("backup", str(archive), "--passphrase-file", str(short), stdout=io.StringIO())
    assert not archive.exists()
    call_command("backup", str(archive), "--passphrase-file", str(right), stdout=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    assert b'"name": "argon2id"' in archive.read_bytes()[:400]

    # when / then
    _refused(archive, "--yes", match="encrypted with a passphrase. Give it with --passphrase")
    _refused(
        archive, "--yes", "--passphrase-file", wrong, match="not the one this backup was made with"
    )
    _unchanged(newsroom_with_everything)
    call_command(
        "restore", str(archive), "--yes", "--passphrase-file", str(right), stdout=io.StringIO()
    )
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["reader@example.org"]


def test_an_altered_unencrypted_backup_is_refused(newsroom_with_everything, tmp_path):
    """Changing the manifest breaks its signature; changing a file breaks the manifest's hashes;
    either is refused, and so is an archive without a signature."""
    # given
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    members = _members(archive)
    image = f"media/{newsroom_with_everything.hero_image.file.name}"
    manifest = json.loads(members["manifest.json"])
    manifest["created_at"] = "2020-01-01T00:00:00Z"
    forged = {**members, "manifest.json": json.dumps(manifest).encode()}
    unsigned = {k: v for k, v in members.items() if k != "manifest.sig"}
    database = members["database.json"].replace(b"reader@example.org", b"attacker@example.org")
    swapped_database = {**members, "database.json": database}
    swapped_picture = {**members, image: b"another picture"}
    missing = {k: v for k, v in members.items() if k != image}
    altered = {
        "forged": (forged, "does not match this server's SECRET_KEY"),
        "unsigned": (unsigned, "This backup is not signed, so"),
        "database": (swapped_database, "its database does not match its manifest"),
        "picture": (swapped_picture, f"the media file {image.removeprefix('media/')} has changed"),
        "missing": (missing, "media files do not match its manifest"),
    }

    # when / then
    for name, (contents, reason) in altered.items():
        _refused(_write(tmp_path / f"{name}.tar.gz", contents), "--yes", match=reason)
    _unchanged(newsroom_with_everything)


def test_a_backup_signed_with_another_secret_key_is_restored_with_that_key(
    newsroom_with_everything, tmp_path, settings
):
    """A new server with a new SECRET_KEY refuses an unencrypted backup of the old one, and says how
    to restore it: with the old SECRET_KEY (or among its fallbacks), or, knowingly, unsigned."""
    # given
    old_key = settings.SECRET_KEY
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    settings.SECRET_KEY = "a-new-servers-secret-key-" + "n" * 40

    # when / then
    _refused(archive, "--yes", match="run the restore with the old server's SECRET_KEY set")
    _unchanged(newsroom_with_everything)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert not Subscriber.objects.filter(email="after@example.org").exists()

    Subscriber.objects.create(email="after@example.org")
    settings.SECRET_KEY_FALLBACKS = []
    out = io.StringIO()
    call_command("restore", str(archive), "--yes", "--accept-unsigned", stdout=out)
    assert (
        "signature could not be checked; it was restored because you accepted that"
        in out.getvalue()
    )
    assert not Subscriber.objects.filter(email="after@example.org").exists()


def _first_format_archive(path):
    """Write the archive the first `masthead backup` wrote (format 1: manifest first, unsigned,
    rows in app order, search index included), from the database as it is now."""
    models = [
        model
        for model in apps.get_models()  # in the app order, content types late
        if model._meta.app_label not in ("sessions", "axes", "django_tasks_db")
        and not model._meta.proxy
        and model._meta.managed
    ]
    data = serializers.serialize(
        "json", (obj for model in models for obj in model._base_manager.order_by("pk"))
    ).encode()
    media = list(backup._media_names(default_storage))
    manifest = {
        "format": 1,
        "created_at": "2026-11-30T10:00:00Z",
        "database_vendor": "sqlite",
        "migrations": backup._applied_migrations(),
        "database_sha256": hashlib.sha256(data).hexdigest(),
        "database_bytes": len(data),
        "media_files": len(media),
    }
    members = {"manifest.json": json.dumps(manifest).encode(), "database.json": data}
    for name in media:
        members[f"media/{name}"] = default_storage.open(name).read()
    return _write(path, members)


def test_an_archive_of_the_first_format_is_restored_when_accepted_as_unsigned(
    newsroom_with_everything, tmp_path
):
    """Archives made before backups were signed are refused, saying why, and restored with
    --accept-unsigned (content types put first, so a fresh process can load them)."""
    # given
    article = newsroom_with_everything
    archive = _first_format_archive(tmp_path / "old.tar.gz")
    image = article.hero_image.file.name
    original = default_storage.open(image).read()
    article.delete()
    default_storage.delete(image)
    Subscriber.objects.create(email="after@example.org")

    # when / then
    _refused(archive, "--yes", match="it was made by an older Masthead")
    assert not ArticlePage.objects.exists()
    call_command("restore", str(archive), "--yes", "--accept-unsigned", stdout=io.StringIO())
    assert ArticlePage.objects.get().title == "Kept in the backup"
    assert default_storage.open(image).read() == original
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["reader@example.org"]


def test_a_foreign_newer_or_malformed_archive_changes_nothing(newsroom_with_everything, tmp_path):
    """Not a backup, not a tar at all, a link or a path outside the media folder, a newer version's
    backup, or no --yes: refused with the reason."""
    # given
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    members = _members(archive)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not an archive")
    newer = _resigned(members, lambda m: m["migrations"].append("core.9999_from_the_future"))

    # when / then
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    _refused(tmp_path / "missing.tar.gz", "--yes", match="Cannot read")
    _refused(photo, "--yes", match="This is not a Masthead backup, or it is damaged or cut short")
    _refused(_write(tmp_path / "empty.tar.gz", {}), "--yes", match="it has no manifest")
    _refused(
        _write(tmp_path / "photos.tar.gz", {"holiday.jpg": b"..."}),
        "--yes",
        match="it starts with holiday.jpg",
    )
    link = {"database.json": members["database.json"], "media/passwd": b""}
    _refused(
        _write(tmp_path / "link.tar.gz", link, kinds={"media/passwd": tarfile.SYMTYPE}),
        "--yes",
        match="media/passwd, which is not a plain file",
    )
    outside = {"database.json": members["database.json"], "media/../../settings.py": b"x"}
    _refused(
        _write(tmp_path / "outside.tar.gz", outside), "--yes", match="outside the media folder"
    )
    _refused(
        _write(tmp_path / "newer.tar.gz", newer),
        "--yes",
        match="comes from a newer version of Masthead",
    )
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:300])
    _refused(truncated, "--yes", match="damaged or cut short")
    _unchanged(newsroom_with_everything)


def test_a_restore_failing_on_a_row_leaves_database_and_media_as_they_were(
    newsroom_with_everything, tmp_path
):
    """A signed archive whose rows cannot all be loaded: the rows roll back and no media is touched."""
    # given an archive with a subscription pointing at no subscriber
    default_storage.save("documents/notes.txt", ContentFile(b"as backed up"))
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    members = _members(archive)
    rows = json.loads(members["database.json"])
    broken = next(row for row in rows if row["model"] == "newsletters.subscription")
    broken["fields"]["subscriber"] = 999999
    database = json.dumps(rows).encode()

    def change(manifest):
        manifest["database"] = {
            "sha256": hashlib.sha256(database).hexdigest(),
            "bytes": len(database),
        }

    bad = _write(
        tmp_path / "bad-row.tar.gz", _resigned({**members, "database.json": database}, change)
    )
    Subscriber.objects.create(email="after@example.org")
    with default_storage.open("documents/notes.txt", "wb") as notes:
        notes.write(b"changed since")

    # when
    _refused(bad, "--yes", match="rows could not be loaded into this database")

    # then
    _unchanged(newsroom_with_everything)
    assert default_storage.open("documents/notes.txt").read() == b"changed since"


def test_a_restore_failing_on_a_media_file_puts_every_file_and_row_back(
    newsroom_with_everything, tmp_path, settings
):
    """Media that cannot be written halfway through: the files already replaced get their bytes back,
    the rows roll back, and the error names the cause."""
    # given a backup, then a changed first file and a last file that cannot be written
    default_storage.save("aaa-first.txt", ContentFile(b"as backed up"))
    default_storage.save("zzz-last.txt", ContentFile(b"as backed up"))
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    names = list(json.loads(_members(archive)["manifest.json"])["media"])
    assert names[0] == "aaa-first.txt"
    assert names[-1] == "zzz-last.txt"
    (settings.MEDIA_ROOT / "aaa-first.txt").write_bytes(b"changed since the backup")
    default_storage.delete("zzz-last.txt")
    (settings.MEDIA_ROOT / "zzz-last.txt").mkdir()  # a folder where the backup's file must go
    Subscriber.objects.create(email="after@example.org")

    # when
    _refused(
        archive, "--yes", match="Cannot write the media file zzz-last.txt \\(Is a directory\\)"
    )

    # then
    assert (settings.MEDIA_ROOT / "aaa-first.txt").read_bytes() == b"changed since the backup"
    assert (settings.MEDIA_ROOT / "zzz-last.txt").is_dir()
    _unchanged(newsroom_with_everything)


def test_a_crafted_archive_is_refused_with_a_reason_never_a_traceback(
    newsroom_with_everything, tmp_path, monkeypatch
):
    """Archives made to break the restore rather than to restore: a signature that is not text, a
    signed manifest of the wrong shape or whose sizes lie, a passphrase header whose cost is not a
    number, and an archive the scratch folder has no room for. Each is refused, saying why."""
    # given
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    Subscriber.objects.create(email="after@example.org")
    members = _members(archive)
    not_text = {**members, "manifest.sig": "підпис".encode()}
    listed_media = _resigned(members, lambda m: m.update(media=list(m["media"])))
    wordy_size = _resigned(members, lambda m: m["database"].update(bytes="many"))
    short_size = _resigned(members, lambda m: m["database"].update(bytes=10))
    header = {
        "key": "passphrase",
        "key_id": "0011223344",
        "kdf": {"name": "argon2id", "salt": "AAAA", "opslimit": "abc", "memlimit": 8192},
    }
    costly = tmp_path / "cost.tar.gz.enc"
    costly.write_bytes(backup_keys.MAGIC + json.dumps(header).encode() + b"\n" + b"x" * 64)

    # when / then
    crafted = {
        "not-text": (not_text, "does not match this server's SECRET_KEY"),
        "listed-media": (listed_media, "manifest is damaged"),
        "wordy-size": (wordy_size, "manifest is damaged"),
        "short-size": (short_size, "database.json is not the size its manifest says"),
    }
    for name, (contents, reason) in crafted.items():
        _refused(_write(tmp_path / f"{name}.tar.gz", contents), "--yes", match=reason)
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("a long enough passphrase\n")
    _refused(
        costly, "--yes", "--passphrase-file", passphrase, match="passphrase settings are damaged"
    )
    monkeypatch.setattr(backup.shutil, "disk_usage", lambda _: type("Usage", (), {"free": 1000})())
    _refused(archive, "--yes", match="which has 0.0 MB free. Make room there, or set TMPDIR")
    _unchanged(newsroom_with_everything)


def test_a_restore_says_which_staff_accounts_sign_in_as_they_did_at_the_backup(
    newsroom_with_everything, tmp_path, django_user_model, settings
):
    """Assume a password was stolen and changed after the backup: the restore brings the old one
    back, so it names that account (and one removed since, now back) for the admin to act on."""
    # given
    kept = django_user_model.objects.create_user("kept", password="unchanged-password-1")
    stolen = django_user_model.objects.create_user("writer2", password="the-stolen-one-1")
    removed = django_user_model.objects.create_user("left", password="gone-since-then-1")
    archive = tmp_path / "newsroom.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    stolen.set_password("changed-after-the-theft-1")
    stolen.save()
    removed.delete()
    # (and two sign-in links asked for since, waiting in the database queue for a worker)
    from django_tasks_db.models import DBTaskResult

    from masthead.members import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for address in ("a@example.org", "b@example.org"):
        tasks.send_sign_in_link.enqueue(address, "en", address)
    assert DBTaskResult.objects.filter(finished_at__isnull=True).count() == 2
    out = io.StringIO()

    # when
    call_command("restore", str(archive), "--yes", stdout=out)

    # then
    report = out.getvalue()
    assert "WARNING: staff accounts sign in as they did when the backup was made" in report
    assert "writer2 (its password is the one it had then)" in report
    assert "left (removed or renamed since; it can sign in again)" in report
    assert "kept (" not in report
    assert django_user_model.objects.get(pk=kept.pk).check_password("unchanged-password-1")
    # and the queued work, which belonged to the data before the restore, is said to be dropped
    assert (
        "2 queued tasks (work waiting for a worker) belonged to the data before the restore "
        "and were dropped." in report
    )
    assert not DBTaskResult.objects.exists()


def test_a_live_server_writes_the_lists_in_the_clear_only_when_told_to(
    newsroom, tmp_path, settings
):
    """Without a backup key or a passphrase, a live server refuses to write the subscriber and
    member lists unencrypted, saying how to make a key, unless the admin adds --unencrypted."""
    # given
    settings.BACKUP_KEY_REQUIRED = True
    archive = tmp_path / "newsroom.tar.gz"

    # when / then
    with pytest.raises(CommandError, match="add --unencrypted. Nothing was written.") as refusal:
        call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    assert "masthead backup_key FILE" in str(refusal.value)
    assert not archive.exists()
    assert list(tmp_path.iterdir()) == []
    call_command(
        "backup", str(archive), "--unencrypted", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert "manifest.sig" in _members(archive)
