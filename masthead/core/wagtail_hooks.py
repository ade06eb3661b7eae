from wagtail import hooks

from . import pagecache
from .models import PublicPageMixin


@hooks.register("before_serve_page")
def keep_public_pages(page, request, serve_args, serve_kwargs):
    """Let the page cache keep every public page that is not private, routable ones included."""
    if isinstance(page, PublicPageMixin) and not page.get_view_restrictions():
        pagecache.show(request, *page.cache_topics)


@hooks.register("register_admin_urls")
def two_factor_urls():
    from .twofactor import urls

    return urls()


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return {
        "url": reverse("masthead_two_factor"),
        "label": _("Two-factor sign-in"),
        "help_text": _("Ask for a code from your phone as well as your password."),
    }


@hooks.register("insert_global_admin_js")
def name_the_tag_fields():
    """The tag field's own text box gets the field's name (static/js/admin-tag-labels.js)."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<script src="{}" defer></script>', static("js/admin-tag-labels.js"))
