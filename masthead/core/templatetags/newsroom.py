import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def newsroom_time(value):
    """Format a moment in the newsroom's time zone: '7:04 PM' today, 'Dec 16, 7:04 PM' before."""
    if not value:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    clock = date_format(local, "g:i A")
    if local.date() == today:
        return clock
    if local.year == today.year:
        return _("%(day)s, %(time)s") % {"day": date_format(local, "M j"), "time": clock}
    return _("%(day)s, %(time)s") % {"day": date_format(local, "M j, Y"), "time": clock}


@register.simple_tag
def time_tag(value, css_class=""):
    """Render <time datetime="ISO">newsroom time</time>, machine-readable and human-readable."""
    if not value:
        return ""
    local = timezone.localtime(value)
    attrs = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<time datetime="{}"{}>{}</time>',
        local.isoformat(timespec="seconds"),
        attrs,
        newsroom_time(value),
    )


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """Embed structured data safely: '<', '>' and '&' escaped so text can never close the script.

    The script carries the request's CSP nonce, like every script on the public site.
    """
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    request = context.get("request")
    nonce = escape(getattr(request, "csp_nonce", "")) if request else ""
    attrs = f' nonce="{nonce}"' if nonce else ""
    return mark_safe(f'<script type="application/ld+json"{attrs}>{text}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """Turn a site path into an absolute URL on the configured SITE_URL."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return context.get("SITE_URL", "") + path


@register.simple_tag(takes_context=True)
def page_url_with(context, **params):
    """Return the current URL's query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_structured_data(context, page):
    """Render a page's own structured data (see PublicPageMixin.get_json_ld)."""
    getter = getattr(page, "get_json_ld", None)
    return json_ld(context, getter(context["request"])) if getter else ""


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's one true address on SITE_URL; paginated lists keep their ?page=."""
    request = context["request"]
    page = context.get("page")
    path = page.url if page is not None and getattr(page, "url", None) else request.path
    number = request.GET.get("page")
    if number and number.isdigit() and number != "1":
        path = f"{path}?page={number}"
    return absolute_url(context, path)


@register.simple_tag
def nav_sections():
    from masthead.content.services import sections

    return sections()
