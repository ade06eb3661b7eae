"""Build a believable demo newsroom from the test factories: fixed seed, no network, our own prose."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from masthead.content.models import (
    ArticleAuthor,
    ArticlePage,
    EditorsPick,
    EditorsPicks,
    HomePage,
    RoundupItem,
)
from masthead.content.tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorIndexPageFactory,
    AuthorPageFactory,
    EditionHomePageFactory,
    HomePageFactory,
    RoundupIndexPageFactory,
    RoundupPageFactory,
    SectionPageFactory,
)
from masthead.core import editions
from masthead.core.models import NewsroomEdition, NewsroomSettings
from masthead.feed.tests.factories import FeedItemFactory
from masthead.images import renditions
from masthead.images.tests.factories import NewsImageFactory

from . import writing_uk
from .audience import create_demo_audience
from .writing import JOB_TITLES, TAGS, Writer
from .writing_uk import UkrainianWriter

SECTIONS = ["War", "Politics", "Business", "Culture", "Opinion"]
DEMO_PASSWORD = "masthead-demo"  # noqa: S105 - printed on start; the demo is for local use only
DEMO_USERS = [
    ("admin", "Admin", True),
    ("editor", "Editor", False),
    ("writer", "Writer", False),
    ("revenue", "Revenue", False),
]


def _progress(report, done, total, label):
    if report:
        report(done, total, label)


DEMO_NARRATIONS = 4
# The newest articles also appear in Ukrainian (each a translation of its English original).
UKRAINIAN_ARTICLES = 12


@transaction.atomic
def build_newsroom(
    *, seed=2026, articles=60, feed_items=100, days=10, report=None, site_url=None, narrate=True
):
    """Create the whole demo newsroom. Returns a dict of what was made.

    Only the newest few articles are narrated (by the worker, in the background): narrating all
    sixty would keep a laptop busy for ten minutes.
    """
    from masthead.audio import services as audio_services

    with audio_services.paused():
        made = _build_newsroom(
            seed=seed,
            articles=articles,
            feed_items=feed_items,
            days=days,
            report=report,
            site_url=site_url,
        )
    if narrate:
        narrate_newest()
    return made


def narrate_newest():
    """Queue the newest articles' narration (the worker reads them aloud, in the background)."""
    from masthead.audio import services as audio_services

    newest = ArticlePage.objects.live().order_by("-published_at")
    for article in newest[:DEMO_NARRATIONS]:
        audio_services.request_narration(article)


