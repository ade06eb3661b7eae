"""Leases: a task whose worker dies is handed back to the queue (masthead/core/leases.py).

The kill drills (tests/test_kill_drills.py) kill real workers; these check each step on its own.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.core import leases
from masthead.core.models import HeldTask, TaskLease
from masthead.core.tests import tasks_probe

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker_once():
    call_command("db_worker", "--queue-name=*", "--batch", "--no-startup-delay", verbosity=0)


def died_running(task, *args, worker="dead:1", lease_left=None):
    """Queue `task` and leave it as a worker killed while running it leaves it."""
    result = task.enqueue(*args)
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(worker)
    if lease_left is not None:
        TaskLease.objects.create(
            task_id=result.id,
            backend="default",
            task_path=task.module_path,
            args=list(args),
            worker=worker,
            expires_at=timezone.now() + lease_left,
        )
    return row


def test_a_worker_holds_a_lease_on_the_task_it_runs_until_it_ends():
    with override_settings(TASKS=DATABASE_TASKS):
        # given a queued task
        result = tasks_probe.leases_held.enqueue()
        # when a worker runs it
        run_worker_once()
        # then it held its lease while it ran, and none is left once it ended
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == "SUCCESSFUL"
        assert row.return_value == [result.id]
        assert not TaskLease.objects.exists()


def test_a_dead_workers_task_is_handed_back_and_runs_again():
    with override_settings(TASKS=DATABASE_TASKS):
        # given a task whose worker died: its lease ran out a moment ago
        row = died_running(tasks_probe.probe, "again", lease_left=timedelta(seconds=-1))
        # when any live worker sweeps
        assert leases.sweep() == 1
        # then the task is back in the queue, its lease gone, and the next worker runs it
        row.refresh_from_db()
        assert row.status == "READY" and not TaskLease.objects.exists()
        run_worker_once()
        row.refresh_from_db()
        assert row.status == "SUCCESSFUL" and row.return_value == "again"
        assert row.worker_ids[0] == "dead:1" and len(row.worker_ids) == 2


def test_what_a_live_worker_runs_is_left_alone():
    with override_settings(TASKS=DATABASE_TASKS):
        # given a task whose worker renews its lease, and one just claimed (its lease on the way)
        leased = died_running(tasks_probe.probe, "leased", lease_left=timedelta(seconds=5))
        fresh = died_running(tasks_probe.probe, "fresh")
        # when a worker sweeps
        assert leases.sweep() == 0
        # then both still run where they are
        assert {r.status for r in DBTaskResult.objects.filter(id__in=[leased.id, fresh.id])} == {
            "RUNNING"
        }
        assert TaskLease.objects.count() == 1


def test_a_row_left_running_with_no_lease_at_all_is_handed_back():
    with override_settings(TASKS=DATABASE_TASKS):
        # given a row left RUNNING long ago, by a worker that died before writing a lease (or
        # before leases existed: the drill's rows that stayed RUNNING through a restart)
        row = died_running(tasks_probe.probe, "orphan")
        DBTaskResult.objects.filter(id=row.id).update(
            started_at=timezone.now() - timedelta(hours=1)
        )
        # when a worker sweeps, then it is queued again
        assert leases.sweep() == 1
        row.refresh_from_db()
        assert row.status == "READY"


def test_on_rq_a_dead_workers_task_is_queued_again(settings):
    # given the Redis queue (unreachable here, so what is queued again is held in the database)
    settings.TASKS = {
        "default": {"BACKEND": "masthead.core.queue.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0", "SOCKET_TIMEOUT": 1}}
    TaskLease.objects.create(
        task_id="rq-job-1",
        backend="default",
        task_path=tasks_probe.probe.module_path,
        args=["on rq"],
        worker="dead:2",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    # when a worker sweeps
    assert leases.sweep() == 1
    # then the task is queued anew with its arguments (here: held until Redis answers)
    held = HeldTask.objects.get()
    assert (held.task_path, held.args) == (tasks_probe.probe.module_path, ["on rq"])
    assert not TaskLease.objects.exists()


def test_nothing_renews_where_no_keeper_runs():
    # the test process runs none (TASK_LEASE_KEEPER is off): callers use their long leases
    with leases.kept(lambda until: None) as renewed:
        assert renewed is None


def test_a_worker_that_stalled_past_its_lease_says_its_task_may_run_twice(caplog):
    """A worker stalled longer than a lease (a long GC pause, a frozen VM) is not stopped: its task
    is handed back and may run alongside it. It cannot be prevented from outside, so it is told
    where it shows: the stalled worker logs the lease it lost."""
    with override_settings(TASKS=DATABASE_TASKS):
        # given a task this process runs, whose lease another worker's sweep took as dead
        keeper = leases.Keeper()
        row = died_running(tasks_probe.probe, "stalled", lease_left=timedelta(seconds=-1))
        keeper.held.add(str(row.id))
        assert leases.sweep() == 1
        # when the stalled worker's keeper next renews
        with caplog.at_level("ERROR", logger="masthead.worker"):
            keeper.renew()
        # then it says so, naming the task
        assert f"lost the lease of running task(s) {row.id}" in caplog.text


def test_on_rq_a_job_taken_by_a_worker_that_died_before_its_lease_is_queued_again_once(settings):
    """A worker moves a job off the queue (into RQ's intermediate list) and dies before writing
    its lease: RQ alone would fail the job ten minutes later. The sweep queues it anew, once."""
    import django_rq
    import redis
    from rq.job import JobStatus

    settings.TASKS = {
        "default": {"BACKEND": "masthead.core.queue.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/7"}}
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/7")
    connection.flushdb()
    try:
        # given a job queued, then taken off the queue by a worker that died at once
        result = tasks_probe.probe.enqueue("taken")
        queue = django_rq.get_queue("default")
        assert queue.job_ids == [result.id]
        connection.lmove(queue.key, queue.intermediate_queue.key, "RIGHT", "LEFT")
        assert queue.job_ids == [] and queue.intermediate_queue.get_job_ids() == [result.id]
        # then while it may still be a live worker's, on its way to writing its lease, it stays
        assert leases.sweep() == 0
        # and once a lease's length has passed, two sweepers at once queue it again, once
        later = timezone.now() + leases.lease_length() + timedelta(seconds=1)
        assert leases.sweep(now=later) + leases.sweep(now=later) == 1
        (again,) = queue.get_jobs()
        assert again.id != result.id and list(again.args) == ["taken"]
        assert queue.intermediate_queue.get_job_ids() == []
        assert queue.fetch_job(result.id).get_status() == JobStatus.CANCELED
    finally:
        connection.flushdb()
