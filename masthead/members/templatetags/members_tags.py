from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.core import fragments
from masthead.core.templatetags import newsroom
from masthead.members import services
from masthead.members.money import format_money

register = template.Library()


@register.filter
def money(minor, currency):
    """An amount in minor units as readers of the active language write it: {{ 500|money:"EUR" }}."""
    return format_money(minor, currency)


@register.simple_tag(takes_context=True)
def campaign(context, placement):
    """The running campaign in one of its places (banner, article, home), or a thank-you to members.

    Reads the cache and the request's cookies only: no query on a normal page view (a recognised
    member's "member now" is read once from the shared cache). What a reader
    with no member or dismissal cookie sees is the same for all of them, so it is kept
    (masthead.core.fragments) until the drive changes.
    """
    request = context.get("request")
    is_member = bool(request and services.recognised_as_member(request))
    dismissed_pk = request.COOKIES.get(services.DISMISS_COOKIE) if request else None

    def render():
        running = services.running_campaign()
        campaign = running["campaign"]
        shown = campaign is not None and {
            "banner": campaign.show_banner,
            "article": campaign.show_in_articles,
            "home": campaign.show_on_home,
        }.get(placement, False)
        dismissed = bool(campaign and placement == "banner" and dismissed_pk == str(campaign.pk))
        return render_to_string(
            "members/campaign.html",
            {
                "request": request,
                "here": here,
                "campaign": campaign if shown and not dismissed else None,
                "progress": running["progress"],
                "placement": placement,
                "is_member": is_member,
            },
        )

    here = _here(request) if request else "/"
    if is_member or dismissed_pk:
        return mark_safe(render())  # noqa: S308 - a template's own rendering
    # The banner's dismiss form returns the reader to this address: part of what it shows.
    parts = (placement, here if placement == "banner" else "")
    return mark_safe(fragments.kept("campaign", parts, ("campaign",), render, request))  # noqa: S308


def _here(request):
    """This address with only the parameters pages depend on (never a reader's tracking ones)."""
    query = newsroom.linked_query(request).urlencode()
    return f"{request.path}?{query}" if query else request.path
