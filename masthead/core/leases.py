"""Leases: a task survives the death of the worker running it, on every task backend.

Neither the database task queue nor RQ takes back the task of a worker killed mid-run (the row
stays RUNNING; RQ moves the job to its failed list ten minutes later). So every worker process
runs a lease keeper, a small thread that:

- holds a TaskLease row for each task the process is running (written when the task starts,
  deleted when it ends), and pushes its `expires_at` forward every BEAT seconds;
- renews what running code asked it to keep (`kept()`): a newsletter send's claimed rows;
- sweeps: a lease that ran out belongs to a dead process, so its task is handed back (the
  database queue's row goes back to READY; on RQ the task is queued again). A database row left
  RUNNING with no lease at all (its worker died before writing one, or before leases existed)
  is handed back too.

A dead worker's tasks run again within LEASE + BEAT seconds, on SQLite and PostgreSQL, database
and RQ backends alike. Every task is idempotent (STYLE.md), so the rare second run of a task
whose worker was only slow to renew does no harm; that run may overlap the first (a worker that
stalls longer than a lease is not stopped), so what must happen once is claimed row by row
(newsletter sends), and the stalled worker logs the lease it lost.
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import UTC, timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from .models import TaskLease

logger = logging.getLogger("masthead.worker")


def lease_length():
    return timedelta(seconds=getattr(settings, "TASK_LEASE_SECONDS", 10))


def beat_seconds():
    return max(0.2, lease_length().total_seconds() / 4)


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class Keeper(threading.Thread):
    """This process's lease keeper: renews its leases and hands back those of dead processes."""

    def __init__(self):
        super().__init__(name="masthead-leases", daemon=True)
        self.pid = os.getpid()
        self.worker = worker_name()
        self.held = set()  # task ids this process is running
        self.renewers = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def run(self):
        beats = 0
        while not self.stopped.wait(beat_seconds()):
            close_old_connections()
            try:
                self.renew()
                # Tasks with no lease at all are rare (a worker killed between taking a task and
                # writing its lease): looked for at the start and then every 4th beat only.
                sweep(orphans=beats % 4 == 0)
                beats += 1
            except Exception:
                logger.warning("lease keeper round failed; trying again", exc_info=True)
            finally:
                close_old_connections()

    def renew(self):
        until = timezone.now() + lease_length()
        with self.lock:
            held, renewers = list(self.held), list(self.renewers.values())
        if held:
            renewed = TaskLease.objects.filter(task_id__in=held).update(expires_at=until)
            if renewed < len(held):
                # Handed back while still running here (this process stalled for longer than a
                # lease): the task may now run a second time alongside this one. Its claims on
                # rows keep that from doubling any mail; the log says where to look.
                lost = self._lost(held)
                if lost:
                    logger.error(
                        "lost the lease of running task(s) %s after a stall: another worker "
                        "may run them at the same time",
                        ", ".join(lost),
                    )
        for renew in renewers:
            try:
                renew(until)
            except Exception:
                logger.warning("could not renew %r", renew, exc_info=True)

    def _lost(self, held):
        """Of `held`, the tasks still running here whose lease is gone (not those that ended
        since the renewal began: their lease went with them)."""
        kept = set(TaskLease.objects.filter(task_id__in=held).values_list("task_id", flat=True))
        with self.lock:
            return [task_id for task_id in held if task_id not in kept and task_id in self.held]


_keeper = {"thread": None}
_start_lock = threading.Lock()


def start():
    """Start this process's lease keeper if it is not running yet (a forked child gets its own).

    Started by `masthead worker`, and by the first task a worker process runs however it was
    started (`manage.py db_worker`, `rqworker`). Not where TASK_LEASE_KEEPER is off (the test
    process, whose database a thread of its own must not touch): leases are still written there,
    but nothing renews or sweeps them.
    """
    if not getattr(settings, "TASK_LEASE_KEEPER", True):
        return None
    with _start_lock:
        keeper = _keeper["thread"]
        if keeper is None or keeper.pid != os.getpid() or not keeper.is_alive():
            keeper = Keeper()
            keeper.start()
            _keeper["thread"] = keeper
        return keeper


def running():
    keeper = _keeper["thread"]
    return keeper is not None and keeper.pid == os.getpid() and keeper.is_alive()


