from django import template
from django.template.defaultfilters import floatformat
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


@register.filter
def drive_text(text, progress):
    """An editor's drive text with {goal} and {raised} filled in, written as the count beside it:
    "Help us reach {goal} members" -> "Help us reach 25,000 members" ("25 000" in Ukrainian).

    Only these two tokens, replaced as they are (not str.format: other braces an editor writes stay
    as written). A number typed into the text stays as typed."""
    if not text or not progress or "{" not in text:
        return text
    if progress["kind"] == "amount":
        goal = format_money(progress["goal_minor"], progress["currency"])
        raised = format_money(progress["current_minor"], progress["currency"])
    else:
        goal, raised = floatformat(progress["goal"], "0g"), floatformat(progress["current"], "0g")
    return text.replace("{goal}", goal).replace("{raised}", raised)


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
        banner_dismissed = bool(campaign and dismissed_pk == str(campaign.pk))
        dismissed = placement == "banner" and banner_dismissed
        return render_to_string(
            "members/campaign.html",
            {
                "request": request,
                "here": here,
                "campaign": campaign if shown and not dismissed else None,
                "progress": running["progress"],
                "with_count": _shows_count(
                    campaign, running["progress"], placement, banner_dismissed
                ),
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


def _shows_count(campaign, progress, placement, banner_dismissed):
    """Whether this placement shows the drive's count: not below the newsroom's threshold (no
    "0 of 20,000"), and once a page only, in the banner above everything while it is there."""
    if campaign is None or not progress or progress["current"] < campaign.count_shown_from:
        return False
    if placement == "banner":
        return True
    return not (campaign.show_banner and not banner_dismissed)


def _here(request):
    """This address with only the parameters pages depend on (never a reader's tracking ones)."""
    query = newsroom.linked_query(request).urlencode()
    return f"{request.path}?{query}" if query else request.path


@register.simple_tag(takes_context=True)
def account_link(context, css_class=""):
    """ "Account" for a member signed in on this browser, "Sign in" for everyone else.

    Only a browser with a session (or a member's cookie) can be signed in, and such a browser is
    never served from the page cache (masthead.core.pagecache.personal_cookies): the cached page
    every other reader shares says "Sign in", and no page becomes uncacheable for this link."""
    signed_in = bool(services.signed_in_member_id(context.get("request")))
    return render_to_string(
        "members/account_link.html", {"signed_in": signed_in, "css_class": css_class}
    )
