"""Create articles in bulk for benchmarks: thousands a second instead of a few dozen.

Wagtail pages live in two tables (wagtailcore_page and content_articlepage) and a materialised-path
tree, which Django's bulk_create cannot fill for multi-table models. This writes both tables in
batches with correct tree paths, bylines and tags, and leaves the tree consistent
(Page.find_problems() finds nothing). Search indexing is left to `update_index`.
"""

import datetime
import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page

from masthead.content.models import ArticleAuthor, ArticlePage, ArticleTag

from .writing import TAGS, Writer

BATCH = 1000


def bulk_articles(*, index, sections, authors, count, images=(), seed=7, days=365, report=None):
    """Add `count` published articles under `index`, spread over the last `days` days."""
    from taggit.models import Tag

    rng = random.Random(seed)
    writer = Writer(rng)
    content_type = ContentType.objects.get_for_model(ArticlePage)
    tags = [
        Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in TAGS
    ]
    now = timezone.now()
    language_code = index.locale.language_code
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            index = Page.objects.select_for_update().get(pk=index.pk)
            start = index.numchild
            pages, articles = [], []
            for offset in range(size):
                number = start + offset + 1
                section = sections[(made + offset) % len(sections)]
                headline, topic = writer.headline(section.title)
                slug = f"{number}-{slugify(headline)[:60]}"
                moment = now - datetime.timedelta(seconds=rng.randint(600, days * 86400))
                pages.append(
                    Page(
                        title=headline,
                        draft_title=headline,
                        slug=slug,
                        content_type=content_type,
                        path=Page._get_path(index.path, index.depth + 1, number),
                        depth=index.depth + 1,
                        numchild=0,
                        url_path=f"{index.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=moment,
                        last_published_at=moment,
                        live_revision=None,
                        locale_id=index.locale_id,
                        translation_key=uuid.uuid4(),
                    )
                )
                paragraphs = writer.paragraphs(topic, rng.randint(4, 10))
                articles.append(
                    {
                        "summary": writer.summary(topic),
                        "section": section,
                        "hero_image": rng.choice(images) if images else None,
                        "body": [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs],
                        "words": sum(len(p.split()) for p in paragraphs),
                    }
                )
            Page.objects.bulk_create(pages, batch_size=BATCH)
            if pages[0].pk is None:  # backends that cannot return ids from a bulk insert
                by_path = dict(
                    Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk")
                )
                for page in pages:
                    page.pk = page.id = by_path[page.path]
            rows = []
            for page, data in zip(pages, articles, strict=True):
                article = ArticlePage(
                    page_ptr_id=page.pk,
                    summary=data["summary"],
                    section=data["section"],
                    hero_image=data["hero_image"],
                    hero_caption="",
                    hero_credit="",
                    body=data["body"],
                    correction="",
                    reading_minutes=max(1, -(-data["words"] // 230)),
                    published_at=page.first_published_at,
                    language_code=language_code,
                )
                rows.append(article)
            fields = list(ArticlePage._meta.local_concrete_fields)
            ArticlePage._base_manager._insert(rows, fields=fields, using="default")
            ArticleAuthor.objects.bulk_create(
                [
                    ArticleAuthor(
                        article_id=page.pk, author=authors[(made + i) % len(authors)], sort_order=0
                    )
                    for i, page in enumerate(pages)
                ]
            )
            ArticleTag.objects.bulk_create(
                [ArticleTag(content_object_id=page.pk, tag=rng.choice(tags)) for page in pages]
            )
            Page.objects.filter(pk=index.pk).update(numchild=start + size)
        made += size
        if report:
            report(made, count, "bulk articles")
    return made
