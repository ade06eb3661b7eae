"""Restore drills: `masthead backup` and `masthead restore` as the separate processes an admin runs,
into the same database, into an empty freshly migrated one, and from SQLite into PostgreSQL; then the
site, started afresh, serves the restored story and its picture over HTTP.

One `migrate` per database engine for the whole module: the SQLite one is copied for every site that
needs a freshly migrated database, and no test process's content-type cache is ever involved.
"""

import io
import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from masthead.core import backup_keys

ROOT = Path(__file__).resolve().parents[3]
HEADLINE = "Kept in the backup"
# Variables of the surrounding shell that would point a drill's processes at another database.
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "MEDIA_ROOT",
    "MASTHEAD_VAR_DIR",
    "SECRET_KEY",
    "BACKUP_KEY_FILE",
    "TASKS_BACKEND",
    "SITE_URL",
    "STATIC_ROOT",
}


def build_site():
    """Write a small newsroom into the configured database (run by `masthead shell` in a drill)."""
    from masthead.content.tests.factories import ArticlePageFactory
    from masthead.images.tests.factories import NewsImageFactory
    from masthead.members.models import Member
    from masthead.newsletters.models import Subscriber, Subscription
    from masthead.newsletters.tests.factories import NewsletterFactory
    from tests.fixtures import make_newsroom

    room = make_newsroom()
    image = NewsImageFactory(description="Rescue workers at dusk", credit="Iryna Moroz")
    article = ArticlePageFactory(
        parent=room.news,
        section=room.sections[0],
        authors=[room.authors[0]],
        title=HEADLINE,
        slug="kept-in-the-backup",
        hero_image=image,
        tags=["energy"],
    )
    daily = NewsletterFactory(name="The Daily Briefing")
    reader = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(subscriber=reader, newsletter=daily, state="confirmed")
    Member.objects.create(email="member@example.org", is_active=True)
    print(json.dumps({"article": article.url, "image": image.file.name}))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """One newsroom's processes: its database, its var/ folder (media, backups) and its SECRET_KEY."""

    def __init__(self, folder, database_url, secret_key="drill-secret-key-" + "k" * 32):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="masthead.settings.dev",
            MASTHEAD_VAR_DIR=str(self.folder),
            DATABASE_URL=database_url,
            SECRET_KEY=secret_key,
        )

    @property
    def media(self):
        return self.folder / "media"

    def masthead(self, *args, check=True, umask=None, largest_file=None):
        """Run `masthead ARGS` as its own process; return what it printed. `largest_file` (bytes)
        is the most it may write to any one file, as a full disk would have it."""

        def limits():
            if umask is not None:
                os.umask(umask)
            if largest_file is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (largest_file, largest_file))

        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "masthead.cli", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=limits,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"masthead {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    @contextmanager
    def served(self):
        """Start the site (Django's server, as `masthead run` does) and yield its address."""
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "masthead.cli",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(url + "/robots.txt", timeout=5).close()  # noqa: S310
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError("the restored site did not start") from None
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)

    def rows(self, query):
        """Read the site's database directly (neither Django nor its caches in between)."""
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as db:
                return db.execute(query).fetchall()
        with psycopg.connect(self.database_url) as db:
            return db.execute(query).fetchall()


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
        return response.status, response.read()


def _assert_serves_the_story(site, story):
    """The site, started after the restore, serves the article and its picture from the backup."""
    with site.served() as url:
        status, body = _get(url + story["article"])
        assert status == 200
        page = body.decode()
        assert HEADLINE in page
        assert "Rescue workers at dusk" in page  # the hero image's alt text
        picture = page.split('src="/media/', 1)[1].split('"', 1)[0]
        status, picture_bytes = _get(f"{url}/media/{picture}")
        assert status == 200
        assert picture_bytes == (site.media / picture).read_bytes()
        status, body = _get(url + "/search/?q=kept")
        assert HEADLINE in body.decode()  # the search index was rebuilt for the restored rows
    assert (site.media / story["image"]).read_bytes() == story["image_bytes"]
    assert site.rows("select email from newsletters_subscriber order by email") == [
        ("reader@example.org",)
    ]
    assert site.rows("select state from newsletters_subscription") == [("confirmed",)]
    assert site.rows("select email from members_member") == [("member@example.org",)]


@pytest.fixture(scope="module")
def drills(tmp_path_factory):
    return tmp_path_factory.mktemp("backup-drills")