def _build_newsroom(*, seed, articles, feed_items, days, report, site_url):
    rng = random.Random(seed)
    writer = Writer(rng)
    now = timezone.now()
    NewsImageFactory.reset_sequence(seed)

    # Wagtail's placeholder "Welcome" page holds the slug "home"; the newsroom replaces it.
    Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page)).delete()
    home = HomePageFactory(
        title="Masthead", slug="home", search_description="Independent news from the front line."
    )
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Masthead"
    if site_url:
        scheme, _, rest = site_url.partition("://")
        host, _, port = rest.partition(":")
        site.hostname = host or "localhost"
        site.port = int(port or (443 if scheme == "https" else 80))
    site.save()

    logo = NewsImageFactory(title="Masthead logo", description="Masthead", width=600, height=60)
    NewsroomSettings.objects.update_or_create(
        site=site,
        defaults={
            "name": "Masthead",
            "tagline": "Independent news, paid for by our members",
            "description": "Masthead is an independent newsroom funded by its readers. No paywall, no owner.",
            "logo": logo,
        },
    )
    if "uk" in editions.codes():
        NewsroomEdition.objects.update_or_create(
            settings=NewsroomSettings.objects.get(site=site),
            language="uk",
            defaults={
                "tagline": "Незалежні новини, які оплачують наші члени",
                "description": "Masthead — незалежна редакція, яку утримують читачі. "
                "Без платного доступу, без власника.",
            },
        )

    news = ArticleIndexPageFactory(parent=home, intro="Every story we publish, newest first.")
    team = AuthorIndexPageFactory(
        parent=home, intro="The people who report, edit and publish Masthead."
    )
    roundup_index = RoundupIndexPageFactory(
        parent=home, intro="Each day's key developments in short."
    )
    sections = [
        SectionPageFactory(parent=home, title=name, slug=name.lower(), nav_order=position)
        for position, name in enumerate(SECTIONS)
    ]

    authors = []
    for position, job_title in enumerate(JOB_TITLES[:6]):
        name = writer.person()
        while any(a.title == name for a in authors):
            name = writer.person()
        photo = NewsImageFactory(
            title=f"Portrait of {name}", description=f"Portrait of {name}", width=600, height=600
        )
        renditions.warm(photo, kinds=("portrait",))
        authors.append(
            AuthorPageFactory(
                parent=team,
                title=name,
                slug=name.lower().replace(" ", "-"),
                job_title=job_title,
                photo=photo,
                bio=writer.bio(name, job_title),
            )
        )
        _progress(report, position + 1, 6, "authors")

    made = []
    span = datetime.timedelta(days=days)
    for n in range(articles):
        section = sections[n % len(sections)]
        headline, topic = writer.headline(section.title)
        published_at = (
            now - span * (n / max(articles, 1)) - datetime.timedelta(minutes=rng.randint(5, 50))
        )
        image = NewsImageFactory(title=headline[:80], description=f"Illustration for: {headline}")
        renditions.warm(image)
        paragraphs = writer.paragraphs(topic, rng.randint(5, 14))
        body = [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs[:3]]
        if n % 3 == 0:
            body.append({"type": "heading", "value": "What happens next"})
        quote, who = writer.quote()
        body.append({"type": "quote", "value": {"text": quote, "attribution": who}})
        body += [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs[3:]]
        if made and n % 4 == 0:
            body.append(
                {"type": "related_article", "value": {"article": made[-1].pk, "label": "Read more"}}
            )
        byline = [authors[n % len(authors)]] + (
            [authors[(n + 2) % len(authors)]] if n % 5 == 0 else []
        )
        made.append(
            ArticlePageFactory(
                parent=news,
                title=headline,
                slug=f"{n + 1}-{'-'.join(headline.lower().split()[:7])}".replace(",", "").replace(
                    "'", ""
                ),
                summary=writer.summary(topic),
                section=section,
                hero_image=image,
                hero_caption=f"{topic.capitalize()} in the region. Illustration generated for the demo.",
                hero_credit="Masthead demo",
                body=body,
                authors=byline,
                tags=rng.sample(TAGS, k=2),
                published_at=published_at,
                correction=(
                    "An earlier version of this story gave the wrong day for the announcement."
                    if n % 17 == 5
                    else ""
                ),
            )
        )
        made[-1].demo_topic = topic  # for its Ukrainian translation
        _progress(report, n + 1, articles, "articles")

    items = []
    for n in range(feed_items):
        published_at = now - span * (n / max(feed_items, 1))
        article = made[n % len(made)] if made and n % 4 == 0 else None
        items.append(
            FeedItemFactory(
                text=writer.feed_line(),
                article=article,
                is_breaking=n % 23 == 0,
                is_pinned=n == 3,
                published_at=published_at,
            )
        )
        _progress(report, n + 1, feed_items, "feed items")

    today = timezone.localdate()
    for offset in range(days):
        day = today - datetime.timedelta(days=offset)
        todays = [i for i in items if timezone.localdate(i.published_at) == day][:6]
        bullets = [RoundupItem(text=i.text, article=i.article, feed_item=i) for i in todays]
        if not bullets:
            continue
        RoundupPageFactory(
            parent=roundup_index, date=day, intro="The day's main events in brief.", items=bullets
        )
        _progress(report, offset + 1, days, "roundups")

    picks, _ = EditorsPicks.objects.get_or_create(site=site)
    for position, article in enumerate(made[2:30:5]):
        EditorsPick.objects.create(picks=picks, article=article, sort_order=position)

    if "uk" in editions.codes():
        _build_ukrainian_edition(
            rng=random.Random(seed + 1),
            home=home,
            news=news,
            team=team,
            roundup_index=roundup_index,
            sections=sections,
            authors=authors,
            articles=made[:UKRAINIAN_ARTICLES],
            feed_items=max(feed_items // 3, 1) if feed_items else 0,
            days=days,
            report=report,
        )

    create_demo_newsletters()
    create_demo_issue()
    create_demo_campaign()
    users = create_demo_users()
    audience = create_demo_audience(random.Random(seed + 2))
    return {
        "home": home,
        "sections": sections,
        "authors": authors,
        "articles": made,
        "feed_items": items,
        "users": users,
        "audience": audience,
    }


def _translate(page, parent_factory_kwargs=None, **fields):
    """Wagtail's copy of a page into the Ukrainian locale (linked by its translation key), with
    Ukrainian text in place of the English, published."""
    uk = Locale.objects.get(language_code="uk")
    translated = page.copy_for_translation(uk)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    translated.refresh_from_db()
    return translated


def _describe_in_ukrainian(image, text):
    """The picture's alt text for the Ukrainian edition's readers (the library keeps both)."""
    if image is not None:
        image.translated_descriptions = {**(image.translated_descriptions or {}), "uk": text}
        image.save(update_fields=["translated_descriptions"])


def _build_ukrainian_edition(
    *, rng, home, news, team, roundup_index, sections, authors, articles, feed_items, days, report
):
    """The Ukrainian edition: the home page, lists, sections and team translated, the newest
    articles in Ukrainian (each a translation of its English original), its own News Feed and
    roundups."""
    writer = UkrainianWriter(rng)
    uk = Locale.objects.get(language_code="uk")
    uk_home = EditionHomePageFactory(
        # Named apart from the English home in the admin's page tree; readers see the newsroom's name.
        title="Masthead (українською)",
        seo_title="Masthead",
        slug="home-uk",
        locale=uk,
        translation_key=home.translation_key,
        search_description="Незалежні новини з лінії фронту.",
    )
    uk_news = _translate(news, title="Новини", intro="Усі наші матеріали, від найновіших.")
    uk_team = _translate(
        team, title="Наша команда", intro="Люди, які пишуть, редагують і випускають Masthead."
    )
    uk_roundups = _translate(
        roundup_index, title="Підсумки дня", intro="Головні події кожного дня коротко."
    )
    uk_sections = {
        section.pk: _translate(
            section,
            title=writing_uk.SECTION_TITLES.get(section.title, section.title),
            intro="Останні матеріали цього розділу.",
        )
        for section in sections
    }
    uk_authors = {}
    for author in authors:
        name = writing_uk.person(author.title)
        _describe_in_ukrainian(author.photo, f"Портрет: {name}")
        uk_authors[author.pk] = _translate(
            author,
            title=name,
            job_title=writing_uk.JOB_TITLES.get(author.job_title, author.job_title),
            bio=f"<p>{name} працює в Masthead. До редакції працювали репортерами на сході країни.</p>",
        )
    assert uk_home.pk and uk_news.pk and uk_team.pk

    made = []
    for n, original in enumerate(articles):
        topic = original.demo_topic
        city = writing_uk.city_in(original.title)
        paragraphs = writer.paragraphs(topic, rng.randint(5, 10), city)
        quote, who = writer.quote()
        body = [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs[:2]]
        body.append({"type": "quote", "value": {"text": quote, "attribution": who}})
        body += [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs[2:]]
        translated = original.copy_for_translation(uk)
        translated.title = writer.headline(topic, city)
        translated.summary = writer.summary(topic, city)
        translated.body = body
        translated.section = uk_sections.get(original.section_id)
        translated.hero_caption = "Ілюстрацію створено для демонстрації."
        translated.hero_credit = "Masthead, демо"
        translated.correction = ""
        translated.tags.set(
            [writing_uk.TAGS.get(tag.name, tag.name) for tag in original.tags.all()]
        )
        translated.byline = [
            ArticleAuthor(author=uk_authors[entry.author_id], sort_order=position)
            for position, entry in enumerate(original.byline.all())
        ]
        translated.save_revision().publish()
        _describe_in_ukrainian(original.hero_image, f"Ілюстрація до матеріалу: {translated.title}")
        when = original.published_at
        ArticlePage.objects.filter(pk=translated.pk).update(
            published_at=when, first_published_at=when, last_published_at=when
        )
        made.append(translated)
        _progress(report, n + 1, len(articles), "Ukrainian articles")

    now = timezone.now()
    span = datetime.timedelta(days=days)
    items = []
    for n in range(feed_items):
        items.append(
            FeedItemFactory(
                text=writer.feed_line(),
                locale=uk,
                article=made[n % len(made)] if made and n % 4 == 0 else None,
                is_breaking=n % 23 == 0,
                published_at=now - span * (n / max(feed_items, 1)),
            )
        )
    today = timezone.localdate()
    for offset in range(days):
        day = today - datetime.timedelta(days=offset)
        todays = [i for i in items if timezone.localdate(i.published_at) == day][:5]
        if todays:
            RoundupPageFactory(
                parent=uk_roundups,
                locale=uk,
                date=day,
                intro="Коротко про головне за день.",
                items=[RoundupItem(text=i.text, article=i.article, feed_item=i) for i in todays],
            )
    return made


def create_demo_users():
    """One person in each role (masthead/staff/roles.py), with the demo password."""
    user_model = get_user_model()
    users = []
    for username, group_name, superuser in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "is_staff": True,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        users.append(user)
    return users


def create_demo_newsletters():
    from masthead.newsletters.models import Newsletter

    newsletters = [
        (
            "en",
            "daily-briefing",
            "The Daily Briefing",
            "daily",
            "The day's key developments every morning.",
            True,
        ),
        (
            "en",
            "from-the-front",
            "From the Front",
            "weekly",
            "Our war correspondent's weekly dispatch.",
            False,
        ),
        (
            "en",
            "breaking",
            "Breaking News",
            "breaking",
            "A short alert when something big happens.",
            False,
        ),
        ("uk", "ranok", "Ранковий брифінг", "daily", "Головні події дня щоранку.", True),
        (
            "uk",
            "blyskavka",
            "Блискавки",
            "breaking",
            "Коротке сповіщення, коли стається щось важливе.",
            False,
        ),
    ]
    for position, (language, slug, name, cadence, description, default) in enumerate(newsletters):
        if language not in editions.codes():
            continue
        Newsletter.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "language": language,
                "cadence": cadence,
                "description": description,
                "sender_name": "Masthead",
                "sender_email": "newsletters@masthead.example",
                "subscribe_by_default": default,
                "sort_order": position,
            },
        )


