from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from masthead.core.models import NewsroomSettings

from . import services


class NewsFeedRss(Feed):
    """The News Feed as RSS 2.0: every item, newest first."""

    def __call__(self, request, *args, **kwargs):
        self.newsroom = NewsroomSettings.for_request(request)
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{_('News Feed')} – {self.newsroom.name}"

    def link(self):
        return settings.SITE_URL + reverse("feed:page")

    def description(self):
        return _("The latest news as it happens, in short updates from our newsroom.")

    def items(self):
        return services.latest_items(limit=50)

    def item_title(self, item):
        prefix = _("Breaking: ") if item.is_breaking else ""
        text = item.text if len(item.text) <= 100 else item.text[:99].rstrip() + "…"
        return prefix + text

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at