@pytest.fixture(scope="module")
def migrated_sqlite(drills):
    """A freshly migrated SQLite database, made once by `masthead migrate`, copied for each use."""
    template = Site(drills / "template", f"sqlite:///{drills / 'template' / 'db.sqlite3'}")
    template.masthead("migrate", "--verbosity", "0")
    return drills / "template" / "db.sqlite3"


def _fresh_sqlite_site(folder, migrated):
    site = Site(folder, f"sqlite:///{folder / 'db.sqlite3'}")
    shutil.copyfile(migrated, folder / "db.sqlite3")
    return site


@pytest.fixture(scope="module")
def source(drills, migrated_sqlite):
    """The newsroom every drill backs up: a SQLite site with a story, a picture, a reader, a member."""
    site = _fresh_sqlite_site(drills / "source", migrated_sqlite)
    built = site.masthead(
        "shell",
        "-c",
        "from masthead.core.tests.test_backup_processes import build_site; build_site()",
    )
    story = json.loads(built.stdout.strip().splitlines()[-1])
    story["image_bytes"] = (site.media / story["image"]).read_bytes()
    return site, story


def _copy_of(site, folder):
    """Another newsroom holding exactly what `site` holds (its database file and var/ folder)."""
    shutil.copytree(site.folder, folder)
    return Site(folder, f"sqlite:///{folder / 'db.sqlite3'}")


@pytest.fixture(scope="module")
def key_file(drills):
    path = drills / "backup.key"
    backup_keys.new_key_file(path)
    return path


@pytest.fixture(scope="module")
def encrypted_archive(source, key_file):
    """The newsroom backed up by `masthead backup` with BACKUP_KEY_FILE set."""
    site = source[0]
    site.env["BACKUP_KEY_FILE"] = str(key_file)
    try:
        printed = site.masthead("backup").stdout
    finally:
        del site.env["BACKUP_KEY_FILE"]
    (archive,) = (site.folder / "backups").iterdir()
    assert f"to {archive}, encrypted with the backup key" in printed
    return archive


def _fingerprint(site):
    """Everything a restore could change: the database file and every media file."""
    files = [site.folder / "db.sqlite3", *sorted(p for p in site.media.rglob("*") if p.is_file())]
    return {str(p.relative_to(site.folder)): p.read_bytes() for p in files}


def test_a_restore_into_the_same_database_brings_back_what_changed_since(source, drills):
    """Backed up, then a story deleted, a reader added and the picture lost: restored by its own
    process, the site serves the story and its picture again, and the reader who came later is gone."""
    # given a newsroom, backed up by `masthead backup` with a umask that would let anyone read
    site = _copy_of(source[0], drills / "same")
    story = source[1]
    printed = site.masthead("backup", umask=0o000)
    (archive,) = (site.folder / "backups").iterdir()
    assert f"to {archive}." in printed.stdout
    assert "This backup is not encrypted" in printed.stderr
    assert archive.name.endswith(".tar.gz")
    assert (site.folder / "backups").stat().st_mode & 0o777 == 0o700
    assert archive.stat().st_mode & 0o777 == 0o600
    # then things change: the story is deleted, a reader arrives, the picture's file is lost
    site.masthead(
        "shell",
        "-c",
        "from masthead.content.models import ArticlePage; "
        "from masthead.newsletters.models import Subscriber; "
        f"ArticlePage.objects.get(title={HEADLINE!r}).delete(); "
        "Subscriber.objects.create(email='after@example.org')",
    )
    (site.media / story["image"]).unlink()

    # when
    restored = site.masthead("restore", str(archive), "--yes")

    # then
    assert "Restored the backup of" in restored.stdout
    _assert_serves_the_story(site, story)


def test_an_encrypted_backup_restores_into_an_empty_freshly_migrated_database(
    source, drills, migrated_sqlite, key_file, encrypted_archive
):
    """An encrypted backup (no reader's address readable in it, readable by its owner only) is
    restored by a new server holding only the key file and a freshly migrated database, whatever
    its own SECRET_KEY."""
    # given an encrypted backup
    assert encrypted_archive.name.endswith(".tar.gz.enc")
    assert encrypted_archive.stat().st_mode & 0o777 == 0o600
    contents = encrypted_archive.read_bytes()
    assert b"reader@example.org" not in contents
    assert HEADLINE.encode() not in contents
    # and a new server: a freshly migrated database, no media, another SECRET_KEY
    new = _fresh_sqlite_site(drills / "new-server", migrated_sqlite)
    new.env["SECRET_KEY"] = "the-new-servers-own-secret-key-" + "n" * 32
    assert not new.media.exists()

    # when
    new.masthead("restore", str(encrypted_archive), "--yes", "--key-file", str(key_file))

    # then
    _assert_serves_the_story(new, source[1])


