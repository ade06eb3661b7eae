import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from masthead.core import fragments, mail, pagecache

register = template.Library()

LINKED_PARAMETERS = {*pagecache.KEYED_PARAMETERS, "q"}
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def masked_address(email):
    return mail.masked_address(email)


@register.filter
def newsroom_time(value, dated=False):
    """Format a moment in the newsroom's time zone, as the edition writes it: '7:04 PM' today,
    'Dec 16, 7:04 PM' earlier this year (in Ukrainian '19:04', '16 грудня, 19:04').

    dated: a story's time always carries its date ('Dec 17, 6:33 AM' today too); "full" is an
    article's own dateline, 'December 17, 2024, 6:33 AM' ('17 грудня 2024, 06:33')."""
    if not value:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    clock = date_format(local, "TIME_FORMAT")
    if dated == "full":
        day = date_format(local, "DATE_FORMAT")
    elif local.date() == today and not dated:
        return clock
    elif local.year == today.year:
        day = date_format(local, "MONTH_DAY_FORMAT")
    else:
        day = date_format(local, "SHORT_DATE_FORMAT")
    return _("%(day)s, %(time)s") % {"day": day, "time": clock}


@register.simple_tag
def time_tag(value, css_class="", dated=False):
    """Render <time datetime="ISO">newsroom time</time>, machine-readable and human-readable
    (dated: as newsroom_time's)."""
    if not value:
        return ""
    local = timezone.localtime(value)
    attrs = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<time datetime="{}"{}>{}</time>',
        local.isoformat(timespec="seconds"),
        attrs,
        newsroom_time(value, dated),
    )


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """Embed structured data safely: '<', '>' and '&' escaped so text can never close the script.

    A data block, never run: browsers check the CSP only for scripts they would execute, so it needs
    no nonce (and a cached page, sent to every reader, carries none: core/security.py).
    """
    if isinstance(data, fragments.KeptData):
        text = fragments.kept(
            data.name,
            data.parts,
            data.topics,
            lambda: _json_text(data.build()),
            request=context.get("request"),
        )
        return _script(context, text)
    if not data:
        return ""
    return _script(context, _json_text(data))


def _json_text(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


def _script(context, text):
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """Turn a site path into an absolute URL on the configured SITE_URL."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return context.get("SITE_URL", "") + path


def linked_query(request):
    """The request's query with only the parameters pages depend on (never tracking ones), and
    ?page= only when it names a page past the first as its links write it (page_number)."""
    query = request.GET.copy()
    for name in list(query):
        if name not in LINKED_PARAMETERS:
            del query[name]
    if "page" in query:
        number = page_number(request)
        if number:
            query["page"] = number
        else:
            del query["page"]
    return query


@register.simple_tag(takes_context=True)
def page_url_with(context, **params):
    """Return the current URL's query string with some parameters replaced (for pagination links).

    Only the parameters a page depends on are carried (the search words, the page): a link made
    while rendering for one reader's tracking parameters must not reach the next from the cache.
    """
    query = linked_query(context["request"])
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
    if getter is None:
        return ""
    request = context["request"]
    # Kept like a piece of the page.
    version = (page.pk, page.last_published_at, request.scheme, request.get_host())

    def build():
        data = getter(request)
        return _json_text(data) if data else ""

    # "site": a page without a picture of its own names the newsroom's card.
    text = fragments.kept("json-ld", version, ("pages", "site"), build, request=request)
    return _script(context, text) if text else ""


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's one true address on SITE_URL; paginated lists keep their ?page=."""
    request = context["request"]
    page = context.get("page")
    path = page.url if page is not None and getattr(page, "url", None) else request.path
    number = page_number(request)
    if number:
        path = f"{path}?page={number}"
    return absolute_url(context, path)


@register.filter
def page_number(request):
    """The ?page= a paginated list's canonical address keeps: a page past the first, written as
    its links write it; "" for none or junk (which shows page 1), so junk keys no kept piece."""
    number = request.GET.get("page", "")
    if number.isascii() and number.isdigit() and number == str(int(number)) and number != "1":
        return number
    return ""


@register.simple_tag
def nav_sections():
    from masthead.content.services import sections

    return sections()


@register.simple_tag(takes_context=True)
def nav_current(context, nav):
    """Which navigation link is this page ("feed", a section's id, or ""): all the kept
    navigation needs to know of the request."""
    from django.urls import reverse

    page, request = context.get("page"), context.get("request")
    if page is not None and page.pk in {section.pk for section in nav}:
        return page.pk
    if request is not None and request.path == reverse("feed:page"):
        return "feed"
    return ""


@register.simple_tag(takes_context=True)
def editions(context):
    """The language switcher and hreflang links: every edition, with this page in it where it has
    been translated and the edition's home page where it has not."""
    from masthead.core import editions as site_editions

    request = context["request"]
    page = context.get("page")
    found = dict(site_editions.alternates(request, page))
    here = site_editions.current()
    links = []
    for code in site_editions.codes():
        links.append(
            {
                "code": code,
                "name": site_editions.name(code),
                "url": found.get(code) or site_editions.home_path(code),
                "current": code == here,
                "translated": code in found,
            }
        )
    return links


@register.simple_tag
def open_graph_locale(code=None):
    from masthead.core import editions as site_editions

    return site_editions.open_graph_locale(code)


@register.simple_tag
def edition_path(path):
    """A path of the site in the edition being served: {% edition_path '/roundups/' %}."""
    from masthead.core import editions as site_editions

    return site_editions.path_in(path)


class KeptNode(template.Node):
    def __init__(self, nodelist, name, parts, topics, condition):
        self.nodelist, self.name, self.parts, self.topics = nodelist, name, parts, topics
        self.condition = condition

    def render(self, context):
        if self.condition is not None and not self.condition.resolve(context):
            return self.nodelist.render(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        html = fragments.kept(
            self.name,
            parts,
            self.topics,
            lambda: self.nodelist.render(context),
            request=context.get("request"),
        )
        return mark_safe(html)  # noqa: S308 - the template's own rendering, escaped when made


@register.tag
def kept(parser, token):
    """{% kept "name" part… [topics="feed,pages"] [if=value] %}…{% endkept %}: keep the enclosed
    HTML (masthead.core.fragments), only when the if= value is true if one is given. The parts must
    say everything the enclosed markup shows."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name")
    topics, condition = (), None
    parts = []
    for bit in bits[2:]:
        if bit.startswith("topics="):
            topics = tuple(t for t in bit[len("topics=") :].strip("\"'").split(",") if t)
        elif bit.startswith("if="):
            condition = parser.compile_filter(bit[len("if=") :])
        else:
            parts.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1].strip("\"'"), parts, topics, condition)
