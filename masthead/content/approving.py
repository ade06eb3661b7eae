"""What an editor is told after approving a story: published, scheduled, passed on, or sent back.

Wagtail answers every workflow action in the page editor with "Page '…' has been updated.", also the
final approval that publishes the page, and answers the same actions on the dashboard's "Awaiting your
review" panel with nothing at all. So: note the page's live and scheduled revisions before the action,
and after it say what the action did, in Wagtail's own (translated) words where it has them.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.admin import messages as admin_messages
from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page, TaskState


def publication(page):
    """The page's live revision and the one scheduled to go live (ids; None where there is none)."""
    live = Page.objects.filter(pk=page.pk).values_list("live_revision_id", flat=True).first()
    scheduled = page.revisions.filter(approved_go_live_at__isnull=False).values_list(
        "pk", flat=True
    )
    return live, scheduled.first()


def _announcement(page, before, otherwise=None):
    """What to tell the editor: published, scheduled, else `otherwise`; (text, buttons) or None."""
    (live_before, scheduled_before), (live_after, scheduled_after) = before, publication(page)
    published = live_after != live_before
    scheduled = not published and scheduled_after not in (None, scheduled_before)
    edit = admin_messages.button(reverse("wagtailadmin_pages:edit", args=(page.pk,)), _("Edit"))
    if scheduled:
        said, buttons = _("Page '%(page_title)s' has been scheduled for publishing."), [edit]
    elif published:
        said, buttons = _("Page '%(page_title)s' has been published."), [edit]
        url = page.specific_deferred.url
        if url is not None:
            buttons.insert(0, admin_messages.button(url, _("View live"), new_window=False))
    elif otherwise:
        said, buttons = otherwise, [edit]
    else:
        return None
    return said % {"page_title": page.get_admin_display_title()}, buttons


def replace_updated(request, page, before):
    """After a workflow action in the page editor: "published" or "scheduled" instead of "updated"."""
    announcement = _announcement(page, before)
    if announcement is None:
        return  # approved for the next step of the workflow, or rejected: "updated" is right
    title = page.get_admin_display_title()
    updated = _("Page '%(page_title)s' has been updated.") % {"page_title": title}
    updated = {updated, admin_messages.render(updated, None)}  # as written, as Wagtail stores it
    # Reading the messages takes them all; all but Wagtail's "updated" are put back, in order.
    kept = [message for message in messages.get_messages(request) if message.message not in updated]
    for message in kept:
        messages.add_message(request, message.level, message.message, message.extra_tags)
    said, buttons = announcement
    admin_messages.success(request, said, buttons=buttons)


_wagtails_workflow_action = page_viewset_registry.as_view(
    "workflow_action", page_id_kwarg="page_id"
)


def _task_status(task_state_id):
    return TaskState.objects.filter(pk=task_state_id).values_list("status", flat=True).first()


@never_cache  # as Wagtail wraps its own admin views: drafts are named here
@require_admin_access
def workflow_action(request, page_id, action_name, task_state_id):
    """Wagtail's workflow action (the dashboard's Approve and Request changes), then what it did."""
    page = get_object_or_404(Page, pk=page_id)
    acting = request.method == "POST"
    if acting:
        before, status_before = publication(page), _task_status(task_state_id)
    response = _wagtails_workflow_action(
        request, page_id=page_id, action_name=action_name, task_state_id=task_state_id
    )
    status = _task_status(task_state_id) if acting else None
    if acting and status != status_before:  # unchanged: refused, or the form had errors
        if status == TaskState.STATUS_REJECTED:
            otherwise = _("Changes have been requested on page '%(page_title)s'.")
        else:
            otherwise = _("Page '%(page_title)s' has been approved for the next step of review.")
        said, buttons = _announcement(page, before, otherwise)
        admin_messages.success(request, said, buttons=buttons)
    return response
