from django_tasks import task


@task()
def probe(key):
    """A task that does nothing: the scale-out test checks it reaches the queue."""
    return key
