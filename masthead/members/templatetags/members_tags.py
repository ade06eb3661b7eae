from django import template

from masthead.members import services

register = template.Library()


@register.inclusion_tag("members/campaign.html", takes_context=True)
def campaign(context, placement):
    """The running campaign in one of its places (banner, article, home), or a thank-you to members.

    Reads the cache and the request's cookies only: no query on a normal page view.
    """
    request = context.get("request")
    running = services.running_campaign()
    campaign = running["campaign"]
    shown = campaign is not None and {
        "banner": campaign.show_banner,
        "article": campaign.show_in_articles,
        "home": campaign.show_on_home,
    }.get(placement, False)
    is_member = bool(request and services.recognised_member_id(request))
    dismissed = bool(
        request
        and campaign
        and placement == "banner"
        and request.COOKIES.get(services.DISMISS_COOKIE) == str(campaign.pk)
    )
    return {
        "request": request,
        "campaign": campaign if shown and not dismissed else None,
        "progress": running["progress"],
        "placement": placement,
        "is_member": is_member,
    }
