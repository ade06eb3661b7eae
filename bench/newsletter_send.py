"""Newsletter sending speed: one issue to N readers through real workers and a local SMTP sink.

    .venv/bin/python bench/newsletter_send.py                 # 100,000 readers
    .venv/bin/python bench/newsletter_send.py --readers 1000000

Needs PostgreSQL (several workers share it); uses its own database, masthead_bench_send, by default.
Prints: the time to write the delivery rows, messages per second with 1 and 2 worker processes
(each `manage.py newsroom_worker` on the database task queue), the rate of a bare smtplib loop
sending the same message to the same sink (the ceiling the sink allows), and the audience count
time (the kept count beside counting the rows).
"""

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def prepare_database(url, env):
    name = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/masthead_bench_send"
    )
    args = parser.parse_args()

    sink_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.dev",
        "DATABASE_URL": args.database_url,
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "NEWSLETTER_BATCH_SIZE": "100",
        "MASTHEAD_VAR_DIR": "/tmp/masthead-bench-var",
        "TASKS_LOG_LEVEL": "ERROR",
        "LOG_LEVEL": "ERROR",
    }
    print(f"Preparing {args.database_url} ...", flush=True)
    prepare_database(args.database_url, env)
    os.environ.update(env)

    import django

    django.setup()
    from django.utils import timezone

    from masthead.newsletters import sending, services
    from masthead.newsletters.models import Issue, Newsletter, Subscriber, Subscription
    from masthead.newsletters.tests.factories import IssueFactory

    newsletter = Newsletter.objects.create(
        name="The Daily Briefing",
        slug="daily",
        description="Bench",
        sender_name="Masthead",
        sender_email="briefing@masthead.example",
        reply_to="editors@masthead.example",
    )
    print(f"Seeding {args.readers:,} confirmed readers ...", flush=True)
    now = timezone.now()
    for start in range(0, args.readers, 20_000):
        stop = min(start + 20_000, args.readers)
        people = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.org", name=f"Reader {n}")
            for n in range(start, stop)
        )
        Subscription.objects.bulk_create(
            Subscription(subscriber=p, newsletter=newsletter, state="confirmed", confirmed_at=now)
            for p in people
        )
    services.recount_audiences()

    # Audience count: the kept number against counting the rows.
    started = time.perf_counter()
    kept = Newsletter.objects.get(pk=newsletter.pk).audience_count
    kept_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    counted = services.audience(newsletter).count()
    counted_ms = (time.perf_counter() - started) * 1000
    assert kept == counted == args.readers

    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{sink_port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        cwd=ROOT,
    )
    wait_for_port(sink_port)
    results = {}
    try:
        for workers in (1, 2):
            issue = IssueFactory(newsletter=newsletter, subject=f"Bench with {workers}")
            procs = [
                subprocess.Popen(
                    [sys.executable, "manage.py", "newsroom_worker"],
                    cwd=ROOT,
                    env={**env, "NEWSLETTER_PARALLEL_SENDERS": str(workers)},
                )
                for _ in range(workers)
            ]
            time.sleep(4)  # let the workers boot: we time sending, not Python imports
            started = time.perf_counter()
            os.environ["NEWSLETTER_PARALLEL_SENDERS"] = str(workers)
            from django.conf import settings

            settings.NEWSLETTER_PARALLEL_SENDERS = workers
            sending.send_now(issue)
            rows_s = time.perf_counter() - started
            while Issue.objects.get(pk=issue.pk).state != Issue.State.SENT:
                time.sleep(0.2)
            total = time.perf_counter() - started
            for proc in procs:
                proc.terminate()
                proc.wait()
            issue.refresh_from_db()
            results[workers] = (rows_s, total, sending.progress(issue)["sent"])

        # The ceiling: a bare smtplib loop over one connection, same message, same sink.
        issue = Issue.objects.get(subject="Bench with 1")
        message = (
            sending._build_message(
                issue,
                to="reader0@example.org",
                html=issue.html,
                text=issue.text,
                message_id="<bench@masthead.example>",
                unsubscribe_url="https://masthead.example/u/",
            )
            .message()
            .as_bytes(linesep="\r\n")
        )
        smtp = smtplib.SMTP("127.0.0.1", sink_port)
        started = time.perf_counter()
        for n in range(args.readers):
            smtp.sendmail("briefing@masthead.example", [f"reader{n}@example.org"], message)
        bare = time.perf_counter() - started
        smtp.quit()
    finally:
        sink.terminate()
        sink.wait()

    print()
    print(f"Readers: {args.readers:,}; message size {len(message):,} bytes")
    print(f"Audience count: kept {kept_ms:.2f} ms, counting rows {counted_ms:.1f} ms")
    for workers, (rows_s, total, sent) in results.items():
        print(
            f"{workers} worker(s): {sent:,} sent in {total:.1f} s = {sent / total:,.0f} msg/s "
            f"(delivery rows written in {rows_s:.2f} s)"
        )
    print(f"bare smtplib loop: {args.readers / bare:,.0f} msg/s ({bare:.1f} s)")


if __name__ == "__main__":
    main()
