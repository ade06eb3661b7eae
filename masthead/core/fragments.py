"""Rendered pieces of pages, kept: story cards, article bodies, the modules beside them.

A page the page cache does not hold (a new address, or every page after a publish) is mostly made of
pieces that have not changed: the nineteen story cards that were on the front page a minute ago, the
article body, the News Feed module. `{% kept %}` keeps each piece's HTML, keyed by what it shows:

- a piece keyed by its content's version (a card: the story's, its section's and its authors' last
  publication, its picture) is right for as long as that key is, and needs no topics;
- a piece that shows a list (the News Feed module) names the topics whose change renews it, and is
  judged by the render's one reading of the topic times, like the parts pages share (pagecache.kept).

Every key carries the edition's language and the newsroom's date ("7:04 PM" today is "Dec 16,
7:04 PM" tomorrow). Pieces hold no per-request markup: no CSP nonce, no staff tools, nothing of a
member. Previews of drafts are rendered whole.
"""

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone, translation

from . import pagecache


def enabled():
    return pagecache.enabled() and getattr(settings, "PAGE_FRAGMENTS", True)


def key(name, parts):
    described = repr(
        (name, _plain(parts), translation.get_language(), timezone.localdate().isoformat())
    )
    return "pagecache:fragment:" + hashlib.sha256(described.encode()).hexdigest()


def _plain(value):
    """The same moment is the same key, whatever time zone the object carrying it came with."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (tuple, list)):
        return tuple(_plain(item) for item in value)
    return value


def kept(name, parts, topics, render, request=None):
    """The HTML render() makes, kept under (name, parts) until one of the topics changes.

    A preview (an editor's draft, a revision) shows what is not published: never kept, never read
    from what is."""
    if not enabled() or getattr(request, "is_preview", False):
        return render()
    return pagecache.kept(key(name, parts), topics, render)


class KeptData:
    """Structured data for a page, kept as its JSON text like a piece of the page: build() is
    called only when the text is not held ({% json_ld %} in core/templatetags/newsroom.py)."""

    do_not_call_in_templates = True

    def __init__(self, name, parts, topics, build):
        self.name, self.parts, self.topics, self.build = name, parts, topics, build