@contextmanager
def kept(renew):
    """Have the keeper call `renew(until)` every beat while the block runs.

    Yields the lease to give what `renew` keeps (a timedelta), or None when no keeper runs in
    this process (tests, a task run in the web process): then nothing is renewed and the caller
    uses a lease long enough for the work.
    """
    if not running():
        yield None
        return
    keeper = _keeper["thread"]
    token = object()
    with keeper.lock:
        keeper.renewers[token] = renew
    try:
        yield lease_length()
    finally:
        with keeper.lock:
            keeper.renewers.pop(token, None)


# --- Leases of tasks ---------------------------------------------------------------------------


def _worker_backend(alias):
    """The backend if its tasks run in worker processes (the database queue, RQ), else None:
    an immediate backend runs them in the caller, which dies with them."""
    try:
        backend = task_backends[alias]
    except Exception:  # noqa: BLE001 - an unknown alias has no workers to watch
        return None
    if _is_database_backend(backend) or _is_rq_backend(backend):
        return backend
    return None


def _is_rq_backend(backend):
    # By its classes' module: importing django_tasks_rq reads RQ's settings, for every process.
    return any(cls.__module__.startswith("django_tasks_rq") for cls in type(backend).__mro__)


def _is_database_backend(backend):
    return isinstance(backend, DatabaseBackend)


def take(task_result):
    """Write the lease of a task this process starts now."""
    if _worker_backend(task_result.backend) is None:
        return
    keeper = start()
    task = task_result.task
    TaskLease.objects.update_or_create(
        task_id=str(task_result.id),
        defaults={
            "backend": task_result.backend,
            "task_path": task.module_path,
            "queue_name": task.queue_name,
            "priority": task.priority,
            "args": list(task_result.args),
            "kwargs": dict(task_result.kwargs),
            "worker": keeper.worker if keeper else worker_name(),
            "started_at": timezone.now(),
            "expires_at": timezone.now() + lease_length(),
        },
    )
    if keeper is not None:
        with keeper.lock:
            keeper.held.add(str(task_result.id))


def release(task_result):
    """Delete the lease of a task that finished, well or badly."""
    if _worker_backend(task_result.backend) is None:
        return
    task_id = str(task_result.id)
    if running():
        with _keeper["thread"].lock:
            _keeper["thread"].held.discard(task_id)
    TaskLease.objects.filter(task_id=task_id).delete()


def _on_task_started(sender, task_result, **kwargs):
    try:
        take(task_result)
    except Exception:
        # The task still runs; only its protection against this worker's death is missing.
        logger.warning("could not write the lease of task %s", task_result.id, exc_info=True)


def _on_task_finished(sender, task_result, **kwargs):
    try:
        release(task_result)
    except Exception:
        logger.warning("could not delete the lease of task %s", task_result.id, exc_info=True)


def connect():
    task_started.connect(_on_task_started, dispatch_uid="masthead:lease:take")
    task_finished.connect(_on_task_finished, dispatch_uid="masthead:lease:release")


# --- Handing back ------------------------------------------------------------------------------


def sweep(now=None, *, orphans=True):
    """Hand back the tasks of workers that died. Safe in any number of processes at once: a
    lease is handed back by the one process whose delete removed it. Returns how many."""
    now = now or timezone.now()
    handed = 0
    for lease in TaskLease.objects.filter(expires_at__lt=now):
        deleted, _kinds = TaskLease.objects.filter(pk=lease.pk, expires_at__lt=now).delete()
        if deleted:
            hand_back(lease)
            handed += 1
    if orphans:
        handed += _sweep_orphaned_rows(now) + _sweep_orphaned_jobs(now)
    return handed


def hand_back(lease):
    backend = _worker_backend(lease.backend)
    if backend is None:
        return
    logger.warning(
        "worker %s died running %s (task %s): handing it back",
        lease.worker,
        lease.task_path,
        lease.task_id,
    )
    if _is_database_backend(backend):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=lease.task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
        return
    if _rq_job_ended(backend, lease.task_id):
        return  # it ended before its worker died, which took the lease's deletion with it
    task = import_string(lease.task_path).using(
        queue_name=lease.queue_name, priority=lease.priority, backend=lease.backend
    )
    task.enqueue(*lease.args, **lease.kwargs)
    _forget_rq_job(lease.queue_name, lease.task_id)


