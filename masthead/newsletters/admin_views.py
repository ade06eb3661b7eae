"""The staff outbox: e-mail written to files on the embedded default, readable in the admin."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from masthead.core.context_processors import can_use_admin

from . import outbox as mail_outbox


def _check(request):
    if not (mail_outbox.enabled() and can_use_admin(request.user)):
        raise PermissionDenied


def outbox(request):
    _check(request)
    return render(
        request, "newsletters/admin/outbox.html", {"messages_sent": mail_outbox.messages()}
    )


def outbox_message(request, message_id):
    _check(request)
    message = mail_outbox.message(message_id)
    if message is None:
        raise Http404("No such message in the outbox")
    return render(request, "newsletters/admin/outbox_message.html", {"message": message})
