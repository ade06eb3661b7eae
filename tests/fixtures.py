import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Collection, Locale, Page

from masthead.content.models import ArticleAuthor, ArticlePage
from masthead.content.tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorIndexPageFactory,
    AuthorPageFactory,
    EditionHomePageFactory,
    HomePageFactory,
    RoundupIndexPageFactory,
    SectionPageFactory,
)
from masthead.core import editions
from masthead.core.models import NewsroomSettings
from masthead.images.tests.factories import NewsImageFactory

# The local Stripe stand-in, for the journeys in tests/ (the members tests own it).
from masthead.members.tests.conftest import stripe_world  # noqa: E402, F401
from masthead.staff import roles


@dataclass
class Newsroom:
    home: object
    news: object
    team: object
    roundups: object
    sections: list
    authors: list
    articles: list = field(default_factory=list)

    def article(self, **kwargs):
        kwargs.setdefault("parent", self.news)
        kwargs.setdefault("section", self.sections[0])
        kwargs.setdefault("authors", [self.authors[0]])
        article = ArticlePageFactory(**kwargs)
        self.articles.append(article)
        return article


def ensure_page_tree_root():
    """Recreate what the migrations made if a transactional test's flush removed it: the locales,
    the page tree's and the collections' roots, and the newsroom's roles (a flush that emits
    `post_migrate` brings the roles back by itself; one that does not, does not)."""
    ContentType.objects.clear_cache()  # a flush's post_migrate made them again, with new ids
    for code in editions.codes():
        Locale.objects.get_or_create(language_code=code)
    rebuilt = False
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
        rebuilt = True
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
        rebuilt = True
    if rebuilt or Group.objects.filter(name__in=roles.BY_NAME).count() < len(roles.ROLES):
        roles.apply()


@pytest.fixture
def newsroom(db):
    """A home page with News, Our team and Roundups, two sections and two authors; no articles."""
    cache.clear()
    return make_newsroom()


def make_newsroom():
    """Build the `newsroom` fixture's pages in whatever database is configured (also a subprocess's)."""
    ensure_page_tree_root()
    Page.objects.filter(depth=2).delete()
    home = HomePageFactory(title="Masthead", slug="home")
    NewsroomSettings.objects.update_or_create(
        site=home.get_site(), defaults={"name": "Masthead", "description": "Independent news."}
    )
    team = AuthorIndexPageFactory(parent=home)
    room = Newsroom(
        home=home,
        news=ArticleIndexPageFactory(parent=home),
        team=team,
        roundups=RoundupIndexPageFactory(parent=home),
        sections=[
            SectionPageFactory(parent=home, title="War", slug="war", nav_order=0),
            SectionPageFactory(parent=home, title="Culture", slug="culture", nav_order=1),
        ],
        authors=[
            AuthorPageFactory(
                parent=team,
                title="Olena Marchenko",
                slug="olena-marchenko",
                job_title="Chief Executive Officer",
            ),
            AuthorPageFactory(
                parent=team,
                title="Taras Bondar",
                slug="taras-bondar",
                job_title="War Correspondent",
            ),
        ],
    )
    return room


@pytest.fixture
def image(db):
    return NewsImageFactory(
        description="Rescue workers at a damaged building at dusk", credit="Iryna Moroz"
    )


@pytest.fixture
def an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change and what waits for its commit (cached pages hear about changes only then),
    then let the page cache's clock-skew margin pass."""
    import time

    from masthead.core import pagecache

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        time.sleep(pagecache.CLOCK_SKEW + 0.05)
        return result

    return run


@dataclass
class Edition:
    """The Ukrainian edition of the `newsroom` fixture: its pages are translations of the English."""

    locale: object
    home: object
    news: object
    sections: list
    authors: list

    def translate(self, article, **fields):
        """A Ukrainian translation of an English article, published (Wagtail's copy for
        translation, as the admin's Translate action makes it)."""
        translated = article.copy_for_translation(self.locale)
        fields.setdefault("section", self.sections[0])
        for name, value in fields.items():
            setattr(translated, name, value)
        translated.byline = [ArticleAuthor(author=self.authors[0], sort_order=0)]
        translated.save_revision().publish()
        return ArticlePage.objects.get(pk=translated.pk)


@pytest.fixture
def ukrainian(newsroom):
    """The Ukrainian edition: the home page, News, a section and an author translated."""
    locale = Locale.objects.get(language_code="uk")

    def translate(page, **fields):
        translated = page.copy_for_translation(locale)
        for name, value in fields.items():
            setattr(translated, name, value)
        translated.save_revision().publish()
        return translated.specific_class.objects.get(pk=translated.pk)

    home = EditionHomePageFactory(
        title="Masthead",
        slug="home-uk",
        locale=locale,
        translation_key=newsroom.home.translation_key,
    )
    translate(newsroom.team, title="Наша команда")
    return Edition(
        locale=locale,
        home=home,
        news=translate(newsroom.news, title="Новини"),
        sections=[translate(newsroom.sections[0], title="Війна")],
        authors=[
            translate(
                newsroom.authors[0], title="Олена Марченко", job_title="Генеральна директорка"
            )
        ],
    )
