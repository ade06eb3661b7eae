"""Backing up and restoring the whole newsroom: its database and its media, in one archive.

An archive (format 2) is a .tar.gz holding, in this order, database.json (Django's serialised rows,
content types first, so it restores into SQLite or PostgreSQL alike), media/ (every file in the
default storage: local disk or an S3 bucket), manifest.json (what the archive holds, with the
SHA-256 of every file) and manifest.sig (the manifest's keyed signature). With a backup key file or
a passphrase the whole .tar.gz is encrypted (core/backup_keys.py); without one it is signed with
SECRET_KEY. Archives and their folder are readable by their owner only.

A restore first reads the whole archive into a private scratch folder and checks it: only a
complete archive, signed by a key the admin holds, whose files match its manifest, changes
anything. An unencrypted archive is read twice: once writing nothing, to check its signature,
then, if it holds, into the scratch folder, each file no longer than the manifest says. It then replaces the rows in one transaction and the media beside them; if anything
fails, the rows roll back and every media file it touched is put back as it was.

Left out, on purpose: sessions (staff sign in again), sign-in attempt records, the task queue's
rows and held tasks (queued work from the past must not run a second time), and the search index
(its shape depends on the database; it is rebuilt after a restore).
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from . import fastpath, pagecache, routing
from .backup_keys import (
    BackupKeyError,
    OpenedReader,
    SealedWriter,
    from_passphrase,
    read_header,
    read_key_file,
    secret_keys,
)

FORMAT = 2
LEFT_OUT = {"sessions", "axes", "django_tasks_db", "wagtailsearch"}
LEFT_OUT_MODELS = {"core.heldtask", "core.tasklease"}
COPY_BUFFER = 1024 * 1024
MAX_MANIFEST = 64 * 1024 * 1024


class BackupError(Exception):
    """The archive cannot be restored; the message says why, for the person at the console."""


def _models():
    # Content types first: a page's row, built without one, looks its content type up (Wagtail's
    # Page.__init__), and in a fresh process that lookup would create a row the backup's then meets.
    found = sorted(
        apps.get_models(), key=lambda m: m._meta.label_lower != "contenttypes.contenttype"
    )
    for model in found:
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


def _storage_exists():
    try:
        default_storage.listdir("")
        return True
    except FileNotFoundError:
        return False


def _applied_migrations():
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def _version():
    try:
        return metadata.version("masthead")
    except metadata.PackageNotFoundError:
        return "unknown"


class _Hashing:
    """A file read through, counting and hashing what passes."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sha256.update(data)
        self.bytes += len(data)
        return data


