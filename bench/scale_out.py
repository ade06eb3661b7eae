"""Scale-out, shown running: two web processes and two workers sharing one PostgreSQL and one Redis.

    .venv/bin/python bench/scale_out.py [--readers 2000]      (make scale-out)

Starts the production profile twice (granian, one process each, on two ports) and two workers
(`masthead worker` on the Redis task queue), all against a fresh PostgreSQL database
(masthead_scale) and one Redis database, with mail going to a local SMTP server run here. Then:

1. both web processes serve the same site;
2. readers sign up on either port and each gets exactly one confirmation e-mail, from either worker;
3. a feed item posted from a third process shows on both ports' cached home pages within a second;
4. a newsletter issue goes to every reader exactly once, the two workers sharing the sending;
5. with one web process and one worker stopped, the other pair still serves and still confirms.

Prints what it saw; exits non-zero when any step fails. tests/scale/test_scale_out.py runs it too.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.site_speed import fetch, free_port, wait_for  # noqa: E402


class Mailbox:
    """A real SMTP server (aiosmtpd) that counts what each address received."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.lock = threading.Lock()
        self.received = Counter()
        self.subjects = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        subject = re.search(rb"^Subject: (.*)$", envelope.content, re.MULTILINE)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[(address, subject.group(1).decode() if subject else "")] += 1
                self.subjects[subject.group(1).decode() if subject else ""] += 1
        return "250 OK"

    def count(self, subject_part):
        with self.lock:
            return {a: n for (a, s), n in self.received.items() if subject_part in s}


def environment(var_dir, mail_port, database, redis_db):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings.production",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        TASKS_BACKEND="rq",
        SECRET_KEY="scale-out-demo-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        SERVE_MEDIA="1",
        MASTHEAD_VAR_DIR=str(var_dir),
        EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
        SCHEDULER_INTERVAL="2",
        LOG_LEVEL="ERROR",
        TASKS_LOG_LEVEL="ERROR",
    )
    return env


POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def prepare(env, database, redis_db):
    subprocess.run(
        ["psql", POSTGRES, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=True
    )
    subprocess.run(["psql", POSTGRES, "-qc", f"CREATE DATABASE {database}"], check=True)
    subprocess.run(["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True)
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "-v0"], ["seed", "--articles=12", "--feed-items=10", "--days=2", "--no-narration"],
                 ["collectstatic", "--noinput", "-v0"]):  # fmt: skip
        subprocess.run([*manage, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def start(env, *command, log):
    return subprocess.Popen(  # noqa: S603 - our own programs
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def web(env, port, log):
    granian = str(Path(sys.executable).parent / "granian")
    return start(env, granian, "--interface", "wsgi", "masthead.wsgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                 "--blocking-threads", "4", "--log-level", "warning", log=log)  # fmt: skip


def worker(env, log):
    return start(env, sys.executable, "-m", "masthead.cli", "worker", log=log)


def sign_up(base, address):
    data = urllib.parse.urlencode({"email": address}).encode()
    request = urllib.request.Request(  # noqa: S310 - local
        base + "/newsletters/", data=data, headers={"Origin": base}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
        return response.status


def until(check, timeout, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    return check()


def workers_that_ran(function_name):
    """RQ's record of which worker finished each job of this task."""
    from django_rq import get_queue
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    queue = get_queue("default")
    names = Counter()
    for job_id in FinishedJobRegistry(queue=queue).get_job_ids():
        job = Job.fetch(job_id, connection=queue.connection)
        if function_name in repr(job.args) + repr(job.kwargs) + (job.func_name or ""):
            names[job.worker_name] += 1
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=2000)
    parser.add_argument("--database", default="masthead_scale")
    parser.add_argument("--redis-db", type=int, default=7)
    args = parser.parse_args(argv)
    mailbox = Mailbox()
    mailbox.controller.start()
    var_dir = Path(tempfile.mkdtemp(prefix="masthead-scale-"))
    env = environment(var_dir, mailbox.port, args.database, args.redis_db)
    print(f"Preparing {args.database} and Redis database {args.redis_db} ...", flush=True)
    prepare(env, args.database, args.redis_db)
    os.environ.update(env)
    import django

    django.setup()

    log = open(var_dir / "processes.log", "w")  # noqa: SIM115 - open for the whole run
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    webs = [web(env, port, log) for port in ports]
    workers = [worker(env, log), worker(env, log)]
    failures = []

    def check(ok, what):
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            failures.append(what)

    try:
        for base in bases:
            wait_for(base + "/")
        print(f"Two web processes on ports {ports[0]} and {ports[1]}, two workers "
              f"(pids {workers[0].pid}, {workers[1].pid}), one PostgreSQL, one Redis.")  # fmt: skip

        # 1. The same site from either process.
        homes = [fetch(base + "/")[0].decode() for base in bases]
        titles = [re.search(r"<h1[^>]*>(.*?)</h1>", h, re.S) for h in homes]
        check(all(titles) and titles[0].group(1) == titles[1].group(1), "both ports serve the site")

        # 2. Sign-ups on either port; confirmations from either worker, one each.
        addresses = [f"reader{n}@example.org" for n in range(10)]
        for n, address in enumerate(addresses):
            sign_up(bases[n % 2], address)
        confirmations = until(
            lambda: len(mailbox.count("onfirm")) >= len(addresses) and mailbox.count("onfirm"), 60
        )
        check(
            confirmations and sorted(confirmations) == addresses,
            f"10 sign-ups over both ports: {len(confirmations or {})} readers got a confirmation",
        )
        check(
            confirmations and set(confirmations.values()) == {1},
            "each reader got exactly one confirmation",
        )
        ran = workers_that_ran("send_confirmation")
        print(f"       confirmations sent by workers: {dict(ran)}")

        # 3. A feed item posted elsewhere shows on both ports' cached home pages.
        for base in bases:
            fetch(base + "/")
        from masthead.feed import services as feed

        text = f"Scale-out check {time.time():.0f}: power restored in the district."
        posted = time.monotonic()
        feed.post_item(text=text)
        seen = {}
        for base in bases:
            if until(lambda base=base: text in fetch(base + "/")[0].decode(), 5, every=0.02):
                seen[base] = time.monotonic() - posted
        check(len(seen) == 2, "a feed item posted from a third process shows on both ports")
        print("       visible after: " + ", ".join(f"{s:.2f} s" for s in seen.values()))

        # 4. A newsletter issue to every reader, exactly once, shared by both workers.
        sent = send_issue(args.readers)
        audience = sent["audience"]  # the readers added here and the demo's own
        until(lambda: len(mailbox.count(sent["subject"])) >= audience, 120)
        elapsed = time.monotonic() - sent["started"]
        time.sleep(1)  # time for any duplicate to arrive
        counts = mailbox.count(sent["subject"])
        check(
            audience >= args.readers and len(counts) == audience and set(counts.values()) == {1},
            f"an issue reached {len(counts):,} of {audience:,} readers, "
            f"{max(counts.values(), default=0)} copy at most, in {elapsed:.1f} s",
        )
        shares = workers_that_ran("deliver_issue")
        check(len(shares) == 2, f"both workers sent: {dict(shares)}")

        # 5. One web process and one worker gone: the others carry on.
        stop(webs[0])
        stop(workers[0])
        check(b"<html" in fetch(bases[1] + "/")[0], "with one web process stopped the other serves")
        sign_up(bases[1], "late@example.org")
        late = until(lambda: mailbox.count("onfirm").get("late@example.org"), 60)
        check(late == 1, "with one worker stopped the other still sends confirmations")
    finally:
        for process in webs + workers:
            stop(process)
        mailbox.controller.stop()
        log.close()
        from django.db import connections

        connections.close_all()
        subprocess.run(["psql", POSTGRES, "-qc", f"DROP DATABASE IF EXISTS {args.database}"])
        subprocess.run(["redis-cli", "-n", str(args.redis_db), "FLUSHDB"], capture_output=True)
    if failures:
        print(f"{len(failures)} step(s) failed; process output in {var_dir / 'processes.log'}")
        return 1
    print("Scale-out works: every step passed.")
    return 0


def send_issue(readers):
    from django.utils import timezone

    from masthead.newsletters import sending, services
    from masthead.newsletters.models import Newsletter, Subscriber, Subscription
    from masthead.newsletters.tests.factories import IssueFactory

    newsletter = Newsletter.objects.order_by("pk").first()
    now = timezone.now()
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"member{n}@example.org") for n in range(readers)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=p, newsletter=newsletter, state="confirmed", confirmed_at=now)
        for p in people
    )
    services.recount_audiences()
    subject = f"Scale-out issue {time.time():.0f}"
    issue = IssueFactory(newsletter=newsletter, subject=subject)
    started = time.monotonic()
    audience = sending.send_now(issue)
    return {"subject": subject, "started": started, "audience": audience}


if __name__ == "__main__":
    sys.exit(main())
