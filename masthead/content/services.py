"""What the newsroom does with its content: the lists readers see and today's roundup."""

from django.db import transaction
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from masthead.core import editions, pagecache
from masthead.feed.models import FeedItem
from masthead.feed.services import latest_items

from .models import (
    ArticleAuthor,
    ArticlePage,
    EditorsPick,
    RoundupIndexPage,
    RoundupItem,
    RoundupPage,
    SectionPage,
)

LATEST_PER_SECTION = 3
# Newest first, with the id breaking ties so pages never repeat or skip a story; served by an index.
NEWEST_FIRST = ("-published_at", "-page_ptr_id")
TOP_STORIES = 4


def _with_listing_data(queryset):
    """Fetch what a story card shows (section, picture, byline) in a fixed number of queries."""
    return queryset.select_related("section", "hero_image").prefetch_related(
        "hero_image__renditions",
        Prefetch(
            "byline", queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order")
        ),
    )


def published_articles():
    """Return live articles in the active edition, newest first, ready to list."""
    articles = ArticlePage.objects.live().filter(language_code=editions.current())
    return _with_listing_data(articles.order_by(*NEWEST_FIRST))


def editors_picks(site_id):
    """The site's one list of picks, as this edition shows it: each pick in the edition's language
    (the article itself or its live translation), and picks not translated left out."""
    language = editions.current()

    def build():
        picks = (
            EditorsPick.objects.filter(picks__site_id=site_id, article__live=True)
            .select_related("article")
            .order_by("sort_order")
        )
        articles = [pick.article for pick in picks]
        if all(article.language_code == language for article in articles):
            return articles
        keys = [article.translation_key for article in articles]
        translated = {
            article.translation_key: article
            for article in ArticlePage.objects.live().filter(
                translation_key__in=keys, language_code=language
            )
        }
        return [translated[key] for key in keys if key in translated]

    return pagecache.remember(f"picks:{site_id}:{language}", ("picks", "pages"), build)


def latest_roundup():
    """The newest live roundup with its items, ready for the side box."""
    language = editions.current()

    def build():
        return (
            RoundupPage.objects.live()
            .filter(locale__language_code=language)
            .prefetch_related("items")
            .order_by("-date")
            .first()
        )

    return pagecache.remember(f"roundup:{language}", ("pages",), build)


def sections():
    """The edition's live sections in navigation order."""
    language = editions.current()

    def build():
        return list(
            SectionPage.objects.live()
            .filter(locale__language_code=language)
            .order_by("nav_order", "title")
        )

    return pagecache.remember(f"sections:{language}", ("pages",), build)


def latest_by_section(section_list, per_section=LATEST_PER_SECTION, exclude=()):
    """Return [(section, [articles])] in a fixed number of queries, however many articles there are
    (leaving out the articles whose ids are in exclude: the home page's lead and top stories).

    Each section's newest ids come from a LIMIT subquery on its own index, joined with UNION ALL
    into one IN (...): the database runs each small subquery and then looks the ids up. (OR-ing
    the subqueries made PostgreSQL test all 100,000 articles against each: 170 ms; a window
    function over all of them did not stay flat either.)
    """
    if not section_list:
        return []
    parts, params = [], []
    for number, section in enumerate(section_list):
        newest = ArticlePage.objects.live().filter(section=section).order_by(*NEWEST_FIRST)
        if exclude:
            newest = newest.exclude(pk__in=sorted(exclude))
        sql, part_params = newest.values("pk")[:per_section].query.sql_with_params()
        # Only SQL Django compiled, with its parameters kept apart: nothing from a request.
        parts.append(f"SELECT * FROM ({sql}) AS newest_{number}")  # noqa: S608
        params.extend(part_params)
    newest_ids = RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611 - as above
    articles = published_articles().filter(pk__in=newest_ids)
    grouped = {section.pk: [] for section in section_list}
    for article in articles:
        grouped[article.section_id].append(article)
    return [(section, grouped[section.pk]) for section in section_list if grouped[section.pk]]


