"""Run background tasks, publish pages, start newsletter issues and deliver gifts when due.

A worker killed mid-task loses nothing: its lease keeper's leases run out and any other (or the
next) worker hands its tasks back to the queue (masthead/core/leases.py).

Scheduled publishing and sending need no cron: a thread calls Wagtail's `publish_scheduled` every
SCHEDULER_INTERVAL seconds while the task worker runs in the main thread (it owns the signals).
"""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from masthead.core import leases

logger = logging.getLogger("masthead.worker")


def publish_due_pages():
    """Publish scheduled pages and unpublish expired ones; safe to run any number of times."""
    call_command("publish_scheduled", verbosity=0)


def send_due_newsletters():
    """Start scheduled newsletter issues and resume sends whose workers died."""
    from masthead.newsletters import sending

    sending.start_due_issues()
    sending.resume_stalled()


def keep_memberships():
    """Deliver gifts whose day has come and end memberships whose time is up."""
    from masthead.members import services

    services.deliver_due_gifts()
    services.expire_memberships()


_clock = {"last": None}


def follow_the_clock():
    """Tell cached pages about what the clock alone made visible: embargoed feed items, and
    campaigns that started or ended since the last round."""
    from django.utils import timezone

    from masthead.core.pagecache import changed
    from masthead.feed.services import items_due_between
    from masthead.members.services import (
        campaigns_turning_between,
        progress_changed,
        show_waiting_progress,
    )

    now = timezone.now()
    since = _clock["last"] or now - timezone.timedelta(seconds=settings.MASTHEAD_SCHEDULER_INTERVAL)
    if items_due_between(since, now):
        changed("feed")
    if campaigns_turning_between(since, now):
        progress_changed()
    show_waiting_progress()
    _clock["last"] = now


def release_held_tasks():
    """Queue the tasks held in the database while Redis was down (Redis task queue only)."""
    if settings.TASKS["default"]["BACKEND"].endswith("RQBackend"):
        from masthead.core.queue import release_held

        release_held()


def run_due_work():
    for job in (
        release_held_tasks,
        publish_due_pages,
        send_due_newsletters,
        keep_memberships,
        follow_the_clock,
    ):
        try:
            job()
        except Exception:
            logger.exception("%s failed; trying again next round", job.__name__)


def claim_round(interval):
    """With several workers (scale-out), one of them runs each round: the first to claim it in the
    shared cache. The claim lasts almost the whole interval, so the others skip this round."""
    from django.core.cache import cache

    try:
        return cache.add("masthead:scheduler:round", 1, timeout=max(1, int(interval) - 1))
    except Exception:
        # Every job is safe to run twice; skipping rounds while the cache is down is not.
        logger.warning("could not claim the scheduler round; running it anyway", exc_info=True)
        return True


class Scheduler(threading.Thread):
    def __init__(self, interval):
        super().__init__(name="masthead-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            # A long-lived thread must drop connections the database closed meanwhile.
            close_old_connections()
            try:
                if claim_round(self.interval):
                    run_due_work()
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)


class Command(BaseCommand):
    help = "Run the background worker: queued tasks plus scheduled publishing."

    def add_arguments(self, parser):
        parser.add_argument("--no-scheduler", action="store_true", help="Only run queued tasks.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Publish what is due and run queued tasks, then exit.",
        )

    def handle(self, *args, **options):
        if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks.backends"):
            # Renews this worker's leases and hands back dead workers' tasks, even while idle:
            # a worker started after a crash picks up what the dead one left (core/leases.py).
            leases.start()
        if options["batch"]:
            run_due_work()
            if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
                call_command("db_worker", "--queue-name=*", "--batch", "--no-startup-delay")
            return
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = Scheduler(settings.MASTHEAD_SCHEDULER_INTERVAL)
            scheduler.start()
        try:
            backend = settings.TASKS["default"]["BACKEND"]
            if backend.endswith("RQBackend"):
                from django_tasks.signals import task_finished, task_started

                # Jobs run in this long-lived process: each starts and ends as a request does,
                # dropping database connections the server closed or that are past their age.
                task_started.connect(close_old_connections)
                task_finished.connect(close_old_connections)
                # django-tasks-rq runs tasks only through its own job class. SimpleWorker runs each
                # job in this process: RQ's default forks one per job, and a forked Django opens a
                # new database connection each time (11 jobs a second, measured by bench/soak.py).
                call_command(
                    "rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.Job",
                    "--worker-class", "rq.worker.SimpleWorker",
                )  # fmt: skip
            elif backend.startswith("django_tasks_db"):
                call_command("db_worker", "--queue-name=*", "--interval=1")
            else:
                self.stdout.write(
                    "Tasks run immediately with this backend; only the scheduler runs here."
                )
                if scheduler:
                    scheduler.join()
        finally:
            if scheduler:
                scheduler.stopped.set()
