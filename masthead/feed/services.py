"""What the newsroom does with its News Feed: post items and read them back in pages."""

import datetime

from django.utils import timezone

from masthead.core import editions

from .models import FeedItem

PAGE_SIZE = 20
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _edition():
    return FeedItem.objects.published().filter(locale__language_code=editions.current())


def post_item(
    *, text, user=None, article=None, is_breaking=False, is_pinned=False, published_at=None
):
    """Post one item to the News Feed, validated as the admin form validates it."""
    item = FeedItem(
        text=text,
        article=article,
        is_breaking=is_breaking,
        is_pinned=is_pinned,
        published_at=published_at or timezone.now(),
        posted_by=user,
    )
    item.full_clean(exclude=["locale", "translation_key"])
    item.save()
    return item


def latest_items(limit=8):
    """The newest published items of the edition (shared by the home page and articles)."""
    from masthead.core import pagecache

    def build():
        return list(_edition().select_related("article").newest_first()[:limit])

    return pagecache.remember(f"feed:{editions.current()}:{limit}", ("feed", "pages"), build)


def items_due_between(start, end):
    """Whether any item's time (an embargo, or just posting) fell in (start, end]."""
    return FeedItem.objects.filter(published_at__gt=start, published_at__lte=end).exists()


def coverage_start():
    """When the edition's News Feed began: the time of its first published item, or None."""
    first = _edition().order_by("published_at", "id").values_list("published_at", flat=True)
    return first.first()


def published_item(pk):
    """A published item of any edition (with its locale), or None: ids too large are no item."""
    if not 0 < pk < 2**63:
        return None
    return FeedItem.objects.published().select_related("article", "locale").filter(pk=pk).first()


def pinned_items():
    return list(_edition().filter(is_pinned=True).select_related("article").newest_first()[:3])


def encode_cursor(item):
    delta = item.published_at - EPOCH
    return f"{delta // datetime.timedelta(microseconds=1)}-{item.pk}"


def decode_cursor(raw):
    """Turn '<microseconds>-<id>' back into (time, id); anything malformed means 'from the top'."""
    try:
        micros, pk = (int(part) for part in str(raw).split("-", 1))
        moment = EPOCH + datetime.timedelta(microseconds=micros)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment, pk


def feed_page(before=None, size=PAGE_SIZE):
    """Return (items, next_cursor): one page of the timeline, newest first, by keyset pagination.

    Keyset rather than OFFSET so 'More news' costs the same at item one million as at item one.
    """
    items = _edition().select_related("article").newest_first()
    cursor = decode_cursor(before) if before else None
    if cursor:
        moment, pk = cursor
        items = items.filter(published_at__lte=moment).exclude(published_at=moment, id__gte=pk)
    page = list(items[: size + 1])
    next_cursor = encode_cursor(page[size - 1]) if len(page) > size else None
    return page[:size], next_cursor
