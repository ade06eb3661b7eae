"""Factories for the newsroom's pages. Pages are created under a parent, as Wagtail requires."""

import factory
from django.utils import timezone
from wagtail.models import Page, Site

from masthead.content.models import (
    ArticleAuthor,
    ArticleIndexPage,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    RoundupIndexPage,
    RoundupItem,
    RoundupPage,
    SectionPage,
)


class PageFactory(factory.django.DjangoModelFactory):
    """Create a page as a child of `parent` and publish it (publish=False leaves a draft).

    `published_at` back-dates the publication, as the demo and the tests need.
    """

    class Meta:
        abstract = True

    _extra_args = ()

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=True, published_at=None, **kwargs):
        extras = {name: kwargs.pop(name) for name in cls._extra_args if name in kwargs}
        page = model_class(*args, **kwargs)
        page.live = publish
        cls.prepare(page, **extras)
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
            page.refresh_from_db()
        if published_at is not None:
            page.first_published_at = page.last_published_at = published_at
            fields = {"first_published_at": published_at, "last_published_at": published_at}
            if hasattr(page, "published_at"):
                fields["published_at"] = page.published_at = published_at
            model_class.objects.filter(pk=page.pk).update(**fields)
        return page

    @classmethod
    def prepare(cls, page, **extras):
        """Attach child objects (byline, tags, items) before the page is saved."""


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    title = "Home"
    slug = "home"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        root = parent or Page.get_first_root_node()
        page = super()._create(model_class, *args, parent=root, **kwargs)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=page, is_default_site=True)
        else:
            site.root_page = page
            site.save()
        return page


class EditionHomePageFactory(PageFactory):
    """Another edition's home page: a translation of the site's root, beside it under the tree's root.

    Pass locale and translation_key (the default edition's home page's)."""

    class Meta:
        model = HomePage

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return super()._create(model_class, *args, parent=Page.get_first_root_node(), **kwargs)


class ArticleIndexPageFactory(PageFactory):
    class Meta:
        model = ArticleIndexPage

    title = "News"
    slug = "news"


class AuthorIndexPageFactory(PageFactory):
    class Meta:
        model = AuthorIndexPage

    title = "Our team"
    slug = "authors"


class RoundupIndexPageFactory(PageFactory):
    class Meta:
        model = RoundupIndexPage

    title = "Roundups"
    slug = "roundups"


class SectionPageFactory(PageFactory):
    class Meta:
        model = SectionPage

    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    intro = factory.LazyAttribute(lambda o: f"The latest from our {o.title} desk.")


class AuthorPageFactory(PageFactory):
    class Meta:
        model = AuthorPage

    title = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Reporter"
    bio = "<p>Reports for the newsroom.</p>"


def paragraph_body(paragraphs):
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


class ArticlePageFactory(PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "What happened, and what it means."
    body = factory.LazyFunction(lambda: paragraph_body(["First paragraph.", "Second paragraph."]))

    _extra_args = ("authors", "tags")

    @classmethod
    def prepare(cls, page, authors=(), tags=()):
        for position, author in enumerate(authors):
            page.byline.add(ArticleAuthor(author=author, sort_order=position))
        if tags:
            page.tags.add(*tags)


class RoundupPageFactory(PageFactory):
    class Meta:
        model = RoundupPage

    date = factory.LazyFunction(timezone.localdate)

    _extra_args = ("items",)

    @classmethod
    def prepare(cls, page, items=()):
        for position, item in enumerate(items):
            if isinstance(item, str):
                item = RoundupItem(text=item)
            item.sort_order = position
            page.items.add(item)


def schedule_then_make_due(page):
    """Schedule a draft an hour ahead, then move its go-live time into the past, as if the hour passed.

    Returns the page, still not live: publishing it is the worker's job.
    """
    import datetime

    from wagtail.models import Revision

    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # with go_live_at ahead, this only approves the revision for later
    past = timezone.now() - datetime.timedelta(seconds=1)
    revision = Revision.objects.get(pk=revision.pk)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    page.refresh_from_db()
    return page
