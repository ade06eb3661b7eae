import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from masthead.content.structured_data import live_blog
from masthead.core import fragments, pagecache

from . import services
from .models import FeedItem


@pagecache.cached_view("feed", "pages", "picks", "campaign")
def feed_page(request):
    before = request.GET.get("before")
    first_page = not before or services.decode_cursor(before) is None
    cursor = None if first_page else before
    if cursor:
        pagecache.keyed_by(request, "before")
    title = _("News Feed")
    description = _("The latest news as it happens, in short updates from our newsroom.")

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
            request, timeline["pinned"] + timeline["items"], str(title), str(description)
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
                "feed-json-ld", (cursor, request.get_host()), ("feed", "pages"), structured_data
            ),
            "admin_edit_url": reverse("wagtailsnippets_feed_feeditem:list"),
        },
    )


def _item_json(request, item):
    return {
        "id": item.pk,
        "text": item.text,
        "published_at": item.published_at.isoformat(),
        "is_breaking": item.is_breaking,
        "is_pinned": item.is_pinned,
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "article": (
            {"title": item.article.title, "url": request.build_absolute_uri(item.article.url)}
            if item.article and item.article.live
            else None
        ),
    }


@pagecache.cached_view("feed", "pages")
def feed_json(request):
    """The News Feed as JSON: {"items": [...], "next": url or null}, paged with ?before=."""
    before = request.GET.get("before")
    cursor = before if before and services.decode_cursor(before) is not None else None
    if cursor:
        pagecache.keyed_by(request, "before")

    def body():
        items, next_cursor = services.feed_page(before=cursor)
        next_url = None
        if next_cursor:
            next_url = request.build_absolute_uri(reverse("feed:json") + f"?before={next_cursor}")
        data = {"items": [_item_json(request, item) for item in items], "next": next_url}
        return json.dumps(data, cls=DjangoJSONEncoder)

    # The same text for every reader of this address until the feed changes (core/fragments.py).
    parts = (cursor, request.scheme, request.get_host())
    text = fragments.kept("feed-json", parts, ("feed", "pages"), body, request)
    return HttpResponse(text, content_type="application/json")


def item(request, pk):
    """A permanent address for one item: the feed page, scrolled to it."""
    feed_item = get_object_or_404(FeedItem.objects.published(), pk=pk)
    return redirect(reverse("feed:page") + f"#{feed_item.anchor}")
