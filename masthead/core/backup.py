"""Backing up and restoring the whole newsroom: its database and its media, in one archive.

The archive is a .tar.gz holding manifest.json, database.json (Django's serialised rows, so it
restores into SQLite or PostgreSQL alike) and media/ (every file in the default
storage: local disk or an S3 bucket). A restore replaces everything inside one transaction: if any
row fails to load, the database is left exactly as it was.

Left out, on purpose: sessions (staff sign in again), sign-in attempt records, and the database task queue's results (queued work from the
past must not run a second time).
"""

import hashlib
import io
import json
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
LEFT_OUT = {"sessions", "axes", "django_tasks_db"}
LEFT_OUT_MODELS = set()


class BackupError(Exception):
    """The archive cannot be restored; the message says why, for the person at the console."""


def _models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in LEFT_OUT or label in LEFT_OUT_MODELS:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def _media_names(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _media_names(storage, f"{folder}/{sub}" if folder else sub)


def _applied_migrations():
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def _add(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    archive.addfile(info, io.BytesIO(data))


def backup(path, *, report=print):
    """Write the newsroom to an archive at `path`. Returns the manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as scratch:
        rows = Path(scratch) / "database.json"
        with rows.open("w", encoding="utf-8") as out, transaction.atomic():
            # One transaction: every table as of the same moment.
            serializers.serialize(
                "json",
                (
                    obj
                    for model in _models()
                    for obj in model._base_manager.order_by("pk").iterator()
                ),
                stream=out,
            )
        data = rows.read_bytes()
        media = list(_media_names(default_storage)) if _storage_exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "database_vendor": connection.vendor,
            "migrations": _applied_migrations(),
            "database_sha256": hashlib.sha256(data).hexdigest(),
            "database_bytes": len(data),
            "media_files": len(media),
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            _add(archive, "database.json", data)
            for name in media:
                with default_storage.open(name, "rb") as handle:
                    _add(archive, f"media/{name}", handle.read())
        partial.replace(path)  # a half-written archive never carries the final name
    report(f"Backed up {len(data):,} bytes of data and {len(media):,} media files to {path}")
    return manifest


def _storage_exists():
    try:
        default_storage.listdir("")
        return True
    except FileNotFoundError:
        return False


def read_manifest(archive):
    try:
        member = archive.getmember("manifest.json")
    except KeyError as error:
        raise BackupError("This is not a Masthead backup: it has no manifest.json.") from error
    manifest = json.loads(archive.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"This backup's format ({manifest.get('format')}) is not one this version reads."
        )
    return manifest


def restore(path, *, report=print):
    """Replace the newsroom's database and media with the archive's. All or nothing for the rows."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read {path}: {error}") from error
    with archive:
        try:
            manifest = read_manifest(archive)
        except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as error:
            raise BackupError(f"Cannot read {path}: {error}") from error
        unknown = set(manifest["migrations"]) - set(_applied_migrations())
        if unknown:
            raise BackupError(
                "This backup comes from a newer version of Masthead (migrations this code does not "
                f"have: {', '.join(sorted(unknown)[:5])}). Upgrade Masthead first."
            )
        try:
            data = archive.extractfile("database.json").read()
        except (KeyError, tarfile.TarError, OSError, EOFError, zlib.error) as error:
            raise BackupError(f"The backup's database is missing or damaged: {error}") from error
        if hashlib.sha256(data).hexdigest() != manifest["database_sha256"]:
            raise BackupError("The backup's database does not match its checksum: it is damaged.")
        media = [m for m in archive.getmembers() if m.isfile() and m.name.startswith("media/")]
        for member in media:
            name = member.name.removeprefix("media/")
            if name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"The backup names a file outside the media folder: {name}")

        with tempfile.TemporaryDirectory() as scratch:
            fixture = Path(scratch) / "database.json"
            fixture.write_bytes(data)
            with transaction.atomic():
                # Without post_migrate: content types and permissions come from the backup, with
                # the ids every row that points at them was saved with.
                call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
                call_command("loaddata", str(fixture), verbosity=0)

        for member in media:
            name = member.name.removeprefix("media/")
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, ContentFile(archive.extractfile(member).read()))
    _forget_caches()
    report(
        f"Restored the backup of {manifest['created_at']} ({manifest['database_vendor']}): "
        f"{manifest['database_bytes']:,} bytes of data and {len(media):,} media files."
    )
    return manifest


def _forget_caches():
    """Kept pages and settings describe the data that was replaced."""
    from django.core.cache import caches

    from . import fastpath, pagecache, routing

    for alias in ("default", "pages"):
        caches[alias].clear()
    routing.forget_root_paths()
    fastpath.LOCAL.clear()
    pagecache.changed(*pagecache.TOPICS)
