from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import approving, services


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


# --- After a workflow action in the page editor, "published" where Wagtail says "updated" ----------
LIVE_BEFORE = "masthead_live_revision_before"


@hooks.register("before_edit_page")
def note_live_revision(request, page):
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        setattr(request, LIVE_BEFORE, approving.publication(page))


@hooks.register("after_edit_page")
def say_when_approval_published(request, page):
    if hasattr(request, LIVE_BEFORE):
        approving.replace_updated(request, page, getattr(request, LIVE_BEFORE))
