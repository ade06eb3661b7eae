from wagtail import hooks

from . import pagecache
from .models import PublicPageMixin


@hooks.register("before_serve_page")
def keep_public_pages(page, request, serve_args, serve_kwargs):
    """Let the page cache keep every public page that is not private, routable ones included."""
    if isinstance(page, PublicPageMixin) and not page.get_view_restrictions():
        pagecache.show(request, *page.cache_topics)