def _lazy(**values):
    """Context values computed only if the template renders them: a kept piece of a page
    (masthead.core.fragments) that is already held never asks, so its queries are never run."""
    return {name: SimpleLazyObject(compute) for name, compute in values.items()}


def front_page(home):
    """Everything the home page shows: lead, top stories, feed, picks and each section's latest.

    No story twice: the section rows leave out the lead and the top stories, and the picks leave
    out every story the page already shows."""
    front = SimpleLazyObject(lambda: _front_stories(home))
    rows = SimpleLazyObject(lambda: latest_by_section(sections(), exclude=_shown(front)))

    def picks():
        shown = _shown(front) | {article.pk for _section, articles in rows for article in articles}
        return [pick for pick in editors_picks(home.get_site_id()) if pick.pk not in shown]

    return {
        "front": front,
        "section_latest": rows,
        **_lazy(
            feed_items=lambda: latest_items(limit=8),
            editors_picks=picks,
            latest_roundup=latest_roundup,
        ),
    }


def _front_stories(home):
    latest = list(published_articles()[: TOP_STORIES + 1])
    lead = (
        home.lead_story if home.lead_story_id and home.lead_story and home.lead_story.live else None
    )
    if lead is None and latest:
        lead = latest[0]
    top = [a for a in latest if lead is None or a.pk != lead.pk][:TOP_STORIES]
    return {"lead_story": lead, "top_stories": top}


def _shown(front):
    lead = front["lead_story"]
    return {article.pk for article in front["top_stories"]} | ({lead.pk} if lead else set())


def article_sidebar(article):
    """What sits beside an article: related latest, the latest roundup, feed and picks."""

    def related():
        found = published_articles().exclude(pk=article.pk)
        if article.section_id:
            found = found.filter(section_id=article.section_id)
        return list(found[:4])

    return _lazy(
        related_latest=related,
        latest_roundup=latest_roundup,
        feed_items=lambda: latest_items(limit=5),
        editors_picks=lambda: [
            pick for pick in editors_picks(article.get_site_id()) if pick.pk != article.pk
        ][:5],
    )


def can_start_roundup(user):
    index = RoundupIndexPage.objects.first()
    return bool(index and index.permissions_for_user(user).can_add_subpage())


def todays_roundup(today=None, index=None):
    """Today's roundup (a draft or live), the one start_todays_roundup() makes; None if not yet."""
    index = index or RoundupIndexPage.objects.first()
    if index is None:
        return None
    today = today or timezone.localdate()
    return RoundupPage.objects.child_of(index).filter(date=today).first()


@transaction.atomic
def start_todays_roundup(user=None, today=None):
    """Create today's roundup as a draft, pre-filled from today's feed items and articles.

    Returns (roundup, created). If today's roundup exists already it is returned untouched.
    """
    today = today or timezone.localdate()
    index = RoundupIndexPage.objects.first()
    if index is None:
        raise LookupError("There is no roundup index page to put the roundup under.")
    existing = todays_roundup(today, index=index)
    if existing:
        return existing, False

    tz = timezone.get_current_timezone()
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()), tz)
    end = start + timezone.timedelta(days=1)
    roundup = RoundupPage(date=today, live=False, owner=user, locale=index.locale)
    position = 0
    todays_items = (
        FeedItem.objects.filter(published_at__gte=start, published_at__lt=end)
        .select_related("article")
        .order_by("published_at")
    )
    for item in todays_items:
        roundup.items.add(
            RoundupItem(text=item.text, article=item.article, feed_item=item, sort_order=position)
        )
        position += 1
    linked = {item.article_id for item in todays_items if item.article_id}
    todays_articles = ArticlePage.objects.live().filter(
        published_at__gte=start, published_at__lt=end
    )
    for article in todays_articles.exclude(pk__in=linked).order_by("published_at"):
        roundup.items.add(RoundupItem(text=article.summary, article=article, sort_order=position))
        position += 1
    index.add_child(instance=roundup)
    roundup.save_revision(user=user, log_action=True)
    return roundup, True
