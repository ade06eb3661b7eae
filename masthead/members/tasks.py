from django_tasks import task

from . import services
from .models import Payment


@task()
def send_receipt(payment_id):
    """E-mail the receipt (and the welcome, for a first membership payment). Once per payment."""
    payment = Payment.objects.select_related("member").filter(pk=payment_id).first()
    if payment is None or payment.member is None:
        return False
    return services.send_receipt(payment)


@task()
def send_sign_in_link(email, language, request_id):
    """E-mail a sign-in link if the address is a member's. Once per request (request_id)."""
    return services.send_sign_in_link(email, language, request_id)
