"""Wagtail's page chooser, opened in the edition of the page being written.

An empty "Choose a page (Section)" opens at the first ancestor that all sections share: with two
editions, that is the root, so a writer first had to find their own edition in the tree. The chooser
is fetched by the page's own edit (or add) form, whose address the request's Referer carries
(same-origin, SECURE_REFERRER_POLICY); from it, the edition of the page being written. The Referer
only decides where the chooser starts: what may be chosen is still Wagtail's to check.
"""

import re
from urllib.parse import urlsplit

from django.http import Http404
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.chooser import BrowseView, page_models_from_string
from wagtail.models import Page

# The page editor, and the form adding a page under a parent: /admin/pages/add/<app>/<model>/<id>/
EDITING = re.compile(r"^/admin/pages/(?:(?P<page>\d+)/edit|add/[\w-]+/[\w-]+/(?P<parent>\d+))/$")

_wagtails_browse = BrowseView.as_view()


def _edition_being_written(request):
    """The locale id of the page whose form opened the chooser, or None."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc != request.get_host():
        return None
    editing = EDITING.match(referer.path)
    if editing is None:
        return None
    page_id = editing.group("page") or editing.group("parent")
    return Page.objects.filter(pk=page_id).values_list("locale_id", flat=True).first()


def _desired_types(request):
    """The page types asked for, read as Wagtail's chooser reads them (a 404 for a made-up one)."""
    try:
        return page_models_from_string(request.GET.get("page_type") or "wagtailcore.page")
    except (ValueError, LookupError) as error:
        raise Http404 from error


@never_cache  # as Wagtail wraps its own admin views: drafts are named here
@require_admin_access
def browse(request):
    """Wagtail's "Choose a page" without a page to start from: started in the page's edition."""
    desired = [model for model in _desired_types(request) if model is not Page]
    locale_id = _edition_being_written(request) if desired else None
    if locale_id is not None:
        in_edition = Page.objects.type(*desired).filter(locale_id=locale_id)
        if in_edition.exists():
            start = in_edition.first_common_ancestor(include_self=False)
            return _wagtails_browse(request, parent_page_id=start.pk)
    return _wagtails_browse(request)
