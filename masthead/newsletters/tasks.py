from django_tasks import task

from . import services
from .models import Subscriber


@task()
def send_confirmation(subscriber_id):
    """Send the double opt-in e-mail. Idempotent: a second run within RESEND_AFTER sends nothing."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return services.send_confirmation_email(subscriber)
