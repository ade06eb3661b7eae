from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from . import services


@require_POST
def start_todays_roundup(request):
    """Draft today's roundup from today's feed items and stories, then open it in the editor."""
    if not services.can_start_roundup(request.user):
        messages.error(request, _("You do not have permission to create roundups."))
        return redirect("wagtailadmin_home")
    try:
        roundup, created = services.start_todays_roundup(user=request.user)
    except LookupError:
        messages.error(
            request, _("Create a roundup index page first; today’s roundup goes under it.")
        )
        return redirect("wagtailadmin_explore_root")
    if created:
        messages.success(
            request,
            _("Today’s roundup was drafted with %(count)d developments. Edit them, then publish.")
            % {"count": roundup.items.count()},
        )
    else:
        messages.info(request, _("Today’s roundup already exists: here it is."))
    return redirect("wagtailadmin_pages:edit", roundup.pk)


@hooks.register("register_admin_urls")
def roundup_admin_urls():
    return [
        path("roundups/start-today/", start_todays_roundup, name="masthead_start_todays_roundup")
    ]


class TodaysRoundupPanel(Component):
    name = "todays_roundup"
    order = 50
    template_name = "content/admin/todays_roundup_panel.html"

    def get_context_data(self, parent_context=None):
        # A component renders its template with only what it returns here: without the dashboard's
        # token, {% csrf_token %} renders nothing and the button's POST is refused (403).
        return {
            "csrf_token": (parent_context or {}).get("csrf_token"),
            # Started already: the button carries on with it instead of offering to start it.
            "roundup": services.todays_roundup(),
        }


@hooks.register("construct_homepage_panels")
def add_roundup_panel(request, panels):
    if services.can_start_roundup(request.user):
        panels.append(TodaysRoundupPanel())


# --- "Approve and publish" says it published ----------------------------------------------------
# Wagtail's page editor answers every workflow action with "Page '…' has been updated.", also the
# final approval that publishes the page; its message has no hook of its own. So: note the live
# revision before the action (before_edit_page), and after it (after_edit_page) replace that
# message with the one Wagtail's own Publish button gives, in Wagtail's own (translated) words.

LIVE_BEFORE = "masthead_live_revision_before"


def _publication(page):
    """The page's live revision and the one scheduled to go live (ids; None where there is none)."""
    live = Page.objects.filter(pk=page.pk).values_list("live_revision_id", flat=True).first()
    scheduled = page.revisions.filter(approved_go_live_at__isnull=False).values_list(
        "pk", flat=True
    )
    return live, scheduled.first()


@hooks.register("before_edit_page")
def note_live_revision(request, page):
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        setattr(request, LIVE_BEFORE, _publication(page))


@hooks.register("after_edit_page")
def say_when_approval_published(request, page):
    if not hasattr(request, LIVE_BEFORE):
        return
    (live_before, scheduled_before), (live_after, scheduled_after) = (
        getattr(request, LIVE_BEFORE),
        _publication(page),
    )
    published = live_after != live_before
    scheduled = not published and scheduled_after not in (None, scheduled_before)
    if not (published or scheduled):
        return  # approved for the next step of the workflow, or rejected: "updated" is right
    title = page.get_admin_display_title()
    updated = _("Page '%(page_title)s' has been updated.") % {"page_title": title}
    updated = {updated, admin_messages.render(updated, None)}  # as written, as Wagtail stores it
    edit = admin_messages.button(reverse("wagtailadmin_pages:edit", args=(page.pk,)), _("Edit"))
    if scheduled:
        said, buttons = _("Page '%(page_title)s' has been scheduled for publishing."), [edit]
    else:
        said, buttons = _("Page '%(page_title)s' has been published."), [edit]
        url = page.specific_deferred.url
        if url is not None:
            buttons.insert(0, admin_messages.button(url, _("View live"), new_window=False))
    # Reading the messages takes them all; all but Wagtail's "updated" are put back, in order.
    kept = [message for message in messages.get_messages(request) if message.message not in updated]
    for message in kept:
        messages.add_message(request, message.level, message.message, message.extra_tags)
    admin_messages.success(request, said % {"page_title": title}, buttons=buttons)