def _add(archive, name, handle, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    reader = _Hashing(handle)
    archive.addfile(info, reader)
    return {"sha256": reader.sha256.hexdigest(), "bytes": reader.bytes}


def _add_bytes(archive, name, data):
    _add(archive, name, io.BytesIO(data), len(data))


def private_folder(folder):
    """Make `folder` if needed (with its parents), and make it readable by its owner only."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def backup(path, *, key=None, report=print):
    """Write the newsroom to an archive at `path`, encrypted if `key` encrypts. Returns the manifest.

    Without a key the archive is signed with SECRET_KEY. The file is readable by its owner only
    from its creation, and carries its final name only once complete.
    """
    key = key or secret_keys()[0]
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from error
    try:
        os.fchmod(descriptor, 0o600)  # a partial file left by a crash may have other permissions
        with os.fdopen(descriptor, "wb") as raw:
            sink = SealedWriter(raw, key) if key.encrypts else raw
            with tarfile.open(fileobj=sink, mode="w|gz") as archive:
                manifest = _write_contents(archive, key)
            if key.encrypts:
                sink.finish()
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report(
        f"Backed up {manifest['database']['bytes']:,} bytes of data and "
        f"{len(manifest['media']):,} media files to {path}"
        + (f", encrypted with {key.describe()}." if key.encrypts else ".")
    )
    return manifest


def _write_contents(archive, key):
    with tempfile.TemporaryDirectory(prefix="masthead-backup-") as scratch:
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
        with rows.open("rb") as handle:
            database = _add(archive, "database.json", handle, rows.stat().st_size)
    media = {}
    for name in sorted(_media_names(default_storage)) if _storage_exists() else []:
        try:
            size = default_storage.size(name)
            handle = default_storage.open(name, "rb")
        except FileNotFoundError:
            continue  # deleted since the listing, and from the database with it
        with handle:
            media[name] = _add(archive, f"media/{name}", handle, size)
    manifest = {
        "format": FORMAT,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "masthead_version": _version(),
        "database_vendor": connection.vendor,
        "migrations": _applied_migrations(),
        "database": database,
        "media": media,
        "key": {"kind": key.kind, "id": key.id},
    }
    text = json.dumps(manifest, indent=1, sort_keys=True).encode()
    _add_bytes(archive, "manifest.json", text)
    _add_bytes(archive, "manifest.sig", key.sign(text).encode())
    return manifest


# Restoring


@dataclass
class _Staged:
    folder: Path
    manifest: dict = field(default_factory=dict)
    manifest_bytes: bytes = b""
    signature: str | None = None
    database: dict | None = None
    media: dict = field(default_factory=dict)  # name -> {"path", "sha256", "bytes"}


def _unlock(raw, key_file, passphrase):
    """Return (a reader of the plain archive, the key that opened it or None if it is not encrypted)."""
    try:
        header = read_header(raw)
    except BackupKeyError as error:
        raise BackupError(str(error)) from error
    if header is None:
        return raw, None
    if header["key"] == "key-file":
        if not key_file:
            raise BackupError(
                f"This backup is encrypted with the backup key {header['key_id']}. "
                "Give its key file with --key-file FILE (or set BACKUP_KEY_FILE)."
            )
        try:
            key = read_key_file(key_file)
        except BackupKeyError as error:
            raise BackupError(str(error)) from error
        if key.id != header["key_id"]:
            raise BackupError(
                f"This backup was encrypted with the backup key {header['key_id']}, but "
                f"{key_file} holds another key ({key.id}). Find the key file whose id is "
                f"{header['key_id']} (on its first line): without it this backup "
                "cannot be opened."
            )
    else:
        passphrase = passphrase() if callable(passphrase) else passphrase
        if not passphrase:
            raise BackupError(
                "This backup is encrypted with a passphrase. Give it with --passphrase (you are "
                "asked for it) or --passphrase-file FILE."
            )
        try:
            key = from_passphrase(passphrase, header["kdf"])
        except BackupKeyError as error:
            raise BackupError(str(error)) from error
        if key.id != header["key_id"]:
            raise BackupError("The passphrase is not the one this backup was made with.")
    try:
        return OpenedReader(raw, key, header), key
    except BackupKeyError as error:
        raise BackupError(str(error)) from error


def _media_name(member_name):
    name = member_name.removeprefix("media/")
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or "\\" in name or ".." in parts or "" in parts:
        raise BackupError(f"The backup names a file outside the media folder: {name}")
    return name


def _copy(handle, target, name, limit=None):
    """Hash a file of the archive, writing it to `target` unless that is None; refuse it once it
    is longer than `limit`, the size a checked manifest gives it."""
    digest, size = hashlib.sha256(), 0
    with open(target, "wb") if target else contextlib.nullcontext() as out:
        while chunk := handle.read(COPY_BUFFER):
            size += len(chunk)
            if limit is not None and size > limit:
                raise BackupError(
                    f"The backup is damaged: {name} is longer than its manifest says."
                )
            digest.update(chunk)
            if out:
                out.write(chunk)
    return {"path": target, "sha256": digest.hexdigest(), "bytes": size}


def _sizes(manifest):
    """The size of every file a (format 2) manifest lists, by its name in the archive."""
    sizes = {f"media/{name}": entry.get("bytes") for name, entry in manifest["media"].items()}
    return {**sizes, "database.json": manifest["database"].get("bytes")}


def _stage(reader, staged, sizes=None):
    """Read every file of the archive, hashing each, into `staged.folder` (if it has one); check
    nothing yet. With `sizes` (from a checked manifest), a file of another size is refused before
    any of it is written."""
    with tarfile.open(fileobj=reader, mode="r|gz") as archive:
        for index, member in enumerate(archive):
            if index == 0 and member.name not in ("database.json", "manifest.json"):
                raise BackupError(
                    f"This is not a Masthead backup: it starts with {member.name}, not with the "
                    "newsroom's database."
                )
            if member.isdir():
                continue
            if not member.isfile():
                raise BackupError(
                    f"This is not a Masthead backup: it holds {member.name}, which is not a "
                    "plain file."
                )
            limit = None if sizes is None else sizes.get(member.name)
            if limit is not None and member.size != limit:
                raise BackupError(
                    f"The backup is damaged: {member.name} is not the size its manifest says."
                )
            handle = archive.extractfile(member)
            folder = staged.folder
            if member.name in ("manifest.json", "manifest.sig"):
                data = handle.read(MAX_MANIFEST + 1)
                if len(data) > MAX_MANIFEST:
                    raise BackupError("This is not a Masthead backup: its manifest is too large.")
                if member.name == "manifest.json":
                    staged.manifest_bytes = data
                else:
                    staged.signature = data.decode("ascii", errors="replace")
            elif member.name == "database.json":
                target = folder / "database.json" if folder else None
                staged.database = _copy(handle, target, member.name, limit)
            elif member.name.startswith("media/"):
                name = _media_name(member.name)
                if name in staged.media:
                    raise BackupError(f"The backup holds the media file {name} twice.")
                target = folder / f"media-{len(staged.media)}" if folder else None
                staged.media[name] = _copy(handle, target, member.name, limit)
            else:
                raise BackupError(
                    f"This is not a Masthead backup: it holds {member.name}, which Masthead "
                    "backups do not have."
                )


UNSIGNED = (
    "This backup is not signed{why}, so nothing shows it has not been altered since it was made. "
    "If you know where this file has been and trust it, restore it with --accept-unsigned."
)


def _check(staged, key, accept_unsigned):
    """Refuse an archive that is unsigned, signed by another key, damaged, or from a newer version."""
    if not staged.manifest_bytes:
        raise BackupError("This is not a Masthead backup: it has no manifest.")
    try:
        manifest = json.loads(staged.manifest_bytes)
        version = manifest["format"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("The backup's manifest is damaged.") from error
    if version == FORMAT and not _well_formed(manifest):
        raise BackupError("The backup's manifest is damaged.")
    if version not in (1, FORMAT):
        raise BackupError(
            f"This backup's format ({version}) is not one this version of Masthead reads. "
            "Upgrade Masthead first."
        )
    warnings = []
    if version == 1:
        # Made before backups were signed (the first version of `masthead backup`).
        if not accept_unsigned:
            raise BackupError(UNSIGNED.format(why=" (it was made by an older Masthead)"))
        warnings.append("This backup is not signed; it was restored because you accepted that.")
    elif key is not None:
        # Encrypted: only the key that opened it may have signed it.
        named = manifest.get("key") or {}
        if (
            staged.signature is None
            or named.get("id") != key.id
            or not key.verify(staged.manifest_bytes, staged.signature)
        ):
            raise BackupError("The backup's signature does not match its key: it has been altered.")
    elif staged.signature is None:
        if not accept_unsigned:
            raise BackupError(UNSIGNED.format(why=""))
        warnings.append("This backup is not signed; it was restored because you accepted that.")
    elif not any(k.verify(staged.manifest_bytes, staged.signature) for k in secret_keys()):
        if not accept_unsigned:
            raise BackupError(
                "This backup's signature does not match this server's SECRET_KEY: it was made on "
                "a server with another SECRET_KEY, or it has been altered since. To restore it on "
                "a new server, run the restore with the old server's SECRET_KEY set (SECRET_KEY=… "
                "masthead restore …). If that key is lost too, and you know where this file has "
                "been, restore it with --accept-unsigned."
            )
        warnings.append(
            "This backup's signature could not be checked; it was restored because you accepted that."
        )
    staged.manifest = manifest
    _check_contents(staged, version)
    migrations = manifest.get("migrations", [])
    if not isinstance(migrations, list) or not all(isinstance(m, str) for m in migrations):
        raise BackupError("The backup's manifest is damaged.")
    unknown = set(migrations) - set(_applied_migrations())
    if unknown:
        raise BackupError(
            "This backup comes from a newer version of Masthead (migrations this code does not "
            f"have: {', '.join(sorted(unknown)[:5])}). Upgrade Masthead first."
        )
    return warnings


def _is_file_entry(entry):
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("bytes"), int)
        and not isinstance(entry.get("bytes"), bool)
        and entry["bytes"] >= 0
    )


def _well_formed(manifest):
    """Whether a format 2 manifest has the shape a backup writes (a forged one may not)."""
    media = manifest.get("media")
    return (
        _is_file_entry(manifest.get("database"))
        and isinstance(media, dict)
        and all(_is_file_entry(entry) for entry in media.values())
        and isinstance(manifest.get("key", {}), dict)
        and all(isinstance(manifest.get(k, ""), str) for k in ("created_at", "database_vendor"))
    )


def _check_contents(staged, version):
    manifest = staged.manifest
    if staged.database is None:
        raise BackupError("The backup is damaged: its database is missing.")
    if version == 1:
        expected = {"sha256": manifest.get("database_sha256")}
        if manifest.get("media_files", len(staged.media)) != len(staged.media):
            raise BackupError("The backup is damaged: media files are missing from it.")
    else:
        expected = manifest.get("database") or {}
        listed = manifest.get("media") or {}
        missing = sorted(set(listed) - set(staged.media))
        extra = sorted(set(staged.media) - set(listed))
        if missing or extra:
            raise BackupError(
                "The backup is damaged: its media files do not match its manifest "
                f"({', '.join((missing + extra)[:3])})."
            )
        for name, entry in listed.items():
            if entry.get("sha256") != staged.media[name]["sha256"]:
                raise BackupError(f"The backup is damaged: the media file {name} has changed.")
    if expected.get("sha256") != staged.database["sha256"]:
        raise BackupError("The backup is damaged: its database does not match its manifest.")


def _order_old_rows(staged):
    """Put a format 1 archive's rows in the order format 2 writes them, leaving out what it leaves out."""
    path = staged.database["path"]
    rows = json.loads(path.read_bytes())
    kept = [
        row
        for row in rows
        if row.get("model", "").split(".")[0] not in LEFT_OUT
        and row.get("model") not in LEFT_OUT_MODELS
    ]
    kept.sort(key=lambda row: row.get("model") != "contenttypes.contenttype")
    path.write_text(json.dumps(kept), encoding="utf-8")


class _MediaUndo:
    """What a restore did to the media, so that a failure can put every file back."""

    def __init__(self, folder):
        self.folder = folder
        self.folder.mkdir(mode=0o700)
        self.created = []
        self.replaced = {}

    def keep(self, name):
        copy = self.folder / str(len(self.replaced))
        with default_storage.open(name, "rb") as handle, open(copy, "wb") as out:
            shutil.copyfileobj(handle, out, COPY_BUFFER)
        self.replaced[name] = copy

    def put_back(self):
        for name in reversed(self.created):
            if default_storage.exists(name):
                default_storage.delete(name)
        for name, copy in self.replaced.items():
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(copy, "rb") as handle:
                default_storage.save(name, File(handle, name=name))


def _unchanged(name, entry):
    if default_storage.size(name) != entry["bytes"]:
        return False
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(COPY_BUFFER):
            digest.update(chunk)
    return digest.hexdigest() == entry["sha256"]


def _replace_media(staged, undo):
    replaced = 0
    for name, entry in staged.media.items():
        try:
            if default_storage.exists(name):
                if _unchanged(name, entry):
                    continue
                undo.keep(name)
                default_storage.delete(name)
            else:
                undo.created.append(name)
            with open(entry["path"], "rb") as handle:
                saved = default_storage.save(name, File(handle, name=name))
        except OSError as error:
            raise BackupError(
                f"Cannot write the media file {name} ({error.strerror or error}); the files "
                "already written were put back."
            ) from error
        if saved != name:
            undo.created.append(saved)
            raise BackupError(f"The media storage would not take {name} under its own name.")
        replaced += 1
    return replaced


def _sign_ins():
    """How each staff account signs in now: its password hash and its two-factor devices."""
    devices = {}
    if apps.is_installed("django_otp.plugins.otp_totp"):
        totp = apps.get_model("otp_totp", "TOTPDevice")
        for user_id, key in totp.objects.values_list("user_id", "key"):
            devices.setdefault(user_id, set()).add(key)
    return {
        username: (password, frozenset(devices.get(pk, ())))
        for pk, username, password in get_user_model()
        .objects.order_by("username")
        .values_list("pk", "username", "password")
    }


def _queued_tasks():
    if not apps.is_installed("django_tasks_db"):
        return 0  # queued in Redis, which a restore leaves alone
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(finished_at__isnull=True).count()


def _sign_in_warnings(before, after, queued):
    """What the admin must know the restore did beyond the content: staff accounts as they were at
    the backup (a password changed since a theft is the stolen one again) and dropped queued work."""
    changed = []
    for username, (password, devices) in after.items():
        if username not in before:
            changed.append(f"{username} (removed or renamed since; it can sign in again)")
        elif before[username][0] != password:
            changed.append(f"{username} (its password is the one it had then)")
        elif before[username][1] != devices:
            changed.append(f"{username} (its two-factor devices are the ones it had then)")
    warnings = []
    if changed:
        warnings.append(
            "WARNING: staff accounts sign in as they did when the backup was made, not as they "
            f"did before this restore: {'; '.join(changed)}. If any of this was changed because "
            "a password or a phone was stolen, change it again now "
            "(masthead changepassword NAME, and its devices in the admin)."
        )
    if queued:
        warnings.append(
            f"{queued:,} queued task{'s' if queued != 1 else ''} (work waiting for a worker) "
            "belonged to the data before the restore and were dropped."
        )
    return warnings


def _apply(staged):
    """Replace the rows and the media; return (media files written, warnings for the admin)."""
    fixture = staged.database["path"]
    undo = _MediaUndo(staged.folder / "undo")
    try:
        with transaction.atomic():
            # Without post_migrate: content types and permissions come from the backup, with the
            # ids every row that points at them was saved with.
            before, queued = _sign_ins(), _queued_tasks()
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            ContentType.objects.clear_cache()
            try:
                call_command("loaddata", str(fixture), verbosity=0)
            except (DatabaseError, DeserializationError) as error:
                raise BackupError(
                    f"The backup's rows could not be loaded into this database: {error}"
                ) from error
            written = _replace_media(staged, undo)
            return written, _sign_in_warnings(before, _sign_ins(), queued)
    except BaseException:
        undo.put_back()
        raise
    finally:
        ContentType.objects.clear_cache()


def restore(path, *, key_file=None, passphrase=None, accept_unsigned=False, report=print):
    """Replace the newsroom's database and media with the archive's, all or nothing.

    `passphrase` may be a callable, asked only if the archive turns out to need one. Raises
    BackupError, having changed nothing, when the archive cannot or must not be restored.
    """
    if not _applied_migrations():
        raise BackupError(
            "This database has no tables yet. Run `masthead migrate` first (it makes them), then "
            "restore."
        )
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    with raw, tempfile.TemporaryDirectory(prefix="masthead-restore-") as scratch:
        reader, key = _unlock(raw, key_file, passphrase)
        staged = _Staged(folder=Path(scratch))
        if key is None:
            # Signed at its end, with SECRET_KEY: read it once writing nothing, and unpack it only
            # if its signature and hashes hold (a forged archive of a few megabytes can unpack
            # to gigabytes). An encrypted one is authenticated as it is decrypted, chunk by
            # chunk, with the admin's own key, so it is unpacked as it is read.
            survey = _Staged(folder=None)
            _read(reader, survey, scratch)
            _check(survey, None, accept_unsigned)
            sizes = _sizes(survey.manifest) if survey.manifest["format"] == FORMAT else None
            _make_room(survey, scratch)
            raw.seek(0)
            reader = raw
        else:
            sizes = None
        _read(reader, staged, scratch, sizes)
        warnings = _check(staged, key, accept_unsigned)
        if staged.manifest["format"] == 1:
            _order_old_rows(staged)
        media, afterwards = _apply(staged)
    _after_restore()
    manifest = staged.manifest
    for warning in warnings:
        report(warning)
    report(
        f"Restored the backup of {manifest.get('created_at', 'unknown date')} "
        f"({manifest.get('database_vendor', 'unknown database')}): "
        f"{staged.database['bytes']:,} bytes of data and {len(staged.media):,} media files "
        f"({media:,} of them written again)."
    )
    for warning in afterwards:
        report(warning)
    return manifest


def _read(reader, staged, scratch, sizes=None):
    try:
        _stage(reader, staged, sizes)
    except BackupKeyError as error:
        raise BackupError(str(error)) from error
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(
            "This is not a Masthead backup, or it is damaged or cut short "
            f"({error or type(error).__name__})."
        ) from error
    except OSError as error:
        raise BackupError(
            f"Cannot read the backup into {scratch} ({error.strerror or error}): a restore "
            "needs room there for everything the archive holds (set TMPDIR to elsewhere)."
        ) from error


def _gigabytes(size):
    return f"{size / 1e9:,.1f} GB" if size >= 1e8 else f"{size / 1e6:,.1f} MB"


def _make_room(survey, scratch):
    """Refuse at once, rather than part way, a backup the scratch folder has no room for."""
    needed = survey.database["bytes"] + sum(entry["bytes"] for entry in survey.media.values())
    free = shutil.disk_usage(scratch).free
    if needed > free:
        raise BackupError(
            f"A restore first unpacks the backup ({_gigabytes(needed)}) into {scratch}, which "
            f"has {_gigabytes(free)} free. Make room there, or set TMPDIR to a folder with more."
        )


def _after_restore():
    """Rebuild what depends on the rows, and forget what described the rows that were replaced."""
    call_command("update_index", verbosity=0)
    for alias in ("default", "pages"):
        caches[alias].clear()
    routing.forget_root_paths()
    fastpath.LOCAL.clear()
    pagecache.changed(*pagecache.TOPICS)