def newsroom_exists():
    return HomePage.objects.exists()


def demo_users_exist():
    return get_user_model().objects.filter(username__in=[u for u, _, _ in DEMO_USERS]).exists()


def create_demo_issue():
    """A draft issue of The Daily Briefing, so the admin shows how sending works."""
    from wagtail.rich_text import RichText

    from masthead.content.models import ArticlePage
    from masthead.newsletters.models import Issue, Newsletter

    daily = Newsletter.objects.get(slug="daily-briefing")
    if Issue.objects.filter(newsletter=daily).exists():
        return
    stories = [
        ("story", {"article": article, "note": ""})
        for article in ArticlePage.objects.live().order_by("-published_at")[:3]
    ]
    Issue.objects.create(
        newsletter=daily,
        subject="The Daily Briefing: what happened overnight",
        preheader="Three stories to start the day, in five minutes.",
        body=[
            (
                "paragraph",
                RichText("<p>Good morning. Here is what our reporters saw overnight.</p>"),
            ),
            *stories,
            ("button", {"label": "Become a member", "url": settings.SITE_URL + "/members/join/"}),
        ],
    )


def create_demo_campaign():
    """A running membership drive, so the banner, the appeal and the progress bar show."""
    from masthead.members.models import Campaign

    if Campaign.objects.exists():
        return
    Campaign.objects.create(
        name="Winter membership drive",
        headline="Help us reach 20,000 members",
        message=(
            "We have no owner and no paywall. Our reporters stay in the cities they cover because "
            "readers pay for their work. Join them."
        ),
        goal=20000,
        language="en",
    )
    if "uk" in editions.codes():
        Campaign.objects.create(
            name="Зимова кампанія",
            language="uk",
            headline="Допоможіть нам досягти 20\u00a0000 членів",
            message=(
                "У нас немає власника і немає платного доступу. Наші репортери залишаються в "
                "містах, про які пишуть, бо читачі оплачують їхню роботу. Приєднуйтеся."
            ),
            goal=20000,
            join_label="Стати членом",
            gift_label="Подарувати членство",
            once_label="Підтримати одноразово",
            thank_you="Дякуємо, що ви з нами. Ви робите цю журналістику можливою.",
        )
