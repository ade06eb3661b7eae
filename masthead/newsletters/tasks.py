from django_tasks import task

from . import data_requests, sending, services
from .models import Subscriber

# A deliver task hands over to a fresh one after this long, so other tasks get a turn.
DELIVER_TIME_SLICE = 120


@task()
def send_confirmation(subscriber_id):
    """Send the double opt-in e-mail. Idempotent: a second run within RESEND_AFTER sends nothing."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return services.send_confirmation_email(subscriber)


@task()
def send_link(subscriber_id, purpose):
    """Send a link the reader asked for. Idempotent: a second run within RESEND_AFTER sends nothing."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return data_requests.send_link(subscriber, purpose)


@task()
def deliver_issue(issue_id):
    """Send an issue's queued messages. Any number may run at once, and a run killed midway is
    run again: each message is sent once, or at most once more over SMTP after a crash."""
    budget = None if not deliver_issue.get_backend().supports_defer else DELIVER_TIME_SLICE
    return sending.deliver(issue_id, time_budget=budget)
