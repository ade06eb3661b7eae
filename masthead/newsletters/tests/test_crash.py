"""The crash drill: 5,000 readers, two real worker processes, killed with SIGKILL at random moments.

Each worker is `manage.py newsroom_worker` on the database task queue, as in production, sending
over SMTP to an aiosmtpd server in this process. After every kill the worker is started again; the
send must finish with every reader having exactly one message as their mailbox sees it.
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Issue
from masthead.newsletters.tests.conftest import free_port
from masthead.newsletters.tests.factories import IssueFactory, NewsletterFactory, confirmed_readers

READERS = 5000
KILLS = 6
ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several worker processes need a shared server database: set DATABASE_URL "
        "to PostgreSQL, as .ci/run does",
    ),
]


class Sink:
    """Records who got which Message-ID; parsing only what the test needs keeps up with the workers."""

    def __init__(self):
        self.received = []  # (recipient, message id)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID: *(\S+)", envelope.content, flags=re.M | re.I)
        message_id = found.group(1).decode() if found else None
        with self.lock:
            self.received.extend((rcpt, message_id) for rcpt in envelope.rcpt_tos)
        return "250 OK"


def start_worker(env, log):
    return subprocess.Popen(
        [sys.executable, "manage.py", "newsroom_worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the kill reaches all of it
    )


def sent_count(issue):
    return Delivery.objects.filter(issue=issue, state=Delivery.State.SENT).count()


def test_killing_workers_at_random_moments_loses_and_duplicates_nothing(tmp_path):
    # given an issue started for 5,000 confirmed readers and nothing sent yet
    rng = random.Random(int(os.environ.get("CRASH_SEED", time.time())))
    newsletter = NewsletterFactory(sender_email="briefing@masthead.example")
    readers = confirmed_readers(newsletter, READERS)
    issue = IssueFactory(newsletter=newsletter)
    assert sending.start_sending(issue)
    # the workers find it as a send whose workers died, as they would after a real crash
    Issue.objects.filter(pk=issue.pk).update(last_progress_at=timezone.now().replace(year=2000))
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.dev",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "NEWSLETTER_CLAIM_LEASE": "2",
        "NEWSLETTER_BATCH_SIZE": "20",
        "SCHEDULER_INTERVAL": "1",
        "MASTHEAD_VAR_DIR": str(tmp_path),
        "SITE_URL": "http://testserver",
    }
    log = open(tmp_path / "workers.log", "w")  # noqa: SIM115 - closed in finally
    workers = [start_worker(env, log) for _ in range(2)]
    kills = 0
    try:
        # when, each time sending is under way, one worker is killed at a random moment
        while kills < KILLS:
            before = sent_count(issue)
            deadline = time.monotonic() + 60
            while sent_count(issue) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            if sent_count(issue) >= READERS:
                break
            time.sleep(rng.uniform(0, 0.6))
            victim = rng.randrange(len(workers))
            os.killpg(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait()
            kills += 1
            workers[victim] = start_worker(env, log)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            issue.refresh_from_db()
            if issue.state == Issue.State.SENT:
                break
            time.sleep(0.25)
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        smtp.stop()
        log.close()

    # then the drill really killed workers mid-send, and the send still finished
    log_text = (tmp_path / "workers.log").read_text()
    assert kills == KILLS, f"the send finished before {KILLS} kills; make it bigger\n{log_text}"
    assert issue.state == Issue.State.SENT, log_text[-3000:]
    assert Delivery.objects.filter(issue=issue).exclude(state=Delivery.State.SENT).count() == 0
    # every reader received the issue, always under their one Message-ID: one message in the mailbox
    ids_by_reader = {}
    for recipient, message_id in sink.received:
        ids_by_reader.setdefault(recipient, set()).add(message_id)
    assert set(ids_by_reader) == {r.email for r in readers}
    assert all(len(ids) == 1 for ids in ids_by_reader.values())
    # and a repeat reached the server only for a message in flight at a kill: at most one per kill
    repeats = len(sink.received) - READERS
    print(f"{kills} kills, {repeats} repeated transmissions, {len(sink.received)} received")
    assert repeats <= kills
