import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from masthead.core import editions, fragments, pagecache
from masthead.core.models import NewsroomSettings

from . import services
from .structured_data import blog_posting, live_blog

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json"


def _absolute(path):
    return path if path.startswith("http") else settings.SITE_URL + path


def _description():
    return _("The latest news as it happens, in short updates from our newsroom.")


@pagecache.cached_view("feed", "pages", "picks", "campaign")
def feed_page(request):
    before = request.GET.get("before")
    first_page = not before or services.decode_cursor(before) is None
    cursor = None if first_page else before
    if cursor:
        pagecache.keyed_by(request, "before")
    title = _("News Feed")
    description = _description()

    def timeline():
        items, next_cursor = services.feed_page(before=cursor)
        pinned = services.pinned_items() if first_page else []
        if pinned:
            pinned_ids = {item.pk for item in pinned}
            items = [item for item in items if item.pk not in pinned_ids]
        return {"items": items, "pinned": pinned, "next_cursor": next_cursor}

    # Read only if the kept timeline and its structured data are not held (core/fragments.py).
    timeline = SimpleLazyObject(timeline)

    def structured_data():
        return live_blog(
            request,
            timeline["pinned"] + timeline["items"],
            str(title),
            str(description),
            coverage_start=services.coverage_start(),
        )

    return render(
        request,
        "feed/feed_page.html",
        {
            "timeline": timeline,
            "cursor": cursor,
            "is_first_page": first_page,
            "page_title": title,
            "page_description": description,
            "structured_data": fragments.KeptData(
                "feed-json-ld",
                (cursor, request.get_host()),
                ("feed", "pages", "site"),  # "site": it names the newsroom's card
                structured_data,
            ),
            "admin_edit_url": reverse("wagtailsnippets_feed_feeditem:list"),
        },
    )


def _json_item(item, newsroom):
    """One item as a JSON Feed item; breaking and pinned in the `_masthead` extension."""
    url = _absolute(item.get_absolute_url())
    html = linebreaks(escape(item.text))
    data = {
        "id": url,
        "url": url,
        "content_text": item.text,
        "content_html": html,
        "date_published": item.published_at.isoformat(),
        "date_modified": max(item.published_at, item.updated_at or item.published_at).isoformat(),
        "authors": [{"name": newsroom.name, "url": _absolute(editions.home_path())}],
        "language": editions.current(),
        "_masthead": {"breaking": item.is_breaking, "pinned": item.is_pinned},
    }
    if item.article and item.article.live:
        article_url = _absolute(item.article.url)
        data["external_url"] = article_url
        data["content_html"] = html + (
            f'<p><a href="{escape(article_url)}">{escape(item.article.title)}</a></p>'
        )
        data["_masthead"]["article"] = {"title": item.article.title, "url": article_url}
    return data


@pagecache.cached_view("feed", "pages")
def feed_json(request):
    """The News Feed as JSON Feed 1.1, newest first, paged with ?before= (next_url)."""
    before = request.GET.get("before")
    cursor = before if before and services.decode_cursor(before) is not None else None
    if cursor:
        pagecache.keyed_by(request, "before")

    def body():
        newsroom = NewsroomSettings.for_request(request)
        items, next_cursor = services.feed_page(before=cursor)
        feed_url = _absolute(reverse("feed:json"))
        data = {
            "version": JSON_FEED_VERSION,
            "title": f"{_('News Feed')} – {newsroom.name}",
            "home_page_url": _absolute(reverse("feed:page")),
            "feed_url": feed_url,
            "description": _description(),
            "language": editions.current(),
            "authors": [{"name": newsroom.name, "url": _absolute(editions.home_path())}],
            "items": [_json_item(item, newsroom) for item in items],
        }
        if next_cursor:
            data["next_url"] = f"{feed_url}?before={next_cursor}"
        return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

    # The same text for every reader of this address until the feed changes (core/fragments.py).
    text = fragments.kept("feed-json", (cursor,), ("feed", "pages"), body, request)
    return HttpResponse(text, content_type=f"{JSON_FEED_TYPE}; charset=utf-8")


@pagecache.cached_view("feed", "pages", "site")
def item(request, pk):
    """One item's own page: its permanent, shareable address, in its edition."""
    feed_item = services.published_item(pk)
    if feed_item is None:
        raise Http404(_("There is no such update in the News Feed."))
    language = feed_item.locale.language_code
    if language != editions.current():
        with translation.override(language):
            return redirect(feed_item.get_absolute_url(), permanent=True)
    text = feed_item.text
    title = text if len(text) <= 70 else text[:69].rstrip() + "…"
    return render(
        request,
        "feed/item_page.html",
        {
            "item": feed_item,
            # Whole seconds: HTML's <time> allows at most three digits of a fraction.
            "published_iso": timezone.localtime(feed_item.published_at).isoformat(
                timespec="seconds"
            ),
            "page_title": title,
            "page_description": text,
            "structured_data": blog_posting(request, feed_item, context=True),
            "admin_edit_url": reverse("wagtailsnippets_feed_feeditem:edit", args=[feed_item.pk]),
        },
    )
