from django_tasks import task


@task()
def probe(key):
    """A task that does nothing: the scale-out test checks it reaches the queue."""
    return key


@task()
def leases_held():
    """A task that reports the leases held while it runs (core/tests/test_leases.py)."""
    from masthead.core.models import TaskLease

    return list(TaskLease.objects.values_list("task_id", flat=True))