@pytest.fixture
def postgres_database():
    """An empty PostgreSQL database of this drill's own, dropped afterwards."""
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if server.scheme not in ("postgres", "postgresql"):
        server = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
    admin_url = server._replace(path="/postgres").geturl()
    name = f"masthead_backup_restore_{os.getpid()}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not running")
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield server._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_sqlite_backup_restores_into_postgresql(
    source, drills, postgres_database, key_file, encrypted_archive
):
    """The embedded default's backup moves the newsroom onto PostgreSQL: every row, the picture,
    the page ids Wagtail links by, sequences past the restored ids, and a search index rebuilt
    for PostgreSQL."""
    # given an empty PostgreSQL database, which a restore refuses until it is migrated
    target = Site(drills / "postgresql", postgres_database)
    refused = target.masthead("restore", str(encrypted_archive), "--yes", check=False)
    assert refused.returncode == 1
    assert "Run `masthead migrate` first" in refused.stderr
    target.masthead("migrate", "--verbosity", "0")

    # when
    target.masthead("restore", str(encrypted_archive), "--yes", "--key-file", str(key_file))

    # then
    _assert_serves_the_story(target, source[1])
    page_ids = "select id, url_path from wagtailcore_page order by id"
    assert target.rows(page_ids) == source[0].rows(page_ids)
    (highest,) = target.rows("select max(id) from newsletters_subscriber")[0]
    (next_id,) = target.rows(
        "select nextval(pg_get_serial_sequence('newsletters_subscriber', 'id'))"
    )[0]
    assert next_id > highest


def test_a_wrong_key_or_a_damaged_file_changes_nothing_and_says_why(
    source, drills, key_file, encrypted_archive
):
    """Refused restores, as processes: each exits with an error naming the reason, and not a byte
    of the newsroom's database or media changes."""
    # given a newsroom, another key, and a copy of its backup with one bit flipped
    site = _copy_of(source[0], drills / "refusing")
    before = _fingerprint(site)
    other_key = drills / "other.key"
    backup_keys.new_key_file(other_key)
    damaged = drills / "damaged.tar.gz.enc"
    contents = bytearray(encrypted_archive.read_bytes())
    contents[len(backup_keys.MAGIC) + 1000] ^= 0x01  # inside the first of its chunks
    damaged.write_bytes(bytes(contents))

    # when / then
    refusals = {
        (str(encrypted_archive), "--yes"): "Give its key file with --key-file FILE",
        (str(encrypted_archive), "--yes", "--key-file", str(other_key)): "holds another key",
        (str(damaged), "--yes", "--key-file", str(key_file)): "The backup is damaged",
    }
    for args, reason in refusals.items():
        refused = site.masthead("restore", *args, check=False)
        assert refused.returncode == 1
        assert reason in refused.stderr
        assert "Nothing was changed." in refused.stderr
        assert "Traceback" not in refused.stderr
    assert _fingerprint(site) == before


def test_a_forged_archive_is_refused_before_any_of_it_is_unpacked(source, drills):
    """An unencrypted archive is signed at its end. A forged one of a few hundred kilobytes that
    unpacks to 200 MB is refused for its signature having written nothing: the restore runs
    allowed no file over 16 MB, as on a nearly full disk, and says only that it is forged."""
    # given a newsroom, and an archive with a 200 MB database and a manifest signed by no one
    site = _copy_of(source[0], drills / "forged")
    before = _fingerprint(site)
    forged = drills / "forged.tar.gz"
    database = b"[" + b" " * 200_000_000 + b"]"
    manifest = json.dumps(
        {
            "format": 2,
            "database": {"sha256": "0" * 64, "bytes": len(database)},
            "media": {},
            "migrations": [],
        }
    ).encode()
    with tarfile.open(forged, "w:gz", compresslevel=1) as archive:
        for name, data in [
            ("database.json", database),
            ("manifest.json", manifest),
            ("manifest.sig", b"0" * 64),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    assert forged.stat().st_size < 2_000_000

    # when
    refused = site.masthead("restore", str(forged), "--yes", check=False, largest_file=16_000_000)

    # then
    assert refused.returncode == 1
    assert "does not match this server's SECRET_KEY" in refused.stderr
    assert "Nothing was changed." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _fingerprint(site) == before
