"""The Redis task queue (RQ), made safe to lose: work queued while Redis is down waits in the database.

Saves and publishes queue tasks as they happen (Wagtail's reference index, our confirmation e-mails,
narrations, receipts). If Redis cannot be reached, the task is kept as a HeldTask in the same
transaction as the change that asked for it, and the request succeeds. The worker's scheduler calls
release_held() each round, which hands held tasks to the queue once Redis answers again. Tasks are
idempotent, so the rare double (queued, then the row's delete lost) does no harm.
"""

import logging

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from django_tasks_rq import RQBackend as QueueBackend
from redis.exceptions import RedisError

from .models import HeldTask

logger = logging.getLogger("masthead.queue")


class RQBackend(QueueBackend):
    def enqueue(self, task, args, kwargs):
        try:
            return super().enqueue(task, args, kwargs)
        except RedisError:
            logger.warning("Task queue unavailable: %s held in the database", task.module_path)
            HeldTask.objects.create(
                task_path=task.module_path,
                queue_name=task.queue_name,
                args=list(args),
                kwargs=dict(kwargs),
                run_after=task.run_after,
                priority=task.priority,
            )
            return TaskResult(
                task=task,
                id=get_random_id(),
                status=TaskResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=args,
                kwargs=kwargs,
                backend=self.alias,
                errors=[],
                worker_ids=[],
            )


def release_held(limit=1000):
    """Hand held tasks to the queue; stop at the first sign it is still down. Returns how many."""
    released = 0
    with transaction.atomic():
        held = list(HeldTask.objects.select_for_update(skip_locked=True)[:limit])
        for row in held:
            task = import_string(row.task_path)
            task = task.using(
                queue_name=row.queue_name, priority=row.priority, run_after=row.run_after
            )
            backend = task.get_backend()
            try:
                # The plain RQ enqueue: a failure here must not hold the task a second time.
                QueueBackend.enqueue(backend, task, row.args, row.kwargs)
            except RedisError:
                break
            row.delete()
            released += 1
    return released