def _forget_rq_job(queue_name, job_id):
    """Take a handed-back job off RQ's lists of jobs in hand (it runs anew under another id)."""
    try:
        import django_rq
        from rq.job import JobStatus
        from rq.registry import StartedJobRegistry

        queue = django_rq.get_queue(queue_name)
        started = StartedJobRegistry(queue=queue)
        for taken_id, execution_id in started.get_job_and_execution_ids(cleanup=False):
            if taken_id == job_id:  # entries are "job:execution"
                entry = f"{taken_id}:{execution_id}" if execution_id else taken_id
                queue.connection.zrem(started.key, entry)
        queue.intermediate_queue.remove(job_id)
        job = queue.fetch_job(job_id)
        if job is not None:
            job.set_status(JobStatus.CANCELED)  # not to be run, nor failed later, as it was
    except Exception:  # noqa: BLE001 - RQ's own maintenance fails it later; it runs anew anyway
        logger.debug("could not take job %s off RQ's lists", job_id, exc_info=True)


def _rq_job_ended(backend, job_id):
    """Whether RQ recorded the job as finished or failed (unknown, e.g. Redis down: False)."""
    try:
        from django_tasks.base import TaskResultStatus

        status = backend.get_result(job_id).status
    except Exception:  # noqa: BLE001 - a job RQ cannot tell about is queued again
        return False
    return status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def _sweep_orphaned_rows(now):
    """Database queue rows RUNNING for longer than a lease with no lease at all."""
    aliases = [
        alias
        for alias in settings.TASKS
        if (backend := _worker_backend(alias)) is not None and _is_database_backend(backend)
    ]
    if not aliases:
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import normalize_uuid

    running = list(
        DBTaskResult.objects.filter(
            backend_name__in=aliases,
            status=TaskResultStatus.RUNNING,
            started_at__lt=now - lease_length(),
        ).values_list("id", flat=True)[:1000]
    )
    if not running:
        return 0
    leased = set(
        TaskLease.objects.filter(
            task_id__in=[normalize_uuid(task_id) for task_id in running]
        ).values_list("task_id", flat=True)
    )
    orphans = [task_id for task_id in running if normalize_uuid(task_id) not in leased]
    if orphans:
        logger.warning(
            "%s tasks were left running by dead workers: handing them back", len(orphans)
        )
        DBTaskResult.objects.filter(id__in=orphans, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
    return len(orphans)


def _sweep_orphaned_jobs(now):
    """RQ jobs a worker took (started, or still in RQ's intermediate list) and died with before
    writing their lease: RQ itself would only fail them, ten minutes later."""
    handed = 0
    for alias in settings.TASKS:
        backend = _worker_backend(alias)
        if backend is None or not _is_rq_backend(backend):
            continue
        try:
            handed += _sweep_rq(alias, backend, now)
        except Exception:
            logger.warning("could not look for RQ jobs left by dead workers", exc_info=True)
    return handed


def _sweep_rq(alias, backend, now):
    import django_rq
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    ended = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
    handed = 0
    for queue_name in backend.queues:
        queue = django_rq.get_queue(queue_name)
        started = StartedJobRegistry(queue=queue)
        taken = set(started.get_job_ids(cleanup=False)) | set(
            queue.intermediate_queue.get_job_ids()
        )
        leased = set(TaskLease.objects.filter(task_id__in=taken).values_list("task_id", flat=True))
        for job_id in taken - leased:
            job = queue.fetch_job(job_id)
            if job is None or job.get_status() in ended:
                continue
            since = job.started_at or job.enqueued_at
            if since is not None and timezone.is_naive(since):
                since = timezone.make_aware(since, UTC)
            if since is None or since > now - lease_length():
                continue  # just taken by a live worker: its lease is on the way
            # One sweeper hands it back, however many look at once.
            if not queue.connection.set(f"masthead:handing-back:{job_id}", 1, nx=True, ex=86400):
                continue
            logger.warning("RQ job %s was left by a dead worker: handing it back", job_id)
            task = import_string(job.func_name).using(queue_name=job.origin, backend=alias)
            task.enqueue(*job.args, **job.kwargs)
            _forget_rq_job(queue_name, job_id)
            handed += 1
    return handed
