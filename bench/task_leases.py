"""What a task's lease costs: the database queue's worker running N small tasks, with the leases
that hand a dead worker's task back (masthead/core/leases.py) and, as the reference measured in
the same run, with the lease signals disconnected (django-tasks' worker as it comes).

    .venv/bin/python bench/task_leases.py                       # 2,000 tasks, SQLite in a temp dir
    .venv/bin/python bench/task_leases.py --tasks 5000 --database postgres://postgres@127.0.0.1:5432/masthead_bench_leases

Prints tasks per second each way, and the cost of a lease per task in milliseconds.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--database", help="a PostgreSQL URL (its database is made anew)")
    parser.add_argument("--rounds", type=int, default=3, help="each way; the best is printed")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="masthead-bench-leases-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite3"
    if args.database:
        base, name = url.rsplit("/", 1)
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="masthead.settings.dev",
        MASTHEAD_VAR_DIR=folder,
        TASKS_BACKEND="database",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django_tasks.signals import task_finished, task_started
    from django_tasks_db.models import DBTaskResult

    from masthead.core import leases
    from masthead.core.models import TaskLease
    from masthead.core.tests import tasks_probe

    call_command("migrate", verbosity=0, interactive=False)

    def run(n):
        DBTaskResult.objects.all().delete()
        for i in range(n):
            tasks_probe.probe.enqueue(f"task {i}")
        started = time.perf_counter()
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name=*", verbosity=0)
        elapsed = time.perf_counter() - started
        assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == n
        return n / elapsed

    def without_leases(n):
        task_started.disconnect(dispatch_uid="masthead:lease:take")
        task_finished.disconnect(dispatch_uid="masthead:lease:release")
        try:
            return run(n)
        finally:
            leases.connect()

    run(min(args.tasks, 200))  # warm up: imports, the first connection, SQLite's cache
    leased = max(run(args.tasks) for _ in range(args.rounds))
    assert not TaskLease.objects.exists(), "every lease is released when its task ends"
    plain = max(without_leases(args.tasks) for _ in range(args.rounds))
    vendor = "PostgreSQL" if args.database else "SQLite"
    print(f"{args.tasks} tasks on the database queue ({vendor}), best of {args.rounds}:")
    print(f"  without leases (django-tasks' worker as it comes): {plain:8.0f} tasks/s")
    print(f"  with leases (a dead worker's task is handed back): {leased:8.0f} tasks/s")
    print(f"  a lease costs {1000 / leased - 1000 / plain:.2f} ms per task")


if __name__ == "__main__":
    main()
