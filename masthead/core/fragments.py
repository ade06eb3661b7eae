"""Rendered pieces of pages, kept: story cards, article bodies, the modules beside them.

A page the page cache does not hold (a new address, or every page after a publish) is mostly made of
pieces that have not changed: the nineteen story cards that were on the front page a minute ago, the
article body, the News Feed module. `{% kept %}` keeps each piece's HTML, keyed by what it shows:

- a piece keyed by its content's version (a card: the story's, its section's and its authors' last
  publication, its picture) is right for as long as that key is, and needs no topics;
- a piece that shows a list (the News Feed module) names the topics whose change renews it, and is
  judged by the render's one reading of the topic times, like the parts pages share (pagecache.kept).

Every key carries the edition's language and the newsroom's date ("7:04 PM" today is "Dec 16, 7:04
PM" tomorrow). Pieces hold no per-request markup: no CSP nonce, no staff tools, nothing of a member.
"""

import hashlib

from django.conf import settings
from django.utils import timezone, translation

from . import pagecache


def enabled():
    return pagecache.enabled() and getattr(settings, "PAGE_FRAGMENTS", True)


def key(name, parts):
    described = repr((name, parts, translation.get_language(), timezone.localdate().isoformat()))
    return "pagecache:fragment:" + hashlib.sha256(described.encode()).hexdigest()


def kept(name, parts, topics, render):
    """The HTML render() makes, kept under (name, parts) until one of the topics changes."""
    if not enabled():
        return render()
    return pagecache.kept(key(name, parts), topics, render)
