"""Bounces and complaints from e-mail providers, through django-anymail's tracking webhooks.

Anymail verifies each provider's signature (and the shared basic-auth secret when one is set)
before anything here runs; the handler only turns a verified event into a suppression.
"""

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from anymail.signals import EventType, RejectReason, tracking
from django.conf import settings
from django.dispatch import receiver
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import ConsentEvent

# Every provider anymail supports, by the name in its webhook URL: mailgun, postmark, brevo, ...
TRACKING_VIEWS = {
    pattern.name.removesuffix("_tracking_webhook"): pattern.callback
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
}
PERMANENT_REJECTIONS = {RejectReason.BOUNCED, RejectReason.INVALID, RejectReason.SPAM}


@csrf_exempt  # providers post without cookies; anymail checks their signature instead
def tracking_webhook(request, provider):
    """Hand the request to anymail's view for the provider; 404 for one not configured here."""
    view = TRACKING_VIEWS.get(provider)
    if view is None:
        raise Http404("No such e-mail provider")
    # Providers that sign nothing are only as safe as the shared secret: without it, refuse.
    if view.view_class.warn_if_no_basic_auth and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404(f"{provider} webhooks need ANYMAIL_WEBHOOK_SECRET")
    try:
        return view(request)
    except AnymailConfigurationError as error:
        raise Http404(f"{provider} webhooks are not configured") from error


@receiver(tracking, dispatch_uid="masthead.newsletters.tracking")
def handle_tracking_event(sender, event, esp_name, **kwargs):
    """Suppress an address for good after a hard bounce or a complaint."""
    if not event.recipient:
        return
    if event.event_type == EventType.COMPLAINED:
        reason = ConsentEvent.Action.COMPLAINT
    elif event.event_type == EventType.BOUNCED or (
        event.event_type == EventType.REJECTED and event.reject_reason in PERMANENT_REJECTIONS
    ):
        reason = ConsentEvent.Action.BOUNCE
    else:
        return  # deferred, delivered, opened...: nothing to do with consent
    services.suppress(
        event.recipient,
        reason,
        provider_message_id=event.message_id or "",
        source=f"{esp_name} webhook",
    )
