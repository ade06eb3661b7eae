from wagtail.contrib.routable_page.models import RoutablePageMixin, path


class ArticleListingMixin(RoutablePageMixin):
    """A page that lists some of the newsroom's articles, paginated, with an RSS feed at rss/."""

    articles_per_page = 20

    def listed_articles(self):
        """Return the live articles this page lists, newest first."""
        raise NotImplementedError

    @path("")
    def index_route(self, request):
        from masthead.core.pagination import paginate

        articles = paginate(request, self.listed_articles(), self.articles_per_page)
        return self.render(request, context_overrides={"articles": articles})

    @path("rss/", name="rss")
    def rss(self, request):
        from ..feeds import ListingFeed

        return ListingFeed()(request, listing=self)
