"""Failure drills: the site keeps serving and loses nothing when Redis or PostgreSQL goes away.

(SMTP down during a send: newsletters/tests/test_sending.py::test_a_mail_server_that_is_down_loses_nothing.)
"""

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import django_rq
import psycopg
import pytest
import redis
from django.core import mail
from django.core.cache import caches
from django.db import connection, connections
from django_tasks_rq import Job
from rq import SimpleWorker

from masthead.core import cache as masthead_cache
from masthead.core import pagecache, queue
from masthead.core.models import HeldTask
from masthead.newsletters.models import Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of our own, on its own port, that a drill may stop and start again."""

    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.mark.django_db
def test_with_redis_down_the_site_serves_and_sign_ups_lose_nothing(own_redis, settings, newsroom):
    # given the production setup: caches, page cache and task queue all on Redis
    settings.CACHES = {
        alias: {
            "BACKEND": "masthead.core.cache.RedisCache",
            "LOCATION": own_redis.url + "/0",
            "KEY_PREFIX": alias,
        }  # fmt: skip
        for alias in ("default", "pages")
    }
    settings.RQ_QUEUES = {"default": {"URL": own_redis.url + "/1"}}
    settings.TASKS = {
        "default": {"BACKEND": "masthead.core.queue.RQBackend", "QUEUES": ["default"]}
    }
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].set_many({f"pagecache:topic:{t}": 0 for t in pagecache.TOPICS}, None)
    NewsletterFactory(name="The Daily Briefing", subscribe_by_default=True)
    from django.test import Client

    reader = Client()
    assert reader.get("/")["X-Cache"] == "MISS"
    assert reader.get("/")["X-Cache"] == "HIT"

    # when Redis goes down
    own_redis.stop()

    # then pages are still served, rendered afresh
    started = time.monotonic()
    home = reader.get("/")
    assert home.status_code == 200
    assert "Skip to content" in home.content.decode()
    assert time.monotonic() - started < 5  # no waiting out a timeout per cache call
    # and a sign-up is accepted and stored, though its confirmation could not be queued
    signed = reader.post(
        "/newsletters/", {"email": "during-outage@example.org"}, HTTP_ORIGIN="http://testserver"
    )
    assert signed.status_code in (200, 302)
    subscriber = Subscriber.objects.get(email="during-outage@example.org")
    assert subscriber.subscriptions.get().state == Subscription.State.PENDING
    assert mail.outbox == []

    # the confirmation waits in the database
    held = HeldTask.objects.get(task_path="masthead.newsletters.tasks.send_confirmation")
    assert held.args == [subscriber.pk]

    # when Redis is back, the worker's round queues what was held, once, and a worker sends it
    own_redis.start()
    assert queue.release_held() >= 1
    assert queue.release_held() == 0
    assert not HeldTask.objects.exists()
    rq_queue = django_rq.get_queue("default", job_class=Job)
    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)  # no fork
    worker.work(burst=True)
    assert rq_queue.count == 0
    assert [m.to for m in mail.outbox] == [["during-outage@example.org"]]
    # and the page cache works again once the pause after the failure is over (the restarted
    # Redis lost the topic times, so pages rendered from now on are the ones trusted)
    time.sleep(masthead_cache.DOWN_FOR + 0.1)
    answers = []
    for _ in range(5):
        answers.append(reader.get("/")["X-Cache"])
        time.sleep(pagecache.CLOCK_SKEW + 0.05)
    assert answers[-1] == "HIT", answers


def _get(application, path):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "localhost"}
    environ["wsgi.input"] = io.BytesIO(b"")
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"] = int(status.split()[0])

    result = application(environ, start_response)
    b"".join(result)
    result.close()  # request_finished: Django tidies its connections, as under a real server
    return answered["status"]


@pytest.mark.django_db(transaction=True)
def test_postgresql_dropping_every_connection_under_traffic_needs_no_restart(newsroom):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL drill (CI runs the suite on PostgreSQL)")
    from django.core.handlers.wsgi import WSGIHandler

    newsroom.article(title="Still here after the restart")
    application = WSGIHandler()
    statuses = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                statuses.append(_get(application, "/"))
        finally:
            connections.close_all()  # this thread's own, so the test database can be dropped

    def served(count, timeout=30):
        """Wait until the readers have had `count` more answers (a loaded machine is slow)."""
        target, deadline = len(statuses) + count, time.monotonic() + timeout
        while len(statuses) < target and time.monotonic() < deadline:
            time.sleep(0.05)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        # what a PostgreSQL restart does to every client: its connections are cut
        settings_dict = connection.settings_dict
        with psycopg.connect(
            host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"], dbname=settings_dict["NAME"], autocommit=True,
        ) as admin:  # fmt: skip
            for _ in range(5):
                served(5)
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        served(4)  # requests already under way when the last cut came may fail
        during = len(statuses)
        served(20)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        connection.close()  # this test's own connection was cut too
    after = statuses[during:]
    # the readers kept being served while connections were cut, and every request after is served
    assert statuses.count(200) > 20
    assert after and set(after) == {200}, f"after the drill: {set(after)}"


class PostgresServer:
    """A PostgreSQL server of our own (Debian's binaries, run as the postgres user), to restart."""

    def __init__(self):
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        # Under /tmp itself: the postgres user cannot reach into pytest's private folders.
        self.folder = folder = Path(tempfile.mkdtemp(prefix="masthead-drill-pg-"))
        self.port = _free_port()
        shutil.chown(folder, "postgres")
        self._as_postgres("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                          "--no-sync")  # fmt: skip

    def _as_postgres(self, program, *args):
        return subprocess.run(  # noqa: S603 - Debian's PostgreSQL programs
            ["runuser", "-u", "postgres", "--", str(self.bin / program), *args],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def _ctl(self, *args):
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")  # fmt: skip
        return self._as_postgres("pg_ctl", "-D", str(self.folder / "data"), "-o", options,
                                 "-l", str(self.folder / "log"), "-w", *args)  # fmt: skip

    def start(self):
        self._ctl("start")

    def restart(self):
        self._ctl("restart", "-m", "fast")

    def stop(self):
        self._ctl("stop", "-m", "immediate")


@pytest.fixture
def own_postgres():
    if shutil.which("runuser") is None or not list(
        Path("/usr/lib/postgresql").glob("*/bin/initdb")
    ):
        pytest.skip("Debian's PostgreSQL server programs are not installed")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


def test_a_postgresql_restart_under_traffic_needs_no_app_restart(own_postgres, tmp_path):
    """The site in the production profile, on a PostgreSQL server that restarts while readers read:
    cached pages keep being served through the restart, and everything works again after it
    without touching the web processes."""
    root = Path(__file__).resolve().parents[3]
    database_url = f"postgres://postgres@127.0.0.1:{own_postgres.port}/postgres"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "drill-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "MASTHEAD_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "CRITICAL",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # mails no one
    }
    env.pop("REDIS_URL", None)
    for args in (["migrate", "-v0"], ["seed", "--articles=3", "--feed-items=5", "--days=1", "--no-narration"],
                 ["collectstatic", "--noinput", "-v0"]):  # fmt: skip
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=root, env=env, check=True,
            capture_output=True,
        )  # fmt: skip
    port = _free_port()
    web = subprocess.Popen(  # noqa: S603 - our own server
        [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi",
         "masthead.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--blocking-threads", "4", "--log-level", "error"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        home = _wait_for(base + "/")
        article = re.search(r'href="(/news/[^"]+/)"', home).group(1)
        _status(base + "/")  # kept in the page cache now

        statuses = {"cached": [], "uncached": []}
        stop = threading.Event()

        def read():
            n = 0
            while not stop.is_set():
                n += 1
                statuses["cached"].append(_status(base + "/"))
                statuses["uncached"].append(_status(f"{base}{article}?drill={n}"))

        reader = threading.Thread(target=read)
        reader.start()
        time.sleep(0.5)
        restart_started = len(statuses["uncached"])
        own_postgres.restart()
        restart_done = len(statuses["uncached"])
        time.sleep(2)
        stop.set()
        reader.join(timeout=30)
    finally:
        web.terminate()
        web.wait(timeout=10)

    # cached pages never stopped answering, even while the database was down
    assert set(statuses["cached"]) == {200}, Counter(statuses["cached"])
    # pages that needed the database work again once it is back, in the same web process
    before = statuses["uncached"][:restart_started]
    after = statuses["uncached"][restart_done + 5 :]
    assert before and set(before) == {200}
    assert after and set(after) == {200}, Counter(statuses["uncached"][restart_done:])


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return "no answer"


def _wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
