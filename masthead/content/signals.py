"""Cached pages follow the page tree: anything published, unpublished, moved or deleted."""

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.core import pagecache
from masthead.images.models import NewsImage

from .models import EditorsPick, EditorsPicks


def pages_changed(sender, **kwargs):
    pagecache.changed("pages")


page_published.connect(pages_changed, dispatch_uid="pagecache:published")
page_unpublished.connect(pages_changed, dispatch_uid="pagecache:unpublished")
post_page_move.connect(pages_changed, dispatch_uid="pagecache:moved")
# Deletions: Django signals them for the Page row too (saves are signalled for the specific model
# only, and only publishing makes a save visible, which page_published covers).
pagecache.follow(Page, "pages")
pagecache.follow(PageViewRestriction, "pages")  # a page made private leaves every cache
pagecache.follow(NewsImage, "pages")  # a new credit or focal point shows wherever the image does
pagecache.follow(EditorsPicks, "picks")
pagecache.follow(EditorsPick, "picks")
